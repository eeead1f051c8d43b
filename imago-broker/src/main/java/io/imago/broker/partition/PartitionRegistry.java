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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every partition log this broker serves, by topic and partition number: the ones found on disk at
 * start ({@link #loadAll()}, all of them, unlike the original which could miss some until the first
 * put — DESIGN.md difference 3) and the ones created by a first put ({@link #getOrCreateAsync}).
 *
 * <p>A topic is accepted when {@link BrokerConfig#resolve(String)} finds a section for it; the
 * resolution is cached per accepted topic name. Every partition opened is announced to the
 * listener given at construction (flusher, retention and, for a topic's first partition, the
 * ZooKeeper registration).
 *
 * <p>Partitions are opened (recovered, or created with their directory and first segment, and
 * fsynced) only on the registry's opener threads ({@code imago-partition-opener-N}, at most
 * {@code openThreads} of them, none while idle): in parallel at start, and off the network threads on
 * a first put. A partition is opened once however many callers ask for it at the same time; an open
 * publishes its entry under one short lock that {@link #close()} also takes, so a partition is either
 * listed before the registry closes (and closed by it) or refused.
 *
 * <p>Thread-safe: lookups are lock-free.
 */
public final class PartitionRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionRegistry.class);
    /**
     * Opener threads by default: at least 8, since an open mostly waits for fsyncs, which a disk serves
     * side by side (2,000 partitions on a busy 2-core machine: 13 to 33 s with one thread, 5 to 9 s
     * with 8; docs/storage.md), and one per core where there are more, for recovery scans. They are
     * there only while partitions are being opened.
     */
    public static final int DEFAULT_OPEN_THREADS =
            Math.max(8, Runtime.getRuntime().availableProcessors());
    /** How often {@link #loadAll()} reports its progress while it waits. */
    static final long PROGRESS_INTERVAL_MS = 5_000;
    /** An opener thread with nothing to do ends after this long. */
    private static final long OPENER_IDLE_MS = 10_000;
    /** How long {@link #close()} waits for the opens under way. */
    private static final long CLOSE_WAIT_SECONDS = 30;

    private final BrokerConfig config;
    private final StorageIo io;
    private final Clock clock;
    private final Listener listener;
    private final int openThreads;
    private final ThreadPoolExecutor opener;
    private final Map<String, TopicConfig> resolved = new ConcurrentHashMap<>();
    private final Map<String, TopicLogs> topics = new ConcurrentHashMap<>();
    /** The threads serving each data directory's partitions, by the directory holding them. */
    private final Map<Path, LogThreads> diskThreads = new ConcurrentHashMap<>();
    /** The opens under way, so that a partition is opened once; an entry leaves when its open ends. */
    private final Map<TopicPartition, CompletableFuture<PartitionEntry>> opening = new ConcurrentHashMap<>();
    /** Guards publishing an opened partition against {@link #close()}. */
    private final Object publishLock = new Object();

    private volatile boolean closed;

    /** Told of every partition opened, after it is open and listed (on the opening thread). */
    public interface Listener {
        /**
         * Called once per partition opened, on an opener thread (several may call at once).
         *
         * @param entry the partition just opened
         */
        void partitionOpened(PartitionEntry entry);
    }

    public PartitionRegistry(BrokerConfig config, StorageIo io, Clock clock, Listener listener) {
        this(config, io, clock, listener, DEFAULT_OPEN_THREADS);
    }

    /**
     * A registry that opens at most {@code openThreads} partitions at a time. The pool starts no
     * thread until there is something to open.
     */
    public PartitionRegistry(BrokerConfig config, StorageIo io, Clock clock, Listener listener, int openThreads) {
        if (openThreads < 1) {
            throw new IllegalArgumentException("openThreads must be at least 1: " + openThreads);
        }
        this.config = config;
        this.io = io;
        this.clock = clock;
        this.listener = listener;
        this.openThreads = openThreads;
        this.opener = new ThreadPoolExecutor(
                openThreads,
                openThreads,
                OPENER_IDLE_MS,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                new OpenerThreads());
        this.opener.allowCoreThreadTimeOut(true);
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
     * each topic section's own), recovering each log, in parallel on the opener threads; one INFO line
     * per partition, and one every {@link #PROGRESS_INTERVAL_MS} while it runs ("opened X of Y
     * partitions"). A directory whose topic name breaks {@link Names}' rule, or that leads out of its
     * data path (a symbolic link), is not opened: it is reported at ERROR and left untouched. When the
     * same partition is found under two data paths, the first path listed wins (the global one).
     *
     * <p>If a partition fails to open, the load stops: partitions not started yet are not opened, the
     * ones being opened finish, every failure is logged at ERROR naming its partition and directory,
     * and the first failure is thrown with the others attached as suppressed. The partitions opened
     * stay listed: {@link #close()} closes them.
     *
     * @return how many partitions were loaded
     */
    public int loadAll() throws IOException, InterruptedException {
        Map<TopicPartition, Path> found = partitionsOnDisk();
        if (found.isEmpty()) {
            return 0;
        }
        LOG.info("Opening {} partitions, {} at a time", found.size(), openThreads);
        StartupLoad load = new StartupLoad(found.size());
        found.forEach((tp, dir) -> {
            Optional<TopicConfig> topicConfig = topicConfig(tp.topic());
            load.track(tp, dir, openOnce(tp, () -> {
                if (load.stopped()) {
                    throw new CancellationException("not opened: the load stopped at an earlier failure");
                }
                return open(tp, dir, topicConfig, false);
            }));
        });
        return load.await(PROGRESS_INTERVAL_MS);
    }

    /** The partition directories to load, by partition, after the name and path checks. */
    private Map<TopicPartition, Path> partitionsOnDisk() throws IOException {
        Map<TopicPartition, Path> found = new LinkedHashMap<>();
        for (Path dataPath : dataPaths()) {
            if (!Files.isDirectory(dataPath)) {
                continue;
            }
            for (Path candidate : partitionDirectories(dataPath)) {
                TopicPartition tp = TopicPartition.parseDirectoryName(
                                candidate.getFileName().toString())
                        .orElseThrow();
                Optional<String> badName = Names.topicProblem(tp.topic());
                if (badName.isPresent()) {
                    LOG.error(
                            "Not loading {}: {}; it is left as it is on disk (rename the topic to serve it)",
                            candidate,
                            Names.message(Names.Kind.TOPIC, tp.topic(), badName.get()));
                    continue;
                }
                try {
                    found.putIfAbsent(tp, PartitionDirectories.resolve(dataPath, tp));
                } catch (UnsafePathException e) {
                    LOG.error("Not loading {}: {}", candidate, e.getMessage());
                }
            }
        }
        return found;
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
     * The log of a partition of an accepted topic, opened if it is not open yet. The caller has
     * checked that the partition is in {@code [0, numPartitions)}.
     *
     * <p>For a partition already open this returns at once, without allocating, a future completed with
     * it (shared: callers only read it). Otherwise the partition's directory and first segment are
     * created (or found and recovered) on an opener thread, never on the caller's, and the future
     * completes there once the partition is listed. Callers asking for the same partition at the same
     * time share one open. The future fails with {@link io.imago.protocol.InvalidNameException} if the
     * topic name breaks {@link Names}' rule, {@link UnsafePathException} if the partition directory
     * would not be inside the topic's data path, {@link LogClosedException} once the registry is
     * closing, or the I/O error that stopped the open.
     */
    public CompletableFuture<PartitionEntry> getOrCreateAsync(TopicConfig topic, int partition) {
        TopicLogs logs = topics.get(topic.topic());
        PartitionEntry existing = logs == null ? null : logs.partitionOrNull(partition);
        if (existing != null) {
            return existing.opened();
        }
        TopicPartition tp = new TopicPartition(topic.topic(), partition);
        return openOnce(tp, () -> {
            Names.checkTopic(topic.topic());
            return open(tp, topic.partitionDirectory(partition), Optional.of(topic), true);
        });
    }

    /** What opens one partition, on an opener thread. */
    private interface Open {
        PartitionEntry run() throws IOException;
    }

    /**
     * The open of {@code tp} under way, or a new one on the opener threads. The future completes on the
     * opener thread, after the partition is listed and the listener told.
     */
    private CompletableFuture<PartitionEntry> openOnce(TopicPartition tp, Open open) {
        CompletableFuture<PartitionEntry> mine = new CompletableFuture<>();
        CompletableFuture<PartitionEntry> raced = opening.putIfAbsent(tp, mine);
        if (raced != null) {
            return raced;
        }
        try {
            opener.execute(() -> {
                try {
                    PartitionEntry listed = find(tp.topic(), tp.partition()).orElse(null);
                    mine.complete(listed != null ? listed : open.run());
                } catch (IOException | RuntimeException | Error e) {
                    mine.completeExceptionally(e);
                } finally {
                    opening.remove(tp, mine);
                }
            });
        } catch (RejectedExecutionException e) {
            opening.remove(tp, mine);
            mine.completeExceptionally(closing(tp));
        }
        return mine;
    }

    private static LogClosedException closing(TopicPartition tp) {
        return new LogClosedException("broker is shutting down: partition " + tp + " is not opened");
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

    /** Opens a partition and lists it; on an opener thread, at most once at a time per partition. */
    private PartitionEntry open(TopicPartition tp, Path dir, Optional<TopicConfig> topicConfig, boolean creating)
            throws IOException {
        if (closed) {
            throw closing(tp);
        }
        if (topicConfig.isEmpty()) {
            LOG.warn("Partition {} on disk belongs to no configured topic; it is served but takes no puts", dir);
        }
        PartitionLog log = PartitionLog.open(dir, logConfig(topicConfig), io, clock, threadsFor(dir));
        PartitionEntry entry = new PartitionEntry(tp, log, topicConfig);
        boolean listed = false;
        synchronized (publishLock) {
            if (!closed) {
                topics.computeIfAbsent(tp.topic(), TopicLogs::new).put(entry);
                listed = true;
            }
        }
        if (!listed) {
            // the registry closed while this partition was being opened: nobody else will close it
            log.close();
            throw closing(tp);
        }
        logOpened(tp, log.recovery(), creating);
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
     * Closes every log: queued appends are written with their durability first. An open under way
     * is waited for (up to {@value #CLOSE_WAIT_SECONDS} s in all) and then refused: its partition is
     * closed again and its callers get {@link LogClosedException}, as does anyone asking for a partition
     * afterwards (a put racing the shutdown is answered 500). The opener threads end. Idempotent.
     */
    @Override
    public void close() {
        synchronized (publishLock) {
            closed = true;
        }
        opener.shutdown();
        try {
            if (!opener.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn(
                        "{} partition opens are still running after {} s; closing the partitions opened so far",
                        opener.getActiveCount(),
                        CLOSE_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while waiting for partition opens; closing the partitions opened so far");
        }
        closeLogs(partitions());
        diskThreads.values().forEach(LogThreads::close);
    }

    /**
     * Closes the logs {@code openThreads} at a time (each drains its queue and, if it took puts since it
     * was opened, writes its clean checkpoint: a few fsyncs, so a broker with thousands of partitions
     * stops in seconds, not minutes), with a progress line every few seconds. Each close is bounded by
     * the log's {@code closeTimeoutMs}.
     */
    private void closeLogs(List<PartitionEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        AtomicInteger closedCount = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        int threads = Math.min(openThreads, entries.size());
        List<Thread> closers = new ArrayList<>(threads);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(
                    () -> {
                        for (int at; (at = next.getAndIncrement()) < entries.size(); ) {
                            PartitionEntry p = entries.get(at);
                            try {
                                p.log().close();
                            } catch (RuntimeException e) {
                                LOG.error("Closing partition {} failed", p.topicPartition(), e);
                            }
                            closedCount.incrementAndGet();
                        }
                    },
                    "imago-partition-closer-" + i);
            t.setDaemon(true);
            closers.add(t);
            t.start();
        }
        boolean interrupted = false;
        for (Thread t : closers) {
            while (t.isAlive()) {
                try {
                    t.join(PROGRESS_INTERVAL_MS);
                } catch (InterruptedException e) {
                    interrupted = true; // closing goes on: the logs must be closed before the broker exits
                }
                if (t.isAlive()) {
                    LOG.info(
                            "Closed {} of {} partitions in {} s",
                            closedCount.get(),
                            entries.size(),
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
                }
            }
        }
        LOG.info(
                "Closed {} partitions in {} ms",
                entries.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The opener threads: daemons, numbered, so a stuck open shows in a thread dump. */
    private static final class OpenerThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "imago-partition-opener-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
