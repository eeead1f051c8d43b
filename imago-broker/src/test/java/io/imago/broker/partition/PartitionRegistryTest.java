package io.imago.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.broker.config.BrokerConfig;
import io.imago.broker.config.TopicConfig;
import io.imago.store.LogClosedException;
import io.imago.store.LogRecoveryException;
import io.imago.store.fs.FaultInjectingStorageIo;
import io.imago.store.fs.FaultInjectingStorageIo.Gate;
import io.imago.store.fs.StorageIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PartitionRegistry} opening partitions on its opener threads: in parallel at start, once per
 * partition on demand, and refusing once closed. Real files under a temporary directory; the store's
 * fault seam holds the fsyncs of one partition to make the interleavings certain.
 */
@Timeout(60)
class PartitionRegistryTest {
    @TempDir
    Path dir;

    private final List<PartitionEntry> opened = new CopyOnWriteArrayList<>();

    private BrokerConfig config(int numPartitions) throws Exception {
        Path ini = dir.resolve("server.ini");
        Files.writeString(
                ini,
                "[system]\nbrokerId=0\nhostName=127.0.0.1\ndataPath=" + dir.resolve("data")
                        + "\n[zookeeper]\nzk.zkEnable=false\n[topic=test]\nnumPartitions=" + numPartitions + "\n",
                StandardCharsets.UTF_8);
        return BrokerConfig.load(ini);
    }

    private PartitionRegistry registry(BrokerConfig config, StorageIo io, int threads) {
        return new PartitionRegistry(config, io, Clock.systemUTC(), opened::add, threads);
    }

    private static Thread startThread(Runnable r) {
        Thread t = new Thread(r, "partition-registry-test");
        t.start();
        return t;
    }

    /**
     * The files of {@code test-<partition>}: a gate on their creation and opening holds the partition's
     * open (an open after a clean stop, or of an empty partition, fsyncs nothing a held fsync would stop).
     */
    private static Predicate<Path> inPartition(int partition) {
        return file -> file.getParent() != null
                && file.getParent().getFileName().toString().equals("test-" + partition);
    }

    /**
     * Creates partitions {@code 0..n-1} of {@code test} on disk, each with nothing in it, left as after a
     * crash: their next open recovers them and fsyncs each one's segment (an open after a clean stop
     * writes nothing, so a held fsync would not hold it).
     */
    private void createOnDisk(BrokerConfig config, int n) throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        try (PartitionRegistry r = registry(config, io, 4)) {
            TopicConfig topic = config.resolve("test").orElseThrow();
            List<CompletableFuture<PartitionEntry>> all = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                all.add(r.getOrCreateAsync(topic, p));
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
            io.simulateProcessCrash();
        }
        opened.clear();
    }

    @Test
    void loadAllOpensThePartitionsInParallel() throws Exception {
        BrokerConfig config = config(8);
        createOnDisk(config, 8);
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        Gate gate = io.holdOpens(inPartition(0));
        try (PartitionRegistry r = registry(config, io, 2)) {
            CompletableFuture<Integer> load = CompletableFuture.supplyAsync(() -> {
                try {
                    return r.loadAll();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(gate.awaitHeld(10, TimeUnit.SECONDS)).isTrue();
            // test-0 is listed first and held: one opener waits on it, the other opens the rest
            await().atMost(Duration.ofSeconds(20)).until(() -> opened.size() == 7);
            assertThat(load).isNotDone();
            gate.open();
            assertThat(load.get(20, TimeUnit.SECONDS)).isEqualTo(8);
            assertThat(r.partitions()).hasSize(8);
        } finally {
            gate.open();
        }
    }

    @Test
    void aPartitionThatFailsToOpenStopsTheLoadAndIsNamed() throws Exception {
        BrokerConfig config = config(6);
        createOnDisk(config, 6);
        Files.writeString(dir.resolve("data").resolve("test-2").resolve("bogus.meta"), "x");
        Files.writeString(dir.resolve("data").resolve("test-4").resolve("bogus.meta"), "x");
        try (PartitionRegistry r = registry(config, new FaultInjectingStorageIo(), 1)) {
            assertThatThrownBy(r::loadAll)
                    .isInstanceOf(LogRecoveryException.class)
                    .hasMessageContaining("test-2")
                    .hasMessageContaining("bogus.meta");
            // one opener: test-0 and test-1 were opened, test-3 and later were never started
            assertThat(r.partitions())
                    .extracting(p -> p.topicPartition().partition())
                    .containsExactly(0, 1);
        }
    }

    @Test
    void aPartitionAskedForByManyAtOnceIsOpenedOnce() throws Exception {
        BrokerConfig config = config(2);
        TopicConfig topic = config.resolve("test").orElseThrow();
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        Gate gate = io.holdOpens(inPartition(1));
        try (PartitionRegistry r = registry(config, io, 4)) {
            Set<CompletableFuture<PartitionEntry>> asks = ConcurrentHashMap.newKeySet();
            List<Thread> askers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                askers.add(startThread(() -> asks.add(r.getOrCreateAsync(topic, 1))));
            }
            for (Thread t : askers) {
                t.join(10_000);
            }
            assertThat(gate.awaitHeld(10, TimeUnit.SECONDS)).isTrue();
            assertThat(asks).as("one open shared by every asker").hasSize(1);
            assertThat(asks.iterator().next()).isNotDone();
            gate.open();
            PartitionEntry entry = asks.iterator().next().get(10, TimeUnit.SECONDS);
            assertThat(opened).containsExactly(entry);
            CompletableFuture<PartitionEntry> again = r.getOrCreateAsync(topic, 1);
            assertThat(again).as("an open partition: a completed future").isDone();
            assertThat(r.getOrCreateAsync(topic, 1))
                    .as("the same one, not a new one")
                    .isSameAs(again);
            assertThat(again.get()).isSameAs(entry);
        } finally {
            gate.open();
        }
    }

    @Test
    void anOpenUnderWayWhenTheRegistryClosesIsRefusedAndSoAreLaterOnes() throws Exception {
        BrokerConfig config = config(3);
        TopicConfig topic = config.resolve("test").orElseThrow();
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        Gate gate = io.holdOpens(inPartition(1));
        PartitionRegistry r = registry(config, io, 2);
        try {
            CompletableFuture<PartitionEntry> underWay = r.getOrCreateAsync(topic, 1);
            assertThat(gate.awaitHeld(10, TimeUnit.SECONDS)).isTrue();
            Thread closer = startThread(r::close);
            await().atMost(Duration.ofSeconds(10)).until(() -> closer.getState() == Thread.State.TIMED_WAITING);
            gate.open();
            closer.join(20_000);
            assertThat(closer.isAlive()).as("close has returned").isFalse();
            assertThatThrownBy(() -> underWay.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(LogClosedException.class)
                    .hasMessageContaining("broker is shutting down: partition test-1 is not opened");
            assertThat(r.find("test", 1)).isEmpty();
            assertThatThrownBy(() -> r.getOrCreateAsync(topic, 2).get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(LogClosedException.class);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Thread.getAllStackTraces().keySet().stream()
                            .noneMatch(t -> t.getName().startsWith("imago-partition-opener-")));
        } finally {
            gate.open();
            r.close();
        }
    }
}
