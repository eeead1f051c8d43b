package io.imago.broker;

import io.imago.broker.config.BrokerConfig;
import io.imago.broker.config.TopicConfig;
import io.imago.broker.config.ZooKeeperConfig;
import io.imago.broker.partition.DataDirLock;
import io.imago.broker.partition.PartitionEntry;
import io.imago.broker.partition.PartitionRegistry;
import io.imago.broker.server.BrokerServers;
import io.imago.broker.server.BrokerServers.Running;
import io.imago.broker.stats.BrokerStats;
import io.imago.broker.tx.TransactionManager;
import io.imago.broker.zk.BrokerIdentity;
import io.imago.broker.zk.BrokerRegistration;
import io.imago.broker.zk.TopicRegistration;
import io.imago.protocol.zk.BrokerUrl;
import io.imago.store.LogFlusher;
import io.imago.store.LogScrubber;
import io.imago.store.PartitionLog;
import io.imago.store.StoreException;
import io.imago.store.fs.FileChannelStorageIo;
import io.imago.store.fs.StorageIo;
import io.imago.store.retention.RetentionPolicy;
import io.imago.store.retention.RetentionScheduler;
import io.imago.store.txlog.TxJournal;
import io.imago.store.txlog.TxJournalConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Imago broker: its data directory, partition logs, MetaQ protocol server and ZooKeeper
 * registration, with an explicit lifecycle (STYLE.md #5): the constructor only assigns,
 * {@link #start()} acts in this order — lock the data directory, load every partition, start the
 * flusher and retention, open the transaction journal and recover its transactions, bind the port,
 * register in ZooKeeper — and {@link #close()} undoes it: stop accepting connections, finish in-flight
 * puts with their durability (closing the logs drains their queues and fsyncs), close the transaction
 * journal, deregister from ZooKeeper, close the connections and release the lock.
 *
 * <p>Not thread-safe: {@code start} and {@code close} are called by one owner (the launcher or a
 * test); {@code close} is idempotent.
 */
public final class Broker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);
    private static final long FLUSH_TICK_MS = 100;
    /**
     * The transaction journal's directory under {@code dataLogPath}. Not MetaQ's {@code transactions}:
     * a data directory MetaQ used holds its journal there, in another format, and each broker must find
     * only its own. No '-' in the name: MetaQ's loader would take the directory for a partition's and fail.
     */
    public static final String TRANSACTIONS_DIR = "imago_transactions";

    /** MetaQ's transaction journal's directory under {@code dataLogPath}; Imago does not read it. */
    public static final String METAQ_TRANSACTIONS_DIR = "transactions";

    private static final long TX_JOURNAL_FILE_BYTES = 64L << 20;

    /** Logs a warning when MetaQ's journal directory holds a non-empty file (its transactions are not taken over). */
    private static void warnOfMetaqJournal(Path metaqJournal) throws IOException {
        if (!Files.isDirectory(metaqJournal)) {
            return;
        }
        long bytes;
        try (java.util.stream.Stream<Path> files = Files.list(metaqJournal)) {
            bytes = files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
        if (bytes > 0) {
            LOG.warn(
                    "{} holds MetaQ's transaction journal ({} bytes): Imago does not read it, so a transaction MetaQ"
                            + " left open or prepared there is not recovered (finish them on MetaQ before switching;"
                            + " docs/transactions.md). Imago's own journal is {}.",
                    metaqJournal,
                    bytes,
                    metaqJournal.resolveSibling(TRANSACTIONS_DIR));
        }
    }

    private final BrokerConfig config;
    private final Clock clock;
    private final StorageIo io;
    private DataDirLock lock;
    private PartitionRegistry registry;
    private ScheduledExecutorService retentionExecutor;
    private LogFlusher flusher;
    private LogScrubber scrubber;
    private final Map<String, RetentionScheduler> retention = new ConcurrentHashMap<>();
    private BrokerStats stats;
    private TxJournal journal;
    private TransactionManager transactions;
    private Running server;
    private volatile BrokerRegistration registration;
    private final Map<String, TopicRegistration> announced = new ConcurrentHashMap<>();
    /**
     * The offline partitions of each topic, so that a registration finds the lowest one without
     * scanning the topic's partitions (announced once per partition opened: a scan made opening a topic
     * of N partitions cost O(N²), 19,500 partitions minutes at a restart).
     */
    private final Map<String, ConcurrentSkipListSet<Integer>> offlineByTopic = new ConcurrentHashMap<>();
    /** Orders the registrations handed to the registrar (see {@link #announce}). */
    private final Object announceLock = new Object();

    private volatile boolean stopping;
    /** Set once partitions are loaded and retention started: later schedulers start when created. */
    private volatile boolean started;

    private boolean closed;

    public Broker(BrokerConfig config, Clock clock) {
        this(config, clock, new FileChannelStorageIo());
    }

    /** A broker over a given storage seam (tests inject faults through it). */
    public Broker(BrokerConfig config, Clock clock, StorageIo io) {
        this.config = config;
        this.clock = clock;
        this.io = io;
    }

    /** Starts the broker; on failure everything started so far is closed again. */
    public synchronized void start() throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        try {
            lock = DataDirLock.acquire(config.dataPath());
            // retention passes only: the flusher has a thread of its own, so a pass that blocks (an archive,
            // a hung delete) never delays an interval fsync
            retentionExecutor = Executors.newScheduledThreadPool(1, r -> daemon(r, "imago-broker-retention"));
            flusher = new LogFlusher(FLUSH_TICK_MS);
            stats = new BrokerStats(clock);
            registry = new PartitionRegistry(config, io, clock, this::partitionOpened);
            int loaded = registry.loadAll();
            LOG.info("Loaded {} partitions from {}", loaded, config.dataPath());
            flusher.start();
            retention.values().forEach(RetentionScheduler::start);
            startScrubber();
            started = true;
            MessageIdGenerator ids = new MessageIdGenerator(config.brokerId(), clock);
            startTransactions(ids);
            server = BrokerServers.start(config, registry, stats, ids, clock, transactions, () -> stopping);
            registerInZooKeeper();
            String url = BrokerUrl.format(config.hostName(), server.address().getPort());
            LOG.info(
                    "Broker {} started in {} ms: {}, data {}, {}",
                    config.brokerId(),
                    (System.nanoTime() - t0) / 1_000_000,
                    url,
                    config.dataPath(),
                    config.unflushThreshold() <= 0 ? "group commit" : "unflushThreshold=" + config.unflushThreshold());
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Opens the transaction journal in {@code <dataLogPath>/imago_transactions} and takes over what it
     * recovered (unfinished transactions rolled back, committed ones completed, prepared ones kept),
     * before the server accepts a connection. Warns when MetaQ's own journal holds data: what MetaQ left
     * open or prepared there is not recovered.
     */
    private void startTransactions(MessageIdGenerator ids) throws IOException, InterruptedException {
        warnOfMetaqJournal(config.dataLogPath().resolve(METAQ_TRANSACTIONS_DIR));
        Path dir = config.dataLogPath().resolve(TRANSACTIONS_DIR);
        journal = TxJournal.open(
                dir,
                new TxJournalConfig(
                        config.flushTxLogAtCommit(),
                        config.checkpointIntervalMs(),
                        config.maxCheckpoints(),
                        TX_JOURNAL_FILE_BYTES),
                io,
                clock);
        transactions = new TransactionManager(
                journal,
                this::openForTransaction,
                ids,
                stats,
                clock,
                config.maxTxTimeoutSeconds(),
                config.maxTxTimeoutTimerCapacity());
        transactions.recover();
    }

    /** The log a committing transaction appends to: the partition as it is, or opened (created) for its topic. */
    private CompletableFuture<PartitionLog> openForTransaction(String topic, int partition) {
        PartitionRegistry partitions = registry;
        CompletableFuture<PartitionEntry> entry = partitions
                .find(topic, partition)
                .map(CompletableFuture::completedFuture)
                .or(() -> partitions.topicConfig(topic).map(t -> partitions.getOrCreateAsync(t, partition)))
                .orElseGet(() -> CompletableFuture.failedFuture(new IllegalStateException(
                        "partition " + topic + "-" + partition + " does not exist and its topic is not accepted")));
        return entry.thenApply(e -> {
            if (e.isOffline()) {
                throw new CompletionException(new IllegalStateException(
                        "partition " + e.topicPartition() + " is offline",
                        e.offlineCause().orElse(null)));
            }
            return e.log();
        });
    }

    /** The background scrub of every partition's sealed segments, unless {@code scrubBytesPerSecond=0}. */
    private void startScrubber() {
        if (config.scrubBytesPerSecond() <= 0) {
            LOG.info("Background scrub off (scrubBytesPerSecond=0)");
            return;
        }
        PartitionRegistry partitions = registry;
        BrokerStats counts = stats;
        scrubber = new LogScrubber(
                () -> partitions.partitions().stream().map(PartitionEntry::log).toList(),
                config.scrubBytesPerSecond(),
                config.scrubIntervalMs(),
                counts::scrubFound);
        scrubber.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void partitionOpened(PartitionEntry entry) {
        if (stopping) {
            return; // the registry closes the log; no flusher, retention or registration is started any more
        }
        PartitionLog log = entry.log();
        if (!log.config().isGroupCommit()) {
            flusher.register(log);
        }
        Optional<TopicConfig> topic = entry.topicConfig();
        String cron = topic.map(TopicConfig::deleteWhen).orElse(config.deleteWhen());
        RetentionPolicy policy = topic.map(TopicConfig::deletePolicy).orElse(config.deletePolicy());
        RetentionScheduler r = retention.computeIfAbsent(cron, c -> {
            RetentionScheduler s = RetentionScheduler.create(c, clock, retentionExecutor);
            if (started) {
                s.start();
            }
            return s;
        });
        r.register(log, policy);
        topic.ifPresent(this::announce);
        log.whenOffline().thenAccept(cause -> partitionOffline(entry, cause));
    }

    /**
     * The log of a partition failed (a write or fsync): the partition is refused to gets and puts and
     * hidden from producers in ZooKeeper until the broker restarts; the page cache is never trusted again
     * after a failed fsync, so nothing reopens it. Runs on the thread that took the log offline, before
     * the waiting puts are answered: short, and ZooKeeper is written by the registrar.
     */
    private void partitionOffline(PartitionEntry entry, StoreException cause) {
        if (stopping || !entry.markOffline(cause)) {
            return; // a close that gave up on a stuck disk: the broker is going anyway
        }
        offlineByTopic
                .computeIfAbsent(entry.topicPartition().topic(), t -> new ConcurrentSkipListSet<>())
                .add(entry.topicPartition().partition());
        Throwable root = cause;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        LOG.error(
                "Partition {} is offline: {}; its gets and puts are refused and producers are no longer told"
                        + " about it (nor about the partitions above it) until the broker restarts",
                entry.topicPartition(),
                root.toString());
        entry.topicConfig().ifPresent(this::announce);
    }

    /**
     * Registers a topic in ZooKeeper, now if the registration is up, else when it comes up: the topic
     * is recorded before the volatile {@code registration} is read, and {@link #registerInZooKeeper}
     * publishes the registration before it registers every recorded topic, so no topic is missed.
     * Registering a topic twice is a no-op.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // a failure goes to the registration's error handler and is repaired
    private void announce(TopicConfig topic) {
        if (!config.zooKeeper().enabled()) {
            return;
        }
        // serialized, so that the registrar receives a topic's registrations in the order they were computed
        synchronized (announceLock) {
            TopicRegistration current = topicRegistration(topic);
            announced.put(topic.topic(), current);
            BrokerRegistration r = registration;
            if (r != null) {
                r.registerTopic(current);
            }
        }
    }

    @SuppressWarnings("FutureReturnValueIgnored") // as in announce: registerTopic reports and repairs its failures
    private void registerInZooKeeper() {
        ZooKeeperConfig zk = config.zooKeeper();
        if (!zk.enabled()) {
            LOG.info("ZooKeeper registration is disabled (zk.zkEnable=false)");
            return;
        }
        BrokerIdentity identity = new BrokerIdentity(
                config.brokerId(), config.hostName(), server.address().getPort());
        BrokerRegistration r = new BrokerRegistration(
                zk,
                identity,
                Long.toString(config.checksumCrc32()),
                topicsToRegister(),
                e -> LOG.warn("ZooKeeper registration problem: {}", e.toString()));
        r.start();
        synchronized (announceLock) {
            registration = r;
            announced.values().forEach(r::registerTopic);
        }
        LOG.info("Registered in ZooKeeper {}{} as {}", zk.connectString(), zk.root(), identity.uri());
    }

    private List<TopicRegistration> topicsToRegister() {
        Map<String, TopicRegistration> topics = new LinkedHashMap<>();
        for (String name : config.configuredTopics()) {
            config.resolve(name).ifPresent(t -> topics.put(name, topicRegistration(t)));
        }
        announced.forEach(topics::putIfAbsent);
        return new ArrayList<>(topics.values());
    }

    /**
     * The registration of a topic: producers are told the partitions below its lowest offline one
     * (MetaQ's registration is a count), consumers all of them.
     */
    private TopicRegistration topicRegistration(TopicConfig t) {
        int published = t.numPartitions();
        ConcurrentSkipListSet<Integer> offline = offlineByTopic.get(t.topic());
        if (offline != null && !offline.isEmpty()) {
            published = Math.min(published, offline.first());
        }
        return new TopicRegistration(t.topic(), t.numPartitions(), t.acceptsPublish(), t.acceptsSubscribe(), published);
    }

    /** The address the protocol server listens on (its actual port when 0 was configured). */
    public InetSocketAddress address() {
        return server.address();
    }

    /** The partitions this broker serves. */
    public PartitionRegistry partitions() {
        return registry;
    }

    public BrokerConfig config() {
        return config;
    }

    /** The transaction manager (once started). */
    public TransactionManager transactions() {
        return transactions;
    }

    /** The ZooKeeper registration, when {@code zk.zkEnable} is on and the broker has started. */
    public Optional<BrokerRegistration> registration() {
        return Optional.ofNullable(registration);
    }

    /**
     * Stops the broker (see the class comment for the order). Idempotent. Must not be called from one
     * of the broker's network threads, whose shutdown it waits for.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true;
        long t0 = System.nanoTime();
        if (server != null) {
            server.stopAccepting();
        }
        closeQuietly("retention", () -> retention.values().forEach(RetentionScheduler::close));
        closeQuietly("scrubber", () -> {
            if (scrubber != null) {
                scrubber.close();
            }
        });
        closeQuietly("flusher", () -> {
            if (flusher != null) {
                flusher.close();
            }
        });
        closeQuietly("retention executor", () -> {
            if (retentionExecutor != null) {
                // no interrupt: an interrupted FileChannel operation would close a shared segment channel
                retentionExecutor.shutdown();
                if (!retentionExecutor.awaitTermination(30, TimeUnit.SECONDS)) {
                    LOG.warn("A retention pass is still running after 30 s; closing the logs anyway");
                }
            }
        });
        closeQuietly("partition logs", () -> {
            if (registry != null) {
                registry.close();
            }
        });
        closeQuietly("transactions", () -> {
            if (transactions != null) {
                transactions.close();
            }
        });
        closeQuietly("transaction journal", () -> {
            if (journal != null) {
                journal.close();
            }
        });
        closeQuietly("ZooKeeper registration", () -> {
            if (registration != null) {
                registration.close();
            }
        });
        closeQuietly("protocol server", () -> {
            if (server != null) {
                server.close();
            }
        });
        closeQuietly("data directory lock", () -> {
            if (lock != null) {
                lock.close();
            }
        });
        LOG.info("Broker {} stopped in {} ms", config.brokerId(), (System.nanoTime() - t0) / 1_000_000);
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void closeQuietly(String what, Step step) {
        try {
            step.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while closing the {}", what);
        } catch (Exception e) {
            LOG.error("Closing the {} failed", what, e);
        }
    }
}
