package io.imago.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.bench.imago.ImagoTargets;
import io.imago.broker.BrokerHarness;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The load tools against a real Imago broker (in-process, embedded ZooKeeper): what {@code bin/imago
 * bench produce|consume|e2e} run, parsed from the same options, with their results checked.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImagoLoadIT {
    @TempDir
    static Path dir;

    private static BrokerHarness broker;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerHarness.start(dir, "numPartitions=4", "[topic=load]\n[topic=e2e]\n[topic=tx]");
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static LoadOptions options(String... args) {
        LoadOptions options = new LoadOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    private static LoadRunner runner(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--zk";
        all[1] = broker.zkConnect();
        all[2] = "--report-interval";
        all[3] = "0s";
        System.arraycopy(args, 0, all, 4, args.length);
        return new LoadRunner(new ImagoTargets(), options(all), System.err);
    }

    @Test
    @Order(1)
    void produceAcknowledgesEveryRecordAndMeasuresLatency() throws Exception {
        LoadResult result = runner("--topic", "load", "--messages", "20000", "--size", "100", "--threads", "2")
                .produce();
        assertThat(result.records()).isEqualTo(20_000);
        assertThat(result.errors()).isZero();
        assertThat(result.bytes()).isEqualTo(20_000L * 100);
        assertThat(result.p50Ms()).isPositive();
        assertThat(result.p99Ms()).isGreaterThanOrEqualTo(result.p50Ms());
        assertThat(LoadResult.fromJson(result.toJson())).isEqualTo(result);
    }

    @Test
    @Order(2)
    void consumeReadsWhatWasProducedFromTheStart() throws Exception {
        LoadResult result = runner("--topic", "load", "--messages", "20000", "--size", "100")
                .consume();
        assertThat(result.records()).isEqualTo(20_000);
        assertThat(result.recordsPerSec()).isPositive();
    }

    @Test
    @Order(3)
    void consumeOfMoreThanTheTopicHoldsFailsInsteadOfHanging() {
        assertThatThrownBy(
                        () -> runner("--topic", "load", "--messages", "20001").consume())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("received 20000 of 20001")
                .hasMessageContaining("nothing for 30 s");
    }

    @Test
    @Order(4)
    void endToEndAtAFixedRateCountsOnlyItsOwnRecords() throws Exception {
        LoadResult result = runner("--topic", "e2e", "--rate", "2000", "--duration", "3s", "--warmup", "1s")
                .endToEnd();
        assertThat(result.records()).isBetween(5_000L, 6_500L);
        assertThat(result.errors()).isZero();
        assertThat(result.p50Ms()).isPositive().isLessThan(1_000.0);
    }

    @Test
    @Order(5)
    void transactionsCommitAndMeasureTheCommit() throws Exception {
        String[] args = {
            "--zk", broker.zkConnect(), "--report-interval", "0s", "--topic", "tx", "--threads", "2", "--duration", "2s"
        };
        LoadResult result = new TransactionRunner(new ImagoTargets(), options(args), 10, System.err).run();
        assertThat(result.records()).as("transactions").isPositive();
        assertThat(result.errors()).isZero();
        assertThat(result.bytes()).isEqualTo(result.records() * 10 * 100);
        assertThat(result.p50Ms()).as("commit latency").isPositive();
        LoadResult read = runner("--topic", "tx", "--messages", Long.toString(result.records() * 10), "--size", "100")
                .consume();
        assertThat(read.records()).as("every committed record can be read").isEqualTo(result.records() * 10);
    }

    @Test
    @Order(6)
    void aTopicNoBrokerServesFailsFastWithTheCause() {
        assertThatThrownBy(() -> runner("--topic", "nobody-serves-this", "--messages", "10", "--mode", "sync")
                        .produce())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no record was acknowledged");
    }
}
