package io.imago.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.bench.kafka.KafkaTargets;
import io.imago.bench.load.LoadOptions;
import io.imago.bench.load.LoadResult;
import io.imago.bench.load.LoadRunner;
import io.imago.bench.load.TransactionRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * Starts a one-node Kafka with {@link KafkaPeer} (the broker's class path comes from the file the module
 * imago-oracles/kafka writes, system property {@code imago.bench.kafkaClasspath}) and drives
 * it with the load runner through {@link KafkaTargets}: every produced record is acknowledged and read back.
 */
@Timeout(120)
class KafkaPeerIT {
    private static final int MESSAGES = 20_000;

    @TempDir
    Path dir;

    /** Parses load options the way {@code bench produce|consume} does. */
    static final class Holder {
        @Mixin
        LoadOptions options;
    }

    private static LoadOptions options(List<String> peerArgs, String... more) {
        Holder holder = new Holder();
        String[] args = java.util.stream.Stream.concat(peerArgs.stream(), java.util.Arrays.stream(more))
                .toArray(String[]::new);
        new CommandLine(holder).parseArgs(args);
        return holder.options;
    }

    @Test
    void producesAndConsumesThroughAOneNodeKafka() throws Exception {
        PeerEnv env = new PeerEnv(
                dir.resolve("work"),
                dir.resolve("logs"),
                Path.of(System.getProperty("java.home"), "bin", "java"),
                List.of("-Xms512m", "-Xmx512m"),
                "bench-it",
                4,
                Map.of());
        KafkaPeer peer = new KafkaPeer();
        long pid;
        try {
            peer.start(env);
            pid = peer.brokerPid();
            assertThat(ProcessHandle.of(pid))
                    .hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
            assertThat(peer.loadArgs()).containsExactly("--target", "kafka", "--bootstrap", peer.bootstrap());
            assertThat(peer.zkConnect()).isNull();

            LoadOptions produce = options(
                    peer.loadArgs(),
                    "--topic",
                    "bench-it",
                    "--partitions",
                    "4",
                    "--messages",
                    String.valueOf(MESSAGES),
                    "--size",
                    "100",
                    "--report-interval",
                    "0s");
            LoadResult sent = new LoadRunner(new KafkaTargets(), produce, System.err).produce();
            System.err.println("KafkaPeerIT produce: " + sent.summary());
            assertThat(sent.records()).isEqualTo(MESSAGES);
            assertThat(sent.errors()).isZero();
            assertThat(sent.bytes()).isEqualTo(MESSAGES * 100L);
            assertThat(sent.p50Ms()).isNotNull().isPositive();
            // the async window (10,000 records) in flight on a cold JVM: latency is about window / throughput
            assertThat(sent.p99Ms()).isGreaterThanOrEqualTo(sent.p50Ms()).isLessThan(5_000.0);
            assertThat(sent.recordsPerSec()).isPositive();

            LoadOptions consume = options(
                    peer.loadArgs(),
                    "--topic",
                    "bench-it",
                    "--messages",
                    String.valueOf(MESSAGES),
                    "--size",
                    "100",
                    "--report-interval",
                    "0s");
            LoadResult received = new LoadRunner(new KafkaTargets(), consume, System.err).consume();
            System.err.println("KafkaPeerIT consume: " + received.summary());
            assertThat(received.records()).isEqualTo(MESSAGES);
            assertThat(received.errors()).isZero();

            LoadOptions transactions = options(
                    peer.loadArgs(),
                    "--topic",
                    "bench-it",
                    "--threads",
                    "2",
                    "--size",
                    "100",
                    "--duration",
                    "2s",
                    "--report-interval",
                    "0s");
            LoadResult committed = new TransactionRunner(new KafkaTargets(), transactions, 10, System.err).run();
            System.err.println("KafkaPeerIT transactions: " + committed.summary());
            assertThat(committed.records()).as("transactions").isPositive();
            assertThat(committed.errors()).isZero();
            assertThat(committed.bytes()).isEqualTo(committed.records() * 10 * 100);
            assertThat(committed.p50Ms()).as("commit latency").isNotNull().isPositive();
        } finally {
            peer.close();
        }
        assertThat(peer.brokerPid()).isEqualTo(pid);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        peer.close(); // idempotent
    }

    @Test
    void aBrokerThatCannotStartIsReportedWithItsLog() {
        PeerEnv env = new PeerEnv(
                dir.resolve("work"),
                dir.resolve("logs"),
                Path.of(System.getProperty("java.home"), "bin", "java"),
                List.of("-Xmx256m"),
                "bench-it",
                1,
                Map.of("log.retention.hours", "not-a-number"));
        KafkaPeer peer = new KafkaPeer();
        try {
            assertThatThrownBy(() -> peer.start(env))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("log.retention.hours");
        } finally {
            peer.close();
        }
    }
}
