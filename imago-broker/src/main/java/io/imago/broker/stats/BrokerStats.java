package io.imago.broker.stats;

import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The broker's counters behind the {@code stats} command (spec section 1.4): totals since start
 * ({@code cmd_put} counts every put received, {@code put_failed} those refused or failed), and the
 * realtime counters, which — as in MetaQ — are kept per topic and only for topics whose section sets
 * {@code stat=true}; the broker-wide {@code realtime_*} lines add them up and read {@code null} while
 * no such topic has recorded anything. {@code stats reset} zeroes the realtime counters and restarts
 * their duration. Recording is a few {@link LongAdder} increments. Thread-safe.
 */
public final class BrokerStats {
    /** The realtime statistics, in MetaQ's order and with its names. */
    public enum Realtime {
        PUT("put"),
        GET("get"),
        OFFSET("offset"),
        GET_MISS("get_miss"),
        PUT_FAILED("put_failed"),
        MESSAGE_SIZE("message_size");

        private final String suffix;

        Realtime(String suffix) {
            this.suffix = suffix;
        }

        /** {@code realtime_<suffix>} or {@code topic_realtime_<suffix>}. */
        public String suffix() {
            return suffix;
        }
    }

    private final Clock clock;
    private final long startMs;
    final LongAdder cmdPut = new LongAdder();
    final LongAdder cmdGet = new LongAdder();
    final LongAdder cmdOffset = new LongAdder();
    final LongAdder getMiss = new LongAdder();
    final LongAdder putFailed = new LongAdder();
    final LongAdder txBegin = new LongAdder();
    final LongAdder txXaBegin = new LongAdder();
    final LongAdder txCommit = new LongAdder();
    final LongAdder txRollback = new LongAdder();
    final LongAdder scrubCorruptRanges = new LongAdder();
    private final AtomicInteger connections = new AtomicInteger();
    private final Map<Realtime, Map<String, RealtimeStat>> realtime = new EnumMap<>(Realtime.class);
    private volatile long lastResetMs;

    public BrokerStats(Clock clock) {
        this.clock = clock;
        this.startMs = clock.millis();
        this.lastResetMs = startMs;
        for (Realtime r : Realtime.values()) {
            realtime.put(r, new ConcurrentHashMap<>());
        }
    }

    /** A put arrived (counted whatever its outcome). */
    public void put(String topic, boolean statTopic, int payloadBytes) {
        cmdPut.increment();
        record(Realtime.PUT, topic, statTopic, 1);
        record(Realtime.MESSAGE_SIZE, topic, statTopic, payloadBytes);
    }

    /** A local transaction's BEGIN arrived. */
    public void txBegin() {
        txBegin.increment();
    }

    /** An XA transaction's BEGIN arrived. */
    public void txXaBegin() {
        txXaBegin.increment();
    }

    /** A COMMIT (one or two phase) arrived. */
    public void txCommit() {
        txCommit.increment();
    }

    /** A ROLLBACK arrived. */
    public void txRollback() {
        txRollback.increment();
    }

    /** The background scrub found {@code ranges} corrupt ranges not known before. */
    public void scrubFound(long ranges) {
        scrubCorruptRanges.add(ranges);
    }

    public void putFailed(String topic, boolean statTopic) {
        putFailed.increment();
        record(Realtime.PUT_FAILED, topic, statTopic, 1);
    }

    /**
     * A {@code putb} of {@code messages} messages whose payloads total {@code payloadBytes}: counted as
     * that many puts, so the figures mean messages whichever command carried them.
     */
    public void putBatch(String topic, boolean statTopic, int messages, long payloadBytes) {
        cmdPut.add(messages);
        if (statTopic) {
            realtime.get(Realtime.PUT)
                    .computeIfAbsent(topic, t -> new RealtimeStat())
                    .record(messages, messages);
            realtime.get(Realtime.MESSAGE_SIZE)
                    .computeIfAbsent(topic, t -> new RealtimeStat())
                    .record(messages, payloadBytes);
        }
    }

    /** {@code messages} puts of one failed {@code putb}. */
    public void putBatchFailed(String topic, boolean statTopic, int messages) {
        putFailed.add(messages);
        if (statTopic) {
            realtime.get(Realtime.PUT_FAILED)
                    .computeIfAbsent(topic, t -> new RealtimeStat())
                    .record(messages, messages);
        }
    }

    public void get(String topic, boolean statTopic) {
        cmdGet.increment();
        record(Realtime.GET, topic, statTopic, 1);
    }

    public void getMiss(String topic, boolean statTopic) {
        getMiss.increment();
        record(Realtime.GET_MISS, topic, statTopic, 1);
    }

    public void offset(String topic, boolean statTopic) {
        cmdOffset.increment();
        record(Realtime.OFFSET, topic, statTopic, 1);
    }

    public void connectionOpened() {
        connections.incrementAndGet();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public int connections() {
        return connections.get();
    }

    private void record(Realtime stat, String topic, boolean statTopic, long amount) {
        if (statTopic) {
            realtime.get(stat).computeIfAbsent(topic, t -> new RealtimeStat()).record(amount);
        }
    }

    /** Zeroes every realtime counter and restarts their duration ({@code stats reset}). */
    public void resetRealtime() {
        realtime.values().forEach(m -> m.values().forEach(RealtimeStat::reset));
        lastResetMs = clock.millis();
    }

    public long uptimeSeconds() {
        return (clock.millis() - startMs) / 1000;
    }

    private long durationSecs() {
        return (clock.millis() - lastResetMs) / 1000;
    }

    /** The broker-wide line of a realtime statistic: the sum over topics, or {@code null}. */
    String renderRealtime(Realtime stat) {
        Map<String, RealtimeStat> byTopic = realtime.get(stat);
        if (byTopic.isEmpty()) {
            return "null";
        }
        long count = 0;
        long value = 0;
        for (RealtimeStat s : byTopic.values()) {
            count += s.count();
            value += s.value();
        }
        return RealtimeStat.render(count, value, durationSecs());
    }

    /** A topic's line of a realtime statistic, with the original's texts for the missing cases. */
    String renderRealtime(Realtime stat, String topic) {
        Map<String, RealtimeStat> byTopic = realtime.get(stat);
        if (byTopic.isEmpty()) {
            return "null";
        }
        RealtimeStat s = byTopic.get(topic);
        return s == null ? "Invalid keyTwo:" + topic : RealtimeStat.render(s.count(), s.value(), durationSecs());
    }
}
