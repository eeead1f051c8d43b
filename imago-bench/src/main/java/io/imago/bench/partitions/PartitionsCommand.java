package io.imago.bench.partitions;

import io.imago.bench.compare.ChildProcess;
import io.imago.bench.compare.ImagoPeer;
import io.imago.bench.compare.Machine;
import io.imago.bench.compare.PeerEnv;
import io.imago.bench.load.DurationConverter;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench partitions}: many partitions on one broker (issue 13's last two bars). Starts an Imago
 * broker process (group commit, with its own ZooKeeper, as {@code bench compare} does) with one topic of
 * {@code --count} partitions, puts one distinct message into each (pipelined over a few connections,
 * each put acknowledged), optionally kills the broker with {@code kill -9} and restarts it on the same
 * data directory, then reads every message back byte for byte. A watcher samples the broker's
 * {@code /proc/<pid>/status} ({@code Threads}, {@code VmRSS}, {@code VmHWM}) every
 * {@code --sample-interval}, and kills a broker that goes past {@code --abort-threads} threads. Progress
 * lines go to standard error, the result line to standard output. Not thread-safe.
 */
@Command(
        name = "partitions",
        mixinStandardHelpOptions = true,
        description = {
            "Many partitions on one broker: a topic of --count partitions, one message put into each, "
                    + "optionally kill -9 and restart (--kill), then every message read back byte for byte.",
            "Prints the time to put, the time from the restart to the last message read, the broker's most "
                    + "threads, peak resident memory (VmHWM) and most open files, before and after the restart.",
            "Logs of the broker and its ZooKeeper go to DATA-DIR/logs."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every message put and read back", "1:the run failed", "2:bad options or limits"})
public final class PartitionsCommand implements Callable<Integer> {
    /** The topic every partition belongs to. */
    public static final String TOPIC = "partitions";
    /** Open files a broker needs besides one per partition (jars, sockets, ZooKeeper, epoll; measured 30–110). */
    static final int FILES_BESIDES_PARTITIONS = 256;

    /** Each phase (put, restart, read) may take this long, plus {@link #DEADLINE_PER_PARTITION} per partition. */
    private static final Duration DEADLINE = Duration.ofMinutes(10);

    private static final Duration DEADLINE_PER_PARTITION = Duration.ofMillis(20);
    private static final int FD_COUNT_EVERY = 20;

    @Option(
            names = "--count",
            defaultValue = "10000",
            paramLabel = "N",
            description = "partitions of the topic (default: ${DEFAULT-VALUE})")
    int count;

    @Option(
            names = "--kill",
            description = "after the puts, kill the broker with SIGKILL and restart it on the same data; "
                    + "the read-back is timed from the restart (default: read back from the running broker)")
    boolean kill;

    @Option(
            names = "--heap",
            defaultValue = "1g",
            paramLabel = "SIZE",
            description = "the broker JVM's heap, -Xms and -Xmx, as in bench compare (default: ${DEFAULT-VALUE})")
    String heap;

    @Option(
            names = "--data-dir",
            defaultValue = "imago-bench-data/partitions",
            paramLabel = "DIR",
            description = "where the broker's data (DIR/work, replaced, deleted at the end unless --keep-data) "
                    + "and the logs (DIR/logs) go (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--keep-data", description = "keep DIR/work after the run")
    boolean keepData;

    @Option(
            names = "--connections",
            defaultValue = "4",
            paramLabel = "C",
            description = "connections the puts and gets are spread over (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(
            names = "--window",
            defaultValue = "256",
            paramLabel = "W",
            description = "requests in flight per connection (default: ${DEFAULT-VALUE})")
    int window;

    @Option(
            names = "--size",
            defaultValue = "100",
            paramLabel = "B",
            description =
                    "payload bytes per message (at least the partition's number fits) (default: ${DEFAULT-VALUE})")
    int size;

    @Option(
            names = "--abort-threads",
            defaultValue = "4000",
            paramLabel = "T",
            description = "kill the broker if it runs more threads than this, to spare the machine "
                    + "(default: ${DEFAULT-VALUE})")
    int abortThreads;

    @Option(
            names = "--sample-interval",
            defaultValue = "50ms",
            paramLabel = "D",
            converter = DurationConverter.class,
            description = "how often the broker's threads and memory are sampled (default: ${DEFAULT-VALUE})")
    Duration sampleInterval;

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    /** The broker process the abort action kills (the watcher's thread reads it). */
    private volatile long brokerPid;

    @Override
    public Integer call() throws Exception {
        checkOptions();
        checkFileLimit();
        Path data = dataDir.toAbsolutePath();
        Path work = data.resolve("work");
        Path logs = data.resolve("logs");
        deleteTree(work);
        deleteTree(logs);
        Files.createDirectories(logs);
        err.println("bench partitions: " + count + " partitions" + (kill ? ", kill -9 and restart" : "") + "; machine: "
                + Machine.describe(data) + "; logs in " + logs);
        ImagoPeer peer = new ImagoPeer("partitions");
        try (ProcessWatch watch = new ProcessWatch(sampleInterval, FD_COUNT_EVERY, abortThreads, this::abort)) {
            PeerEnv env = new PeerEnv(
                    work, logs, ChildProcess.thisJava(), List.of("-Xms" + heap, "-Xmx" + heap), TOPIC, count, Map.of());
            long t0 = System.nanoTime();
            peer.start(env);
            err.printf(Locale.ROOT, "broker started in %.1f s (pid %d)%n", seconds(t0), peer.brokerPid());
            brokerPid = peer.brokerPid();
            out.println(run(peer, watch).line());
            return 0;
        } finally {
            peer.close();
            if (!keepData) {
                deleteTree(work);
            }
        }
    }

    private PartitionsResult run(ImagoPeer peer, ProcessWatch watch) throws Exception {
        PartitionsLoad load = new PartitionsLoad(TOPIC, count, connections, window, size);
        ProcessWatch.Figures before = watch.watch(peer.brokerPid());
        watch.start();
        AtomicInteger acked = new AtomicInteger();
        long putStart = System.nanoTime();
        withProgress("put", acked::get, before, putStart, () -> load.putAll(peer.port(), acked, deadline()), watch);
        double putSeconds = seconds(putStart);
        err.printf(Locale.ROOT, "put %,d messages in %.2f s%n", count, putSeconds);

        ProcessWatch.Figures after = before;
        long readStart = System.nanoTime();
        double acceptSeconds = 0;
        if (kill) {
            watch.sampleNow();
            peer.killBroker();
            readStart = System.nanoTime();
            peer.relaunchBroker();
            brokerPid = peer.brokerPid();
            after = watch.watch(peer.brokerPid());
            awaitAccepting(peer, deadline());
            acceptSeconds = seconds(readStart);
            err.printf(Locale.ROOT, "killed and restarted: accepting connections after %.2f s%n", acceptSeconds);
        }
        AtomicInteger read = new AtomicInteger();
        AtomicInteger retried = new AtomicInteger();
        withProgress(
                "read", read::get, after, readStart, () -> load.readAll(peer.port(), read, retried, deadline()), watch);
        double readSeconds = seconds(readStart);
        watch.sampleNow();
        if (watch.failure() != null) {
            throw new IOException("sampling /proc/" + peer.brokerPid() + " failed", watch.failure());
        }
        return new PartitionsResult(
                count, kill, putSeconds, acceptSeconds, readSeconds, retried.get(), before, after, heap);
    }

    /** A task of the load, with a progress line on standard error every second. */
    private void withProgress(
            String what, IntSupplier done, ProcessWatch.Figures figures, long start, LoadTask task, ProcessWatch watch)
            throws Exception {
        Thread progress = new Thread(
                () -> {
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            TimeUnit.SECONDS.sleep(1);
                            err.printf(
                                    Locale.ROOT,
                                    "%s: %,d/%,d after %.1f s; broker threads %d, RSS %d MiB%n",
                                    what,
                                    done.getAsInt(),
                                    count,
                                    seconds(start),
                                    figures.lastThreads(),
                                    figures.lastRssBytes() >> 20);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "bench-partitions-progress");
        progress.setDaemon(true);
        progress.start();
        try {
            task.run();
        } catch (IOException e) {
            if (watch.aborted()) {
                throw new IOException(
                        "the broker went past --abort-threads " + abortThreads + " threads (" + what + " "
                                + done.getAsInt() + " of " + count + " partitions) and was killed",
                        e);
            }
            throw e;
        } finally {
            progress.interrupt();
            progress.join();
        }
    }

    /** A phase of the load. */
    @FunctionalInterface
    private interface LoadTask {
        void run() throws Exception;
    }

    private void abort(long threads) {
        err.printf(
                Locale.ROOT,
                "broker runs %d threads, more than --abort-threads %d: killing it%n",
                threads,
                abortThreads);
        ProcessHandle.of(brokerPid).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** How long one phase may take: {@link #DEADLINE} plus {@link #DEADLINE_PER_PARTITION} for each partition. */
    private Duration deadline() {
        return DEADLINE.plus(DEADLINE_PER_PARTITION.multipliedBy(count));
    }

    private static void awaitAccepting(ImagoPeer peer, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", peer.port()), 1_000);
                return;
            } catch (ConnectException notYet) {
                peer.checkBrokerAlive();
                if (System.nanoTime() > deadline) {
                    throw new IOException("the restarted broker did not accept connections within " + timeout);
                }
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }
    }

    private void checkOptions() {
        if (count < 1 || connections < 1 || window < 1 || size < 1 || abortThreads < 1) {
            throw new IllegalArgumentException(
                    "--count, --connections, --window, --size and --abort-threads must be at least 1");
        }
        if (sampleInterval.isZero() || sampleInterval.isNegative()) {
            throw new IllegalArgumentException("--sample-interval must be positive: " + sampleInterval);
        }
    }

    /**
     * The broker, a child of this JVM, inherits its open-file limit (which the JVM raised to the hard
     * limit at start); it needs one open segment file per partition.
     */
    private void checkFileLimit() throws IOException {
        long needed = (long) count + FILES_BESIDES_PARTITIONS;
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String[] t = line.substring("Max open files".length()).trim().split("\\s+");
                long soft = t[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(t[0]);
                if (soft < needed) {
                    throw new IllegalArgumentException(String.format(
                            Locale.ROOT,
                            "%,d partitions need about %,d open files (one segment file each); the limit here is "
                                    + "%s (soft) / %s (hard): raise it (ulimit -n; above the hard limit, with "
                                    + "CAP_SYS_RESOURCE: prlimit --nofile=%d:%d bin/imago bench partitions ...)",
                            count,
                            needed,
                            t[0],
                            t[1],
                            needed,
                            needed));
                }
            }
        }
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
