package io.imago.broker.stats;

import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * One realtime counter of MetaQ's {@code stats realtime} and {@code stats <topic>} items: how many
 * events and how much value (1 per event, or bytes for {@code message_size}) since the last
 * {@code stats reset}. Rendered exactly as the original's {@code MetaStatLog}:
 * {@code Count=<c>,Value=<v>,Value/Count=<x>,Count/Duration=<y>,Duration=<secs>}, numbers with at most
 * two decimals, {@code invalid} for an average over nothing.
 *
 * <p>Thread-safe: recording is two {@link LongAdder} increments.
 */
final class RealtimeStat {
    private final LongAdder count = new LongAdder();
    private final LongAdder value = new LongAdder();

    void record(long amount) {
        count.increment();
        value.add(amount);
    }

    /** Records {@code events} events worth {@code amount} in total. */
    void record(long events, long amount) {
        count.add(events);
        value.add(amount);
    }

    void reset() {
        count.reset();
        value.reset();
    }

    long count() {
        return count.sum();
    }

    long value() {
        return value.sum();
    }

    /** The text of a counter holding {@code count} events of total {@code value}, {@code durationSecs} after a reset. */
    static String render(long count, long value, long durationSecs) {
        DecimalFormat f = new DecimalFormat("#.##", DecimalFormatSymbols.getInstance(Locale.ROOT));
        String perCount = count == 0 ? "invalid" : f.format((double) value / count);
        String perSecond = durationSecs == 0 ? "invalid" : f.format((double) count / durationSecs);
        return "Count=" + f.format(count) + ",Value=" + f.format(value) + ",Value/Count=" + perCount
                + ",Count/Duration=" + perSecond + ",Duration=" + durationSecs;
    }
}
