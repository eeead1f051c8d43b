package io.imago.broker.partition;

import io.imago.broker.config.BrokerConfig;
import io.imago.broker.config.TopicConfig;
import io.imago.protocol.Names;
import io.imago.store.LogClosedException;
import io.imago.store.LogConfig;
import io.imago.store.LogThreads;
import io.imago.store.PartitionDirectories;
import io.imago.store.PartitionLog;
import io.imago.store.RecoveryReport;
import io.imago.store.TopicPartition;
import io.imago.store.UnsafePathException;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every partition log this broker serves, by topic and partition number: the ones found on disk at
 * start ({@link #loadAll()}, all of them, unlike the original which could miss some until the first
 * put — DESIGN.md difference 3) and the ones created by a first put ({@link #getOrCreate}).
 *
 * <p>A topic is accepted when {@link BrokerConfig#resolve(String)} finds a section for it; the
 * resolution is cached per accepted topic name. Every partition opened is announced to the
 * listener given at construction (flusher, retention and, for a topic's first partition, the
 * ZooKeeper registration).
 *
 * <p>Thread-safe: lookups are lock-free; creating a partition is serialized per topic.
 */
public final class PartitionRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionRegistry.class);

    private final BrokerConfig config;
    private final StorageIo io;
    private final Clock clock;
    private final Listener listener;
    private final Map<String, TopicConfig> resolved = new ConcurrentHashMap<>();
    private final Map<String, TopicLogs> topics = new ConcurrentHashMap<>();
    /** The threads serving each data directory's partitions, by the directory holding them. */
    private final Map<Path, LogThreads> diskThreads = new ConcurrentHashMap<>();

    private volatile boolean closed;

    /** Told of every partition opened, after it is open and listed (on the opening thread). */
    public interface Listener {
        /**
         * Called once per partition opened.
         *
         * @param entry the partition just opened
         */
        void partitionOpened(PartitionEntry entry);
    }

    public PartitionRegistry(BrokerConfig config, StorageIo io, Clock clock, Listener listener) {
        this.config = config;
        this.io = io;
        this.clock = clock;
        this.listener = listener;
    }

    /**
     * The configuration of a topic this broker accepts, or empty when no section accepts it. Only
     * accepted topics are cached, so requests for random names cannot grow the cache.
     */
    public Optional<TopicConfig> topicConfig(String topic) {
        TopicConfig cached = resolved.get(topic);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<TopicConfig> found = config.resolve(topic);
        found.ifPresent(t -> resolved.putIfAbsent(topic, t));
        return found;
    }

    /**
     * Opens every {@code <topic>-<partition>} directory under the data paths (the global one and
     * each topic section's own), recovering each log; one INFO line per partition. A directory whose
     * topic name breaks {@link Names}' rule, or that leads out of its data path (a symbolic link), is
     * not opened: it is reported at ERROR and left untouched.
     *
     * @return how many partitions were loaded
     */
    public int loadAll() throws IOException {
        int loaded = 0;
        for (Path dataPath : dataPaths()) {
            if (!Files.isDirectory(dataPath)) {
                continue;
            }
            for (Path found : partitionDirectories(dataPath)) {
                TopicPartition tp = TopicPartition.parseDirectoryName(
                                found.getFileName().toString())
                        .orElseThrow();
                Optional<String> badName = Names.topicProblem(tp.topic());
                if (badName.isPresent()) {
                    LOG.error(
                            "Not loading {}: {}; it is left as it is on disk (rename the topic to serve it)",
                            found,
                            Names.message(Names.Kind.TOPIC, tp.topic(), badName.get()));
                    continue;
                }
                Path dir;
                try {
                    dir = PartitionDirectories.resolve(dataPath, tp);
                } catch (UnsafePathException e) {
                    LOG.error("Not loading {}: {}", found, e.getMessage());
                    continue;
                }
                if (find(tp.topic(), tp.partition()).isEmpty()) {
                    open(tp, dir, topicConfig(tp.topic()), false);
                    loaded++;
                }
            }
        }
        return loaded;
    }

    private Set<Path> dataPaths() {
        Set<Path> paths = new LinkedHashSet<>();
        paths.add(config.dataPath());
        for (String topic : config.configuredTopics()) {
            config.resolve(topic).ifPresent(t -> paths.add(t.dataPath()));
        }
        return paths;
    }

    private static List<Path> partitionDirectories(Path dataPath) throws IOException {
        try (Stream<Path> entries = Files.list(dataPath)) {
            return entries.filter(Files::isDirectory)
                    .filter(p -> TopicPartition.parseDirectoryName(
                                    p.getFileName().toString())
                            .isPresent())
                    .sorted()
                    .toList();
        }
    }

    /** The log of an existing partition, or empty (the broker answers 404). */
    public Optional<PartitionEntry> find(String topic, int partition) {
        TopicLogs logs = topics.get(topic);
        return logs == null ? Optional.empty() : logs.partition(partition);
    }

    /**
     * The log of a partition of an accepted topic, created (directory and first segment) if it does
     * not exist yet. The caller has checked that the partition is in {@code [0, numPartitions)}.
     *
     * @throws io.imago.protocol.InvalidNameException if the topic name breaks {@link Names}' rule
     * @throws UnsafePathException if the partition directory would not be inside the topic's data path
     */
    public PartitionEntry getOrCreate(TopicConfig topic, int partition) throws IOException {
        Optional<PartitionEntry> existing = find(topic.topic(), partition);
        if (existing.isPresent()) {
            return existing.get();
        }
        Names.checkTopic(topic.topic());
        TopicPartition tp = new TopicPartition(topic.topic(), partition);
        return open(tp, topic.partitionDirectory(partition), Optional.of(topic), true);
    }

    /**
     * A partition the broker picks for a put with partition {@code -1}: any of the topic's, at random,
     * but not one that is offline while another is not.
     */
    public int pickPartition(TopicConfig topic) {
        int picked = ThreadLocalRandom.current().nextInt(topic.numPartitions());
        if (!isOffline(topic.topic(), picked)) {
            return picked;
        }
        List<Integer> online = new ArrayList<>();
        for (int p = 0; p < topic.numPartitions(); p++) {
            if (!isOffline(topic.topic(), p)) {
                online.add(p);
            }
        }
        return online.isEmpty()
                ? picked
                : online.get(ThreadLocalRandom.current().nextInt(online.size()));
    }

    private boolean isOffline(String topic, int partition) {
        return find(topic, partition).map(PartitionEntry::isOffline).orElse(false);
    }

    /** The partitions the broker has taken offline (their log failed), sorted by topic then partition. */
    public List<PartitionEntry> offlinePartitions() {
        return partitions().stream().filter(PartitionEntry::isOffline).toList();
    }

    private PartitionEntry open(TopicPartition tp, Path dir, Optional<TopicConfig> topicConfig, boolean creating)
            throws IOException {
        TopicLogs logs = topics.computeIfAbsent(tp.topic(), TopicLogs::new);
        PartitionEntry entry;
        synchronized (logs) {
            Optional<PartitionEntry> raced = logs.partition(tp.partition());
            if (raced.isPresent()) {
                return raced.get();
            }
            if (closed) {
                throw new LogClosedException("broker is shutting down: partition " + tp + " is not opened");
            }
            if (topicConfig.isEmpty()) {
                LOG.warn("Partition {} on disk belongs to no configured topic; it is served but takes no puts", dir);
            }
            try {
                PartitionLog log = PartitionLog.open(dir, logConfig(topicConfig), io, clock, threadsFor(dir));
                logOpened(tp, log.recovery(), creating);
                entry = new PartitionEntry(tp, log, topicConfig);
                logs.put(entry);
            } finally {
                if (logs.partitions().isEmpty()) {
                    topics.remove(tp.topic(), logs);
                }
            }
        }
        listener.partitionOpened(entry);
        return entry;
    }

    /**
     * The threads of the data directory holding partition directory {@code dir} (its parent), started
     * at the first partition opened there.
     */
    private LogThreads threadsFor(Path dir) {
        Path dataPath = dir.toAbsolutePath().normalize().getParent();
        return diskThreads.computeIfAbsent(dataPath, path -> {
            LogThreads threads =
                    LogThreads.create("disk" + diskThreads.size(), config.logWriterThreads(), config.logBufferBytes());
            LOG.info(
                    "Data directory {}: its partitions are written by {} threads (imago-log-writer-{}-*),"
                            + " with at most {} bytes of direct write buffers",
                    path,
                    config.logWriterThreads(),
                    threads.name(),
                    config.logBufferBytes());
            return threads;
        });
    }

    private LogConfig logConfig(Optional<TopicConfig> topic) {
        LogConfig.Builder b = LogConfig.builder()
                .maxSegmentBytes(config.maxSegmentBytes())
                .maxMessageBytes(config.maxMessageBytes()); // recovery resyncs only at records this size or smaller
        if (topic.isPresent()) {
            b.unflushThreshold(topic.get().unflushThreshold())
                    .unflushIntervalMs(topic.get().unflushIntervalMs());
        } else {
            b.unflushThreshold(config.unflushThreshold()).unflushIntervalMs(config.unflushIntervalMs());
        }
        return b.build();
    }

    private static void logOpened(TopicPartition tp, RecoveryReport r, boolean creating) {
        if (creating && r.segmentCount() == 1 && r.maxOffset() == r.minOffset()) {
            LOG.info("Created partition {}", tp);
        } else if (r.recovered()) {
            LOG.info(
                    "Loaded partition {}: recovered, scanned {} bytes, truncated {} bytes, {} corrupt ranges, {} ms",
                    tp,
                    r.scannedBytes(),
                    r.truncatedBytes(),
                    r.corruptRanges().size(),
                    r.durationMs());
        } else {
            LOG.info("Loaded partition {}: clean, {} ms", tp, r.durationMs());
        }
    }

    /** Every topic with at least one partition on this broker. */
    public Collection<TopicLogs> topics() {
        return new TreeMap<>(topics).values();
    }

    /** Every partition, sorted by topic then partition. */
    public List<PartitionEntry> partitions() {
        List<PartitionEntry> all = new ArrayList<>();
        for (TopicLogs t : topics()) {
            all.addAll(t.partitions());
        }
        return all;
    }

    /**
     * Closes every log: queued appends are written with their durability first. A partition that a
     * racing put tries to create afterwards is refused ({@link LogClosedException}). Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        for (TopicLogs t : topics.values()) {
            synchronized (t) {
                // an open that started before the flag was set has finished once we hold the monitor
                LOG.debug("Closing the {} partitions of {}", t.partitions().size(), t.topic());
            }
        }
        for (PartitionEntry p : partitions()) {
            try {
                p.log().close();
            } catch (RuntimeException e) {
                LOG.error("Closing partition {} failed", p.topicPartition(), e);
            }
        }
        diskThreads.values().forEach(LogThreads::close);
    }
}
