package io.imago.store;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The segments of a partition in offset order, as an immutable array snapshot swapped on change,
 * plus the acknowledged end of the log ({@code maxOffset}).
 *
 * <p>Invariants: at least one segment; consecutive segments are contiguous
 * ({@code start + size == next.start}); the last segment is the active one; only the writer adds
 * segments (at the end) and only retention removes them (at the front, never the last).
 * {@code maxOffset} only grows and is published after the segments' visible sizes. Thread-safe:
 * readers use the volatile snapshot, the two mutators synchronize on this object.
 *
 * <p>It also holds the waiters for data beyond an offset (long-polling fetches), woken by the writer
 * when it publishes a new end.
 */
final class SegmentSet {
    private volatile Segment[] segments;
    private volatile long maxOffset;
    /** Registrations between two sweeps of abandoned (timed-out) waiters. */
    static final int SWEEP_EVERY = 64;

    private final ConcurrentLinkedQueue<DataWaiter> waiters = new ConcurrentLinkedQueue<>();
    private final AtomicInteger registrations = new AtomicInteger();

    private record DataWaiter(long offset, CompletableFuture<Void> future) {}

    SegmentSet(List<Segment> initial, long maxOffset) {
        if (initial.isEmpty()) {
            throw new IllegalArgumentException("a partition has at least one segment");
        }
        this.segments = initial.toArray(new Segment[0]);
        this.maxOffset = maxOffset;
    }

    Segment[] snapshot() {
        return segments;
    }

    Segment active() {
        Segment[] s = segments;
        return s[s.length - 1];
    }

    long minOffset() {
        return segments[0].startOffset();
    }

    long maxOffset() {
        return maxOffset;
    }

    /** Publishes a new acknowledged end and wakes the waiters it satisfies; writer thread only. */
    void publishMaxOffset(long offset) {
        maxOffset = offset;
        if (!waiters.isEmpty()) {
            wake(offset);
        }
    }

    /**
     * A future completed once {@code maxOffset > offset} (at once if that already holds). A caller that
     * stops waiting completes or cancels the future itself; such waiters are dropped lazily.
     */
    CompletableFuture<Void> awaitBeyond(long offset) {
        if (maxOffset > offset) {
            return CompletableFuture.completedFuture(null);
        }
        if (registrations.incrementAndGet() % SWEEP_EVERY == 0) {
            waiters.removeIf(w -> w.future().isDone());
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        waiters.add(new DataWaiter(offset, future));
        if (maxOffset > offset) { // published between the first check and the registration
            future.complete(null);
        }
        return future;
    }

    /**
     * Waiters registered and not yet dropped, abandoned ones not yet swept included; O(waiters), for
     * tests and diagnostics.
     */
    int waiterCount() {
        return waiters.size();
    }

    /** Completes every waiter (the log is closing: fetches re-read and find out). */
    void wakeAll() {
        wake(Long.MAX_VALUE);
    }

    private void wake(long max) {
        for (Iterator<DataWaiter> it = waiters.iterator(); it.hasNext(); ) {
            DataWaiter w = it.next();
            if (w.future().isDone()) {
                it.remove();
            } else if (w.offset() < max) {
                it.remove();
                w.future().complete(null);
            }
        }
    }

    synchronized void addActive(Segment segment) {
        Segment[] s = segments;
        Segment[] next = Arrays.copyOf(s, s.length + 1);
        next[s.length] = segment;
        segments = next;
    }

    /**
     * Removes the first {@code count} segments if the first one still starts at {@code firstStart}
     * and at least one segment remains; returns what it removed (empty if the set changed meanwhile).
     */
    synchronized List<Segment> removeFirst(int count, long firstStart) {
        Segment[] s = segments;
        if (count <= 0 || count >= s.length || s[0].startOffset() != firstStart) {
            return List.of();
        }
        segments = Arrays.copyOfRange(s, count, s.length);
        return List.of(Arrays.copyOf(s, count));
    }

    /** The segment whose range holds {@code offset}: the last one starting at or before it. */
    static Segment floor(Segment[] snapshot, long offset) {
        int lo = 0;
        int hi = snapshot.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (snapshot[mid].startOffset() <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return snapshot[lo];
    }
}
