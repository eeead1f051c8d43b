package io.imago.bench.compare;

import java.util.List;

/**
 * One system under comparison (an Imago broker, a Kafka node, the original MetaQ broker), run in its
 * own JVM process(es) on 127.0.0.1 from its own class path. Started and stopped by
 * {@code bench compare}, one peer at a time. Not thread-safe.
 */
public interface Peer extends AutoCloseable {
    /** The name in the comparison table, e.g. {@code imago}, {@code kafka}, {@code metaq}. */
    String name();

    /**
     * Starts the broker (and whatever it needs: ZooKeeper, storage formatting) with the environment's
     * data directory, heap and log files, and returns once it takes load (the bench topic exists with
     * {@link PeerEnv#partitions()} partitions). On failure, throws with the tail of the broker's log.
     */
    void start(PeerEnv env) throws Exception;

    /** The broker's process id, for sampling its resident memory (peak RSS). */
    long brokerPid();

    /**
     * The {@code bench produce|consume|e2e} options that reach this peer with the load tools
     * ({@code --target …} and its address); empty when the load tools cannot drive it (the original
     * MetaQ broker is driven only by the original client).
     */
    List<String> loadArgs();

    /** The ZooKeeper connect string the original MetaQ client uses to find this broker; {@code null} if none. */
    String zkConnect();

    /** Stops every process it started (SIGTERM, then kill after a grace period) and waits for them. */
    @Override
    void close();
}
