package io.imago.bench.load;

import io.imago.protocol.zk.ZnodeDescriptor;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options every load command shares ({@code bench produce|consume|e2e}), in the manner of Kafka's
 * perf tools. A picocli mixin; plain fields so targets can read them. Not thread-safe (set once, then read).
 */
public final class LoadOptions {
    /** Which system the load goes to. */
    public enum Target {
        imago,
        kafka
    }

    /** {@code sync}: each thread waits for every acknowledgement; {@code async}: a bounded window in flight. */
    public enum Mode {
        sync,
        async
    }

    @Option(names = "--target", defaultValue = "imago", paramLabel = "SYSTEM", description = "imago (default) or kafka")
    public Target target = Target.imago;

    @Option(
            names = "--zk",
            defaultValue = "127.0.0.1:2181",
            paramLabel = "HOST:PORT",
            description = "Imago: the ZooKeeper that lists the brokers (default: ${DEFAULT-VALUE})")
    public String zkConnect = "127.0.0.1:2181";

    @Option(
            names = "--zk-root",
            defaultValue = ZnodeDescriptor.DEFAULT_ROOT,
            paramLabel = "PATH",
            description = "Imago: the ZooKeeper root (default: ${DEFAULT-VALUE})")
    public String zkRoot = ZnodeDescriptor.DEFAULT_ROOT;

    @Option(
            names = "--broker",
            paramLabel = "HOST:PORT",
            description = "Imago: talk to this broker directly instead of finding brokers through ZooKeeper "
                    + "(for a topic no broker registers yet, e.g. on a fresh standalone server)")
    public String broker;

    @Option(
            names = "--bootstrap",
            defaultValue = "127.0.0.1:9092",
            paramLabel = "HOST:PORT",
            description = "Kafka: bootstrap servers (default: ${DEFAULT-VALUE})")
    public String bootstrap = "127.0.0.1:9092";

    @Option(names = "--topic", defaultValue = "bench", paramLabel = "TOPIC", description = "default: ${DEFAULT-VALUE}")
    public String topic = "bench";

    @Option(
            names = "--messages",
            paramLabel = "N",
            description = "stop after N records (sent, or received); default: run for --duration")
    public Long messages;

    @Option(
            names = "--duration",
            defaultValue = "10s",
            paramLabel = "D",
            description = "how long to run when --messages is not given, e.g. 30s, 2m (default: ${DEFAULT-VALUE})",
            converter = DurationConverter.class)
    public Duration duration = Duration.ofSeconds(10);

    @Option(
            names = "--warmup",
            defaultValue = "0s",
            paramLabel = "D",
            converter = DurationConverter.class,
            description = "produce and e2e: send at the same rate for this long first, unmeasured, so JIT "
                    + "compilation and connection set-up are not counted (default: ${DEFAULT-VALUE})")
    public Duration warmup = Duration.ZERO;

    @Option(
            names = "--size",
            defaultValue = "100",
            paramLabel = "BYTES",
            description = "payload size of each record (default: ${DEFAULT-VALUE})")
    public int size = 100;

    @Option(
            names = "--threads",
            defaultValue = "1",
            paramLabel = "T",
            description = "sending threads sharing one producer (default: ${DEFAULT-VALUE})")
    public int threads = 1;

    @Option(
            names = "--partitions",
            defaultValue = "4",
            paramLabel = "P",
            description = "partitions of the topic when the tool creates it (Kafka) (default: ${DEFAULT-VALUE})")
    public int partitions = 4;

    @Option(
            names = "--mode",
            defaultValue = "async",
            paramLabel = "MODE",
            description = "sync (wait for each acknowledgement) or async (pipelined, at most --window in flight "
                    + "per thread) (default: ${DEFAULT-VALUE})")
    public Mode mode = Mode.async;

    @Option(
            names = "--window",
            defaultValue = "10000",
            paramLabel = "W",
            description = "async: records in flight per thread (default: ${DEFAULT-VALUE})")
    public int window = 10_000;

    @Option(
            names = "--rate",
            defaultValue = "0",
            paramLabel = "R",
            description =
                    "offered load in records/s over all threads; 0 = as fast as possible (default: ${DEFAULT-VALUE})")
    public long rate;

    @Option(
            names = "--group",
            paramLabel = "G",
            description = "consumer group (default: a fresh one per run, so every run reads from the start)")
    public String group;

    @Option(
            names = "--report-interval",
            defaultValue = "5s",
            paramLabel = "D",
            converter = DurationConverter.class,
            description = "a progress line on standard error this often; 0 = none (default: ${DEFAULT-VALUE})")
    public Duration reportInterval = Duration.ofSeconds(5);

    @Option(names = "--json", description = "print the result as one JSON line (RESULT {...}) instead of prose")
    public boolean json;

    @Option(names = "--label", defaultValue = "", paramLabel = "TEXT", description = "a label carried into the result")
    public String label = "";

    /** Checks the values against each other; throws {@link IllegalArgumentException} naming the option. */
    public void validate() {
        if (size < 8) {
            throw new IllegalArgumentException(
                    "--size must be at least 8 (the send time rides in the payload): " + size);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1: " + threads);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1: " + partitions);
        }
        if (window < 1) {
            throw new IllegalArgumentException("--window must be at least 1: " + window);
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must not be negative: " + rate);
        }
        if (messages != null && messages < 1) {
            throw new IllegalArgumentException("--messages must be at least 1: " + messages);
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must not be negative: " + warmup);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("--duration must be positive: " + duration);
        }
    }
}
