package io.imago.store;

import java.io.InterruptedIOException;

/**
 * Paces the reads of a scan: called after each read with the bytes read, it may wait before the next
 * one. {@link #NONE} never waits.
 */
@FunctionalInterface
public interface ReadThrottle {
    /** Never waits. */
    ReadThrottle NONE = bytes -> {};

    /**
     * Accounts {@code bytes} just read; returns when the next read may start.
     *
     * @throws InterruptedIOException if the scan is to stop (its scrubber is closing)
     */
    void acquire(int bytes) throws InterruptedIOException;
}
