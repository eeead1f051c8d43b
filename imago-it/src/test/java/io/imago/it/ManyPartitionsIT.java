package io.imago.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

import io.imago.it.harness.BrokerProcess;
import io.imago.it.harness.ClusterExtension;
import io.imago.it.harness.ProcessSampler;
import io.imago.it.harness.PutAck;
import io.imago.it.harness.RawMetaqConnection;
import io.imago.it.harness.Reply;
import io.imago.it.harness.StoredRecord;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13's bar for many partitions on one broker: a topic of {@value #PARTITIONS_PROPERTY}
 * partitions (default 10,000) gets one distinct message in each (pipelined puts over a few raw
 * connections, each acknowledged), the broker is killed with {@code kill -9} and restarted on the same
 * data directory, and from the restart's process start until the broker answers and every message has
 * been read back byte for byte must take at most 10 s. A sampler reads the broker's
 * {@code /proc/<pid>/status} every 50 ms throughout (before and after the restart): at most 300
 * threads in every sample, a peak resident size ({@code VmHWM}) of at most 1.5 GiB.
 *
 * <p>The broker JVM runs with {@code -Xmx1g} (the heap of {@code bench compare}'s brokers). A broker
 * that goes past {@value #ABORT_THREADS} threads is killed at once, so that running this test against
 * a store with threads per partition cannot take the machine's thread budget. The summary line
 * ({@code many-partitions: …}) goes to standard output (the failsafe report).
 */
@Tag("fault")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ManyPartitionsIT {
    static final String PARTITIONS_PROPERTY = "imago.it.manyPartitions";
    static final int PARTITIONS = Integer.getInteger(PARTITIONS_PROPERTY, 10_000);
    static final String TOPIC = "many";
    static final Duration RESTART_AND_READ_BAR = Duration.ofSeconds(10);
    static final int MAX_THREADS = 300;
    static final long MAX_RSS_BYTES = 1536L << 20;
    static final int ABORT_THREADS = 4_000;
    /** Open files the broker needs besides one per partition (jars, sockets, ZooKeeper, epoll). */
    static final int FILES_BESIDES_PARTITIONS = 256;

    static final int CONNECTIONS = 4;
    static final int WINDOW = 256;
    static final Duration SAMPLE_INTERVAL = Duration.ofMillis(50);
    static final Duration PUT_DEADLINE = Duration.ofMinutes(10);
    static final Duration READ_DEADLINE = Duration.ofMinutes(2);
    static final Duration RETRY_PAUSE = Duration.ofMillis(20);

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    @Test
    void everyPartitionIsReadableWithinTenSecondsOfARestartAfterKillNineInFewThreadsAndLittleMemory() throws Exception {
        assertFileLimitSuffices();
        BrokerProcess broker = CLUSTER.cluster()
                .startBroker(CLUSTER.cluster()
                        .broker(0)
                        .maxHeap("1g")
                        .numPartitions(PARTITIONS)
                        .topic(TOPIC, "numPartitions", Integer.toString(PARTITIONS)));
        AtomicLong livePid = new AtomicLong(broker.pid());
        try (ProcessSampler sampler =
                new ProcessSampler(SAMPLE_INTERVAL, 20, ABORT_THREADS, threads -> killPid(livePid.get()))) {
            ProcessSampler.Figures before = sampler.watch(broker.pid());
            sampler.start();

            long putStart = System.nanoTime();
            onConnections(broker.port(), (conn, partitions) -> putEach(conn, partitions, sampler));
            long putNanos = System.nanoTime() - putStart;
            sampler.sampleNow();
            broker.kill();

            long restartStart = System.nanoTime();
            BrokerProcess restarted = CLUSTER.cluster().relaunch(broker);
            livePid.set(restarted.pid());
            ProcessSampler.Figures after = sampler.watch(restarted.pid());
            long acceptNanos = awaitAccepting(restarted) - restartStart;
            AtomicInteger retries = new AtomicInteger();
            onConnections(restarted.port(), (conn, partitions) -> readEach(conn, partitions, retries));
            long readNanos = System.nanoTime() - restartStart;
            sampler.sampleNow();

            Figures run = new Figures(putNanos, acceptNanos, readNanos, retries.get(), before, after);
            System.out.println(run.summary());
            assertThat(sampler.failure()).as("sampling /proc").isNull();
            assertSoftly(bars -> {
                bars.assertThat(Duration.ofNanos(readNanos))
                        .as(
                                "restart until every one of %d messages is read back (the broker accepted "
                                        + "connections after %.2f s)",
                                PARTITIONS, acceptNanos / 1e9)
                        .isLessThanOrEqualTo(RESTART_AND_READ_BAR);
                bars.assertThat(before.maxThreads())
                        .as("broker threads before the kill")
                        .isLessThanOrEqualTo(MAX_THREADS);
                bars.assertThat(after.maxThreads())
                        .as("broker threads after the restart")
                        .isLessThanOrEqualTo(MAX_THREADS);
                bars.assertThat(before.peakRssBytes())
                        .as("broker peak RSS before the kill")
                        .isLessThanOrEqualTo(MAX_RSS_BYTES);
                bars.assertThat(after.peakRssBytes())
                        .as("broker peak RSS after the restart")
                        .isLessThanOrEqualTo(MAX_RSS_BYTES);
            });
        }
    }

    /** What one run measured; {@link #summary()} is the line the test prints. */
    private record Figures(
            long putNanos,
            long acceptNanos,
            long readNanos,
            int retriedGets,
            ProcessSampler.Figures before,
            ProcessSampler.Figures after) {
        String summary() {
            return String.format(
                    Locale.ROOT,
                    "many-partitions: partitions=%d put=%.1fs restart-to-all-read=%.2fs (accepting after %.2fs, "
                            + "%d gets retried) max-threads=%d/%d (before kill/after restart) "
                            + "peak-rss=%d/%d MiB max-fds=%d/%d samples=%d/%d",
                    PARTITIONS,
                    putNanos / 1e9,
                    readNanos / 1e9,
                    acceptNanos / 1e9,
                    retriedGets,
                    before.maxThreads(),
                    after.maxThreads(),
                    before.peakRssBytes() >> 20,
                    after.peakRssBytes() >> 20,
                    before.maxFds(),
                    after.maxFds(),
                    before.samples(),
                    after.samples());
        }
    }

    /** One put per partition, {@link #WINDOW} in flight; each must be acknowledged at offset 0 of its partition. */
    private static void putEach(RawMetaqConnection conn, List<Integer> partitions, ProcessSampler sampler)
            throws IOException {
        Deque<Integer> toSend = new ArrayDeque<>(partitions);
        Map<Integer, Integer> inFlight = new HashMap<>();
        while (!toSend.isEmpty() || !inFlight.isEmpty()) {
            while (!toSend.isEmpty() && inFlight.size() < WINDOW) {
                int p = toSend.poll();
                inFlight.put(conn.sendPut(TOPIC, p, payload(p), 0), p);
            }
            Reply reply;
            try {
                reply = conn.read(Duration.ofSeconds(60));
            } catch (IOException e) {
                if (sampler.aborted()) {
                    throw new AssertionError(
                            "the broker went past " + ABORT_THREADS + " threads with " + PARTITIONS
                                    + " partitions and was killed (bar: " + MAX_THREADS + ")",
                            e);
                }
                throw e;
            }
            Integer p = inFlight.remove(reply.opaque());
            assertThat(p).as("partition of the put answered by %s", reply).isNotNull();
            PutAck ack = PutAck.of(reply);
            assertThat(ack.partition()).as("partition in %s", reply).isEqualTo(p);
            assertThat(ack.offset())
                    .as("offset of the first put to partition %d", p)
                    .isZero();
        }
    }

    /**
     * Reads offset 0 of each partition, {@link #WINDOW} gets in flight, until each has given back its
     * message byte for byte; a partition answered with anything but a {@code value} is asked again
     * (after {@link #RETRY_PAUSE}, counted in {@code retries}) until {@link #READ_DEADLINE}.
     */
    private static void readEach(RawMetaqConnection conn, List<Integer> partitions, AtomicInteger retries)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READ_DEADLINE.toNanos();
        Deque<Integer> toSend = new ArrayDeque<>(partitions);
        List<Integer> again = new ArrayList<>();
        Map<Integer, Integer> inFlight = new HashMap<>();
        while (!toSend.isEmpty() || !inFlight.isEmpty() || !again.isEmpty()) {
            if (toSend.isEmpty() && inFlight.isEmpty()) {
                assertThat(System.nanoTime())
                        .as("partitions still unread: %s", again)
                        .isLessThan(deadline);
                TimeUnit.NANOSECONDS.sleep(RETRY_PAUSE.toNanos());
                toSend.addAll(again);
                again.clear();
            }
            while (!toSend.isEmpty() && inFlight.size() < WINDOW) {
                int p = toSend.poll();
                inFlight.put(conn.send("get " + TOPIC + " it-group " + p + " 0 4096"), p);
            }
            Reply reply = conn.read(Duration.ofSeconds(60));
            Integer p = inFlight.remove(reply.opaque());
            assertThat(p).as("partition of the get answered by %s", reply).isNotNull();
            if (!reply.isValue()) {
                retries.incrementAndGet();
                again.add(p);
                continue;
            }
            StoredRecord.MessageSet set = StoredRecord.parse(reply.body());
            assertThat(set.records())
                    .as("records at offset 0 of partition %d", p)
                    .hasSize(1);
            StoredRecord record = set.records().get(0);
            assertThat(record.checksumValid())
                    .as("CRC of partition %d's record", p)
                    .isTrue();
            assertThat(record.payload()).as("payload of partition %d", p).isEqualTo(payload(p));
        }
    }

    /** What one connection does with its share of the partitions. */
    @FunctionalInterface
    private interface ConnectionWork {
        void run(RawMetaqConnection conn, List<Integer> partitions) throws Exception;
    }

    /**
     * Splits the partitions over {@link #CONNECTIONS} connections (partition {@code p} on connection
     * {@code p % CONNECTIONS}), each driven by a thread of its own; returns when all are done and
     * rethrows the first failure.
     */
    private static void onConnections(int port, ConnectionWork work) throws Exception {
        List<List<Integer>> shares = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            shares.add(new ArrayList<>());
        }
        for (int p = 0; p < PARTITIONS; p++) {
            shares.get(p % CONNECTIONS).add(p);
        }
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (List<Integer> share : shares) {
                done.add(pool.submit(() -> {
                    try (RawMetaqConnection conn = RawMetaqConnection.open(port)) {
                        work.run(conn, share);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(PUT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err; // an assertion of a connection's thread
            }
            throw e.getCause() instanceof Exception ex ? ex : e;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    /** Waits until the broker accepts a connection; returns the {@link System#nanoTime()} it did. */
    private static long awaitAccepting(BrokerProcess broker) throws Exception {
        long deadline = System.nanoTime() + READ_DEADLINE.toNanos();
        while (true) {
            try {
                RawMetaqConnection.open(broker.port()).close();
                return System.nanoTime();
            } catch (ConnectException notYet) {
                assertThat(broker.isAlive())
                        .as("restarted broker alive; log:\n%s", broker.logTail(40))
                        .isTrue();
                assertThat(System.nanoTime()).as("broker accepting connections").isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }
    }

    /** Fails, naming the limit, when the broker could not hold one open file per partition. */
    private static void assertFileLimitSuffices() throws IOException {
        long needed = (long) PARTITIONS + FILES_BESIDES_PARTITIONS;
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String[] t = line.substring("Max open files".length()).trim().split("\\s+");
                long soft = t[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(t[0]);
                assertThat(soft)
                        .as(
                                "open files for %d partitions: the broker (a child of this JVM) needs about %d, one "
                                        + "segment file per partition; this JVM's limit is %s (soft) / %s (hard): raise it "
                                        + "(ulimit -n, prlimit --nofile) or lower -D%s",
                                PARTITIONS, needed, t[0], t[1], PARTITIONS_PROPERTY)
                        .isGreaterThanOrEqualTo(needed);
            }
        }
    }

    private static void killPid(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** A distinct payload per partition, 40 to 140 bytes. */
    static byte[] payload(int partition) {
        StringBuilder sb =
                new StringBuilder("many-partitions p=").append(partition).append(' ');
        int extra = 20 + (partition * 7919) % 100;
        for (int i = 0; i < extra; i++) {
            sb.append((char) ('a' + (partition + i) % 26));
        }
        return sb.toString().getBytes(UTF_8);
    }
}
