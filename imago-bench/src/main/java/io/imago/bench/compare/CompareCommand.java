package io.imago.bench.compare;

import io.imago.bench.load.LoadResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench compare}: starts each system on 127.0.0.1 in turn — Imago in group commit, Imago with
 * {@code unflushThreshold=1000}, Kafka (KRaft, one node), the original MetaQ 1.4.6.2 broker — with
 * the same data disk and broker heap, runs the workloads W1–W5 against each ({@code --runs} times),
 * and prints one table of medians with the ratio Imago/peer and whether each bar holds. Every load
 * driver runs in its own JVM; so does every broker and ZooKeeper. Not thread-safe.
 */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the workloads W1-W5 against Imago, Kafka and the original MetaQ broker, one system "
                    + "after another on this machine, and prints a table of medians with the ratio Imago/peer.",
            "W1 drop-in: the original MetaQ client, sync sends of 100 B from 8 threads (vs the original broker, "
                    + "both in group commit). W2 throughput: async sends of 100 B and of 1 KiB from one producer to "
                    + "4 partitions (vs Kafka acks=1). W3 fetch: consume 2 million 100 B records from the start. "
                    + "W4 latency: 10,000 records/s for 30 s end to end, p99. W5 footprint: the broker's peak RSS "
                    + "during W2. W6 transactions: 8 threads, each running transactions of 10 records of 100 B sent "
                    + "synchronously and a commit (Imago: its own client's local transactions, and the original client's "
                    + "as 'W6 drop-in'; MetaQ: the original client; Kafka: a transactional producer per thread).",
            "Logs of every process go to DATA-DIR/logs."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the table was printed (whether or not every bar holds)",
            "1:a system or a run failed",
            "2:bad options"
        })
public final class CompareCommand implements Callable<Integer> {
    /** The systems, in the order they run. */
    enum SystemName {
        metaq,
        imago,
        imago_unflush,
        kafka
    }

    @Option(
            names = "--data-dir",
            defaultValue = "imago-bench-data",
            paramLabel = "DIR",
            description = "the data disk every system writes to, and the logs (default: ${DEFAULT-VALUE}); "
                    + "its contents are replaced")
    Path dataDir;

    @Option(
            names = "--runs",
            defaultValue = "3",
            paramLabel = "N",
            description = "runs of each workload (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(
            names = "--heap",
            defaultValue = "1g",
            paramLabel = "SIZE",
            description = "heap of every broker JVM, -Xms and -Xmx (default: ${DEFAULT-VALUE})")
    String heap;

    @Option(
            names = "--systems",
            split = ",",
            paramLabel = "S",
            defaultValue = "metaq,imago,imago_unflush,kafka",
            description = "which systems to run (default: ${DEFAULT-VALUE})")
    List<SystemName> systems;

    @Option(
            names = "--workloads",
            split = ",",
            paramLabel = "W",
            defaultValue = "W1,W2,W3,W4,W5,W6",
            description = "which workloads to run (default: ${DEFAULT-VALUE})")
    List<String> workloads;

    @Option(
            names = "--w1-duration",
            defaultValue = "20s",
            paramLabel = "D",
            converter = io.imago.bench.load.DurationConverter.class,
            description = "default: ${DEFAULT-VALUE}")
    Duration w1Duration;

    @Option(
            names = "--w2-duration",
            defaultValue = "10s",
            paramLabel = "D",
            converter = io.imago.bench.load.DurationConverter.class,
            description = "default: ${DEFAULT-VALUE}")
    Duration w2Duration;

    @Option(
            names = "--warmup",
            defaultValue = "5s",
            paramLabel = "D",
            converter = io.imago.bench.load.DurationConverter.class,
            description = "W2 and W4: unmeasured sending before each run, the same for every system "
                    + "(default: ${DEFAULT-VALUE})")
    Duration warmup;

    @Option(
            names = "--w3-records",
            defaultValue = "2000000",
            paramLabel = "N",
            description = "default: ${DEFAULT-VALUE}")
    long w3Records;

    @Option(
            names = "--w4-duration",
            defaultValue = "30s",
            paramLabel = "D",
            converter = io.imago.bench.load.DurationConverter.class,
            description = "default: ${DEFAULT-VALUE}")
    Duration w4Duration;

    @Option(names = "--w4-rate", defaultValue = "10000", paramLabel = "R", description = "default: ${DEFAULT-VALUE}")
    long w4Rate;

    @Option(
            names = "--w6-duration",
            defaultValue = "20s",
            paramLabel = "D",
            converter = io.imago.bench.load.DurationConverter.class,
            description = "default: ${DEFAULT-VALUE}")
    Duration w6Duration;

    @Option(names = "--markdown", paramLabel = "FILE", description = "also write the report (markdown) to FILE")
    Path markdown;

    private static final int PARTITIONS = 4;
    private static final String W1_TOPIC = "w1";
    /** W1 again, on a topic of one partition: every sender's put goes to the same partition. */
    private static final String W1_ONE_TOPIC = "w1one";

    private static final String W2_TOPIC = "w2-";
    /** W6 uses the W1 topic (4 partitions, declared on every system). */
    private static final String W6_TOPIC = W1_TOPIC;

