package io.imago.broker.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * One realtime statistic of MetaQ's {@code stats realtime} item: how many events and how much value
 * (bytes, or 1 per event) since the window started. {@link #reset(long)} starts a new window, as the
 * {@code stats reset} item does.
 *
 * <p>Rendered as {@code Count=<c>,Value=<v>,Value/Count=<x>,Count/Duration=<y>,Duration=<secs>}.
 * Thread-safe: recording is two {@link LongAdder} increments; the window start is volatile.
 */
public final class RealtimeStat {
    private final LongAdder count = new LongAdder();
    private final LongAdder value = new LongAdder();
    private volatile long windowStartMs;

    public RealtimeStat(long nowMs) {
        this.windowStartMs = nowMs;
    }

    public void record(long amount) {
        count.increment();
        value.add(amount);
    }

    public void reset(long nowMs) {
        count.reset();
        value.reset();
        windowStartMs = nowMs;
    }

    public long count() {
        return count.sum();
    }

    public long value() {
        return value.sum();
    }

    /** MetaQ's text form of the window as of {@code nowMs}. */
    public String render(long nowMs) {
        long c = count.sum();
        long v = value.sum();
        long durationSecs = Math.max(1, (nowMs - windowStartMs) / 1000);
        long perCount = c == 0 ? 0 : v / c;
        long perSecond = c / durationSecs;
        return "Count=" + c + ",Value=" + v + ",Value/Count=" + perCount
                + ",Count/Duration=" + perSecond + ",Duration=" + durationSecs;
    }
}
