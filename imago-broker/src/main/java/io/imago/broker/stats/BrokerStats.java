package io.imago.broker.stats;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The broker's counters behind the {@code stats} command (spec section 1.4): totals since start,
 * realtime windows (reset by {@code stats reset}) for the whole broker and, for topics whose
 * section sets {@code stat=true}, per topic. Recording is a few {@link LongAdder} increments, cheap
 * enough for every request. Thread-safe.
 */
public final class BrokerStats {
    /** The realtime statistics, in MetaQ's order and with its names. */
    public enum Realtime {
        PUT("put"), GET("get"), OFFSET("offset"), GET_MISS("get_miss"), PUT_FAILED("put_failed"),
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
    private final AtomicInteger connections = new AtomicInteger();
    private final RealtimeSet broker;
    private final Map<String, RealtimeSet> byTopic = new ConcurrentHashMap<>();

    public BrokerStats(Clock clock) {
        this.clock = clock;
        this.startMs = clock.millis();
        this.broker = new RealtimeSet(startMs);
    }

    public void put(String topic, boolean statTopic, int payloadBytes) {
        cmdPut.increment();
        record(Realtime.PUT, topic, statTopic, 1);
        record(Realtime.MESSAGE_SIZE, topic, statTopic, payloadBytes);
    }

    public void putFailed(String topic, boolean statTopic) {
        putFailed.increment();
        record(Realtime.PUT_FAILED, topic, statTopic, 1);
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
        broker.stat(stat).record(amount);
        if (statTopic) {
            byTopic.computeIfAbsent(topic, t -> new RealtimeSet(clock.millis())).stat(stat).record(amount);
        }
    }

    /** Starts new realtime windows for the broker and every topic ({@code stats reset}). */
    public void resetRealtime() {
        long now = clock.millis();
        broker.reset(now);
        byTopic.values().forEach(s -> s.reset(now));
    }

    public long uptimeSeconds() {
        return (clock.millis() - startMs) / 1000;
    }

    public long nowMs() {
        return clock.millis();
    }

    RealtimeStat realtime(Realtime stat) {
        return broker.stat(stat);
    }

    /** The topic's window, or null when nothing was recorded for it (stat=false or no traffic). */
    RealtimeStat realtime(String topic, Realtime stat) {
        RealtimeSet set = byTopic.get(topic);
        return set == null ? null : set.stat(stat);
    }

    /** One window per realtime statistic. */
    private static final class RealtimeSet {
        private final RealtimeStat[] stats = new RealtimeStat[Realtime.values().length];

        RealtimeSet(long nowMs) {
            for (int i = 0; i < stats.length; i++) {
                stats[i] = new RealtimeStat(nowMs);
            }
        }

        RealtimeStat stat(Realtime r) {
            return stats[r.ordinal()];
        }

        void reset(long nowMs) {
            for (RealtimeStat s : stats) {
                s.reset(nowMs);
            }
        }
    }
}