    private static final int W6_THREADS = 8;
    private static final int W6_TX_SIZE = 10;
    private static final int W6_SIZE = 100;
    private static final String W4_TOPIC = "w4";
    private final PrintStream out = System.out;
    private final CompareResults results = new CompareResults();
    private Path logs;

    @Override
    public Integer call() throws Exception {
        if (runs < 1) {
            throw new IllegalArgumentException("--runs must be at least 1: " + runs);
        }
        Path data = dataDir.toAbsolutePath();
        Files.createDirectories(data);
        logs = data.resolve("logs");
        deleteTree(logs);
        Files.createDirectories(logs);
        Instant started = Instant.now();
        out.println("bench compare: " + systems + " x " + workloads + ", " + runs + " runs each; logs in " + logs);
        out.println("machine: " + Machine.describe(data));
        for (SystemName system : systems) {
            runSystem(system, data);
        }
        String report = report(data, Duration.between(started, Instant.now()));
        out.println();
        out.println(report);
        if (markdown != null) {
            Files.writeString(markdown, report, StandardCharsets.UTF_8);
            out.println("report written to " + markdown.toAbsolutePath());
        }
        return 0;
    }

    private void runSystem(SystemName system, Path data) throws Exception {
        Path work = data.resolve(system.name());
        deleteTree(work);
        // each peer gets only its own settings (MetaqPeer and KafkaPeer pass theirs to the broker verbatim)
        Map<String, String> settings = new LinkedHashMap<>();
        if (system == SystemName.imago || system == SystemName.imago_unflush) {
            settings.put(ImagoPeer.TOPICS, W2_TOPIC + "100," + W2_TOPIC + "1024," + W4_TOPIC);
        }
        if (system == SystemName.imago_unflush) {
            settings.put("unflushThreshold", "1000");
        }
        if (system == SystemName.metaq || system == SystemName.imago) {
            settings.put(PeerEnv.ONE_PARTITION_TOPICS, W1_ONE_TOPIC);
        }
        PeerEnv env = new PeerEnv(
                work, logs, javaBin(), List.of("-Xms" + heap, "-Xmx" + heap), W1_TOPIC, PARTITIONS, settings);
        out.printf(Locale.ROOT, "%n== %s: starting%n", label(system));
        try (Peer peer = peer(system)) {
            long t0 = System.nanoTime();
            peer.start(env);
            out.printf(
                    Locale.ROOT,
                    "%s started in %.1f s (broker pid %d)%n",
                    label(system),
                    (System.nanoTime() - t0) / 1e9,
                    peer.brokerPid());
            if (wants("W1") && system != SystemName.kafka && system != SystemName.imago_unflush) {
                for (int r = 1; r <= runs; r++) {
                    Path log = logs.resolve(system + "-w1-run" + r + ".log");
                    announce("W1", system, r);
                    LoadResult result = OriginalClientLoad.produceSync(
                            peer.zkConnect(), W1_TOPIC, 8, w1Duration, 100, work.resolve("w1-driver"), log);
                    record("W1", system, result);
                    Path oneLog = logs.resolve(system + "-w1one-run" + r + ".log");
                    announce("W1 1 partition", system, r);
                    LoadResult one = OriginalClientLoad.produceSync(
                            peer.zkConnect(), W1_ONE_TOPIC, 8, w1Duration, 100, work.resolve("w1one-driver"), oneLog);
                    record("W1 1 partition", system, one);
                }
            }
            if (wants("W6") && (system == SystemName.metaq || system == SystemName.imago)) {
                for (int r = 1; r <= runs; r++) {
                    String workload = system == SystemName.metaq ? "W6" : "W6 drop-in";
                    announce(workload, system, r);
                    LoadResult result = OriginalClientLoad.produceTransactions(
                            peer.zkConnect(),
                            W6_TOPIC,
                            W6_THREADS,
                            w6Duration,
                            W6_SIZE,
                            W6_TX_SIZE,
                            work.resolve("w6-driver"),
                            logs.resolve(system + "-w6-original-client-run" + r + ".log"));
                    record(workload, system, result);
                    if (system == SystemName.metaq) {
                        results.add("W6 drop-in", system, result); // the original client on its own broker
                    }
                }
            }
            if (system == SystemName.metaq) {
                return;
            }
            if (wants("W2") || wants("W5") || wants("W3")) {
                for (int size : new int[] {100, 1024}) {
                    for (int r = 1; r <= runs; r++) {
                        announce("W2 " + size + " B", system, r);
                        record(
                                "W2 " + size + " B",
                                system,
                                driver(
                                        peer,
                                        system + "-w2-" + size + "-run" + r,
                                        "produce",
                                        "--topic",
                                        W2_TOPIC + size,
                                        "--size",
                                        Integer.toString(size),
                                        "--threads",
                                        "1",
                                        "--mode",
                                        "async",
                                        "--partitions",
                                        Integer.toString(PARTITIONS),
                                        "--duration",
                                        w2Duration.toSeconds() + "s",
                                        "--warmup",
                                        warmup.toSeconds() + "s"));
                    }
                }
                double rss = Machine.peakRssMiB(peer.brokerPid());
                results.peakRss(system, rss);
                out.printf(Locale.ROOT, "W5 %s: peak RSS of the broker after W2 %.0f MiB%n", label(system), rss);
            }
            if (wants("W3")) {
                long have = results.records("W2 100 B", system);
                if (have < w3Records) {
                    out.printf(
                            Locale.ROOT,
                            "W3 %s: topping the topic up with %,d records%n",
                            label(system),
                            w3Records - have);
                    driver(
                            peer,
                            system + "-w3-fill",
                            "produce",
                            "--topic",
                            W2_TOPIC + 100,
                            "--size",
                            "100",
                            "--messages",
                            Long.toString(w3Records - have),
                            "--partitions",
                            Integer.toString(PARTITIONS));
                }
                for (int r = 1; r <= runs; r++) {
                    announce("W3", system, r);
                    record(
                            "W3",
                            system,
                            driver(
                                    peer,
                                    system + "-w3-run" + r,
                                    "consume",
                                    "--topic",
                                    W2_TOPIC + 100,
                                    "--size",
                                    "100",
                                    "--messages",
                                    Long.toString(w3Records),
                                    "--partitions",
                                    Integer.toString(PARTITIONS)));
                }
            }
            if (wants("W4")) {
                for (int r = 1; r <= runs; r++) {
                    announce("W4", system, r);
                    record(
                            "W4",
                            system,
                            driver(
                                    peer,
                                    system + "-w4-run" + r,
                                    "e2e",
                                    "--topic",
                                    W4_TOPIC,
                                    "--size",
                                    "100",
                                    "--rate",
                                    Long.toString(w4Rate),
                                    "--threads",
                                    "1",
                                    "--duration",
                                    w4Duration.toSeconds() + "s",
                                    "--partitions",
                                    Integer.toString(PARTITIONS),
                                    "--warmup",
                                    warmup.toSeconds() + "s"));
                }
            }
            if (wants("W6")) {
                for (int r = 1; r <= runs; r++) {
                    announce("W6", system, r);
                    record(
                            "W6",
                            system,
                            driver(
                                    peer,
                                    system + "-w6-run" + r,
                                    "transactions",
                                    "--topic",
                                    W6_TOPIC,
                                    "--size",
                                    Integer.toString(W6_SIZE),
                                    "--threads",
                                    Integer.toString(W6_THREADS),
                                    "--tx-size",
                                    Integer.toString(W6_TX_SIZE),
                                    "--duration",
                                    w6Duration.toSeconds() + "s",
                                    "--warmup",
                                    warmup.toSeconds() + "s",
                                    "--partitions",
                                    Integer.toString(PARTITIONS)));
                }
            }
        } finally {
            deleteTree(work);
        }
    }

