package io.imago.client.internal.producer;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The bytes of one producer's sends not yet acknowledged ({@code putBatchBufferBytes}), batched and
 * single puts alike: a send takes room for its encoded size before it is sent and gives it back with
 * its outcome. A send beyond waits up to its timeout for room; an I/O or timer thread never waits (it
 * could block the completions that make room), it fails at once. Thread-safe.
 */
final class SendBuffer {
    private final int capacityBytes;
    private final Semaphore room;

    SendBuffer(int capacityBytes) {
        this.capacityBytes = capacityBytes;
        this.room = new Semaphore(capacityBytes);
    }

    int capacityBytes() {
        return capacityBytes;
    }

    int availableBytes() {
        return room.availablePermits();
    }

    /** Takes room for {@code bytes} (at most {@link #capacityBytes()}), waiting up to {@code timeoutMs}; whether it did. */
    boolean reserve(int bytes, long timeoutMs) {
        if (room.tryAcquire(bytes)) {
            return true;
        }
        if (Thread.currentThread() instanceof FastThreadLocalThread) {
            return false;
        }
        try {
            return room.tryAcquire(bytes, timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void release(int bytes) {
        room.release(bytes);
    }
}
