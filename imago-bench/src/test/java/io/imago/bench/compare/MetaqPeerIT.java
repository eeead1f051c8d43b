package io.imago.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.bench.load.LoadResult;
import io.imago.broker.BrokerHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workload W1 (the unmodified MetaQ 1.4.6.2 client, synchronous sends) against the original broker
 * started by {@link MetaqPeer} and against an in-process Imago broker, both in group commit.
 *
 * <p>Short by default (3 s, 2 threads, 100 B); {@code -Dimago.bench.w1.seconds}, {@code .threads} and
 * {@code .size} make it the full W1 (20 s, 8 threads), which prints both results on stdout.
 */
@Timeout(300)
class MetaqPeerIT {
    private static final String TOPIC = "w1";
    private static final int PARTITIONS = 4;
    private static final Duration DURATION = Duration.ofSeconds(Long.getLong("imago.bench.w1.seconds", 3));
    private static final int THREADS = Integer.getInteger("imago.bench.w1.threads", 2);
    private static final int SIZE = Integer.getInteger("imago.bench.w1.size", 100);

    @TempDir
    Path dir;

    private static Path logDir(TestInfo test) {
        return Path.of(System.getProperty("imago.bench.itLogDir", "target/it-logs"))
                .resolve(test.getTestMethod().orElseThrow().getName());
    }

    @Test
    void theOriginalClientSendsToTheOriginalBrokerInGroupCommit(TestInfo test) throws Exception {
        Path logs = logDir(test);
        PeerEnv env = new PeerEnv(
                dir.resolve("metaq"), logs, ChildProcess.thisJava(), List.of("-Xmx512m"), TOPIC, PARTITIONS, Map.of());
        MetaqPeer peer = new MetaqPeer();
        long brokerPid;
        long zkPid;
        try {
            peer.start(env);
            brokerPid = peer.brokerPid();
            zkPid = peer.zooKeeperPid();
            assertThat(peer.name()).isEqualTo("metaq");
            assertThat(peer.loadArgs()).isEmpty();
            assertThat(peer.zkConnect()).startsWith("127.0.0.1:");
            assertThat(Files.readString(env.workDir().resolve("server.ini")))
                    .contains("unflushThreshold=0", "[topic=" + TOPIC + "]\nnumPartitions=" + PARTITIONS);

            LoadResult result = OriginalClientLoad.produceSync(
                    peer.zkConnect(),
                    TOPIC,
                    THREADS,
                    DURATION,
                    SIZE,
                    dir.resolve("client"),
                    logs.resolve("metaq-client.log"));
            System.out.println("original broker: " + result.summary());
            assertW1(result);

            LoadResult transactions = OriginalClientLoad.produceTransactions(
                    peer.zkConnect(),
                    TOPIC,
                    2,
                    DURATION,
                    SIZE,
                    10,
                    dir.resolve("client"),
                    logs.resolve("metaq-tx.log"));
            System.out.println("original broker, transactions: " + transactions.summary());
            assertW6(transactions);
        } finally {
            peer.close();
        }
        assertThat(ProcessHandle.of(brokerPid))
                .as("broker process %d", brokerPid)
                .isEmpty();
        assertThat(ProcessHandle.of(zkPid)).as("ZooKeeper process %d", zkPid).isEmpty();
        assertThat(Files.readString(logs.resolve("metaq-broker.log")))
                .as("the broker ran on Java 17 without --add-opens")
                .doesNotContain("InaccessibleObjectException", "IllegalAccessError");
        peer.close(); // idempotent
    }

    @Test
    void theOriginalClientSendsToImagoInGroupCommit(TestInfo test) throws Exception {
        Path logs = logDir(test);
        try (BrokerHarness imago = BrokerHarness.start(
                dir.resolve("imago"), "unflushThreshold=0", "[topic=" + TOPIC + "]\nnumPartitions=" + PARTITIONS)) {
            assertThat(imago.config().resolve(TOPIC).orElseThrow().isGroupCommit())
                    .isTrue();
            assertThat(imago.config().resolve(TOPIC).orElseThrow().numPartitions())
                    .isEqualTo(PARTITIONS);
            LoadResult result = OriginalClientLoad.produceSync(
                    imago.zkConnect(),
                    TOPIC,
                    THREADS,
                    DURATION,
                    SIZE,
                    dir.resolve("client"),
                    logs.resolve("imago-client.log"));
            System.out.println("imago (in-process): " + result.summary());
            assertW1(result);

            LoadResult transactions = OriginalClientLoad.produceTransactions(
                    imago.zkConnect(),
                    TOPIC,
                    2,
                    DURATION,
                    SIZE,
                    10,
                    dir.resolve("client"),
                    logs.resolve("imago-tx.log"));
            System.out.println("imago (in-process), transactions: " + transactions.summary());
            assertW6(transactions);
        }
    }

    @Test
    void aBrokerThatCannotStartFailsWithItsLog(TestInfo test) {
        Path logs = logDir(test);
        PeerEnv env = new PeerEnv(
                dir.resolve("bad"),
                logs,
                ChildProcess.thisJava(),
                List.of("-Xmx128m"),
                TOPIC,
                PARTITIONS,
                Map.of("noSuchKey", "1"));
        MetaqPeer peer = new MetaqPeer();
        try {
            assertThatThrownBy(() -> peer.start(env))
                    .hasMessageContaining("exited with code")
                    .hasMessageContaining("noSuchKey");
        } finally {
            peer.close();
        }
    }

    private static void assertW6(LoadResult result) {
        assertThat(result.label()).startsWith("W6 metaq-client transactions 2x(10x");
        assertThat(result.records()).as(result.summary()).isPositive();
        assertThat(result.errors()).as(result.summary()).isZero();
        assertThat(result.bytes()).isEqualTo(result.records() * 10 * SIZE);
        assertThat(result.p50Ms()).as("commit latency").isNotNull().isPositive();
    }

    private static void assertW1(LoadResult result) {
        assertThat(result.records()).as(result.summary()).isPositive();
        assertThat(result.errors()).as(result.summary()).isZero();
        assertThat(result.bytes()).isEqualTo(result.records() * SIZE);
        assertThat(result.seconds()).isGreaterThanOrEqualTo(DURATION.toMillis() / 1000.0 * 0.9);
        assertThat(result.p50Ms()).isNotNull().isPositive();
        assertThat(result.p99Ms()).isGreaterThanOrEqualTo(result.p50Ms());
        assertThat(result.maxMs()).isGreaterThanOrEqualTo(result.p99Ms());
    }
}
