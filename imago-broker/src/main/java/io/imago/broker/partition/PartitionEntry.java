package io.imago.broker.partition;

import io.imago.broker.config.TopicConfig;
import io.imago.store.PartitionLog;
import io.imago.store.StoreException;
import io.imago.store.TopicPartition;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * One partition served by this broker: its log, the topic configuration that accepted it (empty for
 * a partition found on disk that no section accepts any more: it is served but takes no puts), the
 * count of messages appended since the broker started (for {@code stats}), and whether the broker has
 * taken it offline after its log failed (a failed write or fsync): then it serves no get and takes no
 * put until the broker restarts. Thread-safe.
 */
public final class PartitionEntry {
    private final TopicPartition topicPartition;
    private final PartitionLog log;
    private final Optional<TopicConfig> topicConfig;
    private final LongAdder appended = new LongAdder();
    /** This entry as a completed future, made once: what {@link PartitionRegistry#getOrCreateAsync} returns. */
    private final CompletableFuture<PartitionEntry> opened;
    /** Why the partition is offline; null while it is online. Set once, never cleared. */
    private volatile StoreException offlineCause;

    PartitionEntry(TopicPartition topicPartition, PartitionLog log, Optional<TopicConfig> topicConfig) {
        this.topicPartition = topicPartition;
        this.log = log;
        this.topicConfig = topicConfig;
        this.opened = CompletableFuture.completedFuture(this);
    }

    /** A future completed with this entry, shared by every caller: read it, never complete it. */
    CompletableFuture<PartitionEntry> opened() {
        return opened;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public PartitionLog log() {
        return log;
    }

    public Optional<TopicConfig> topicConfig() {
        return topicConfig;
    }

    /**
     * Takes the partition offline for the life of this broker (its log has failed); later calls keep the
     * first cause.
     *
     * @return whether this call took it offline
     */
    public synchronized boolean markOffline(StoreException cause) {
        if (offlineCause != null) {
            return false;
        }
        offlineCause = cause;
        return true;
    }

    /** Whether the partition is offline: no gets, no puts, not advertised to producers. */
    public boolean isOffline() {
        return offlineCause != null;
    }

    /** Why the partition is offline, empty while it is online. */
    public Optional<StoreException> offlineCause() {
        return Optional.ofNullable(offlineCause);
    }

    /** Counts {@code n} messages acknowledged into this partition. */
    public void countAppended(int n) {
        appended.add(n);
    }

    /** Messages acknowledged into this partition since the broker started. */
    public long appendedSinceStart() {
        return appended.sum();
    }
}