    private static Peer peer(SystemName system) {
        return switch (system) {
            case metaq -> new MetaqPeer();
            case imago -> new ImagoPeer("imago");
            case imago_unflush -> new ImagoPeer("imago-unflush");
            case kafka -> new KafkaPeer();
        };
    }

    private boolean wants(String workload) {
        return workloads.contains(workload);
    }

    private void announce(String workload, SystemName system, int run) {
        out.printf(Locale.ROOT, "%s on %s, run %d of %d ... ", workload, label(system), run, runs);
        out.flush();
    }

    private void record(String workload, SystemName system, LoadResult result) {
        results.add(workload, system, result);
        out.println(result.summary());
    }

    /** Runs {@code bench <shape> --json …} against the peer in a child JVM and returns its result. */
    private LoadResult driver(Peer peer, String name, String shape, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                javaBin().toString(),
                "-Xms1g",
                "-Xmx1g",
                "-cp",
                SelfClasspath.absolute(),
                io.imago.bench.BenchCli.class.getName(),
                shape));
        cmd.addAll(peer.loadArgs());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--json", "--report-interval", "5s"));
        Path log = logs.resolve(name + ".log");
        try (ChildProcess p = ChildProcess.start(name, cmd, logs, Map.of(), log)) {
            int code = p.waitFor(Duration.ofMinutes(10));
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith(LoadResult.LINE_PREFIX)) {
                    return LoadResult.fromJson(lines.get(i).substring(LoadResult.LINE_PREFIX.length()));
                }
            }
            throw new IllegalStateException(
                    name + " (exit code " + code + ") printed no result; last lines of " + log + ":\n" + p.tail(40));
        }
    }

    private static Path javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    private static String label(SystemName system) {
        return switch (system) {
            case metaq -> "MetaQ 1.4.6.2";
            case imago -> "Imago (group commit)";
            case imago_unflush -> "Imago (unflushThreshold=1000)";
            case kafka -> "Kafka 4.1.1 (acks=1)";
        };
    }

    /** The markdown report: the machine, then one row per workload with medians, ratios and bars. */
    String report(Path data, Duration took) {
        return results.markdown(Machine.describe(data), heap, runs, w3Records, w4Rate, took);
    }

    /** Deletes {@code dir} and everything in it, if it exists. */
    static void deleteTree(Path dir) throws IOException {
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
