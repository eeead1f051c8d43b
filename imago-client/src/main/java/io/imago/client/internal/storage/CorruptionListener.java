package io.imago.client.internal.storage;

/** Told of every corrupt region a recover store skips; called on the thread that found it. */
@FunctionalInterface
public interface CorruptionListener {
    void onCorruptRegion(CorruptRegion region);
}
