package io.imago.client.internal.remoting;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process-wide request id generator, as gecko's: starts at {@link Integer#MIN_VALUE}, counts up,
 * and wraps back to {@code MIN_VALUE} once it reaches {@code Integer.MAX_VALUE - 10}, so it never
 * hands out {@link Integer#MAX_VALUE} (the opaque a broker uses for a request that had none).
 * Thread-safe and lock-free.
 */
public final class OpaqueGenerator {
    /** The first value handed out after start and after a wrap. */
    public static final int FIRST = Integer.MIN_VALUE;
    /** Reaching this value wraps the counter back to {@link #FIRST}; it is never handed out. */
    public static final int WRAP_AT = Integer.MAX_VALUE - 10;

    private static final AtomicInteger NEXT = new AtomicInteger(FIRST);

    private OpaqueGenerator() {}

    /** The next opaque. */
    public static int next() {
        while (true) {
            int current = NEXT.get();
            int following = current + 1 >= WRAP_AT ? FIRST : current + 1;
            if (NEXT.compareAndSet(current, following)) {
                return current;
            }
        }
    }

    /** Test seam: makes {@code value} the next opaque handed out. */
    static void resetTo(int value) {
        NEXT.set(value);
    }
}
