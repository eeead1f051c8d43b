package io.imago.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.broker.config.BrokerConfig;
import io.imago.broker.config.TopicConfig;
import io.imago.store.fs.FileChannelStorageIo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not a check of speed (DESIGN.md: performance is not asserted by timed tests): how
 * long {@link PartitionRegistry#loadAll()} takes over many partition directories with one opener
 * thread (the old, sequential load) and with more, three rounds each, interleaved. Each partition
 * holds one message and was closed cleanly. Prints the medians and writes them to
 * {@code target/partition-load-timing.txt}.
 *
 * <p>It takes minutes, so it runs only when asked for, even with {@code -Pfault}: {@code mvn -B -o -q
 * -Pfault -pl imago-broker -am test -Dtest=PartitionLoadTimingTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dimago.loadTiming.partitions=2000 [-Dimago.loadTiming.threads=1,2,4,8,16]}.
 */
@Tag("fault")
@EnabledIfSystemProperty(named = "imago.loadTiming.partitions", matches = "[0-9]+")
@Timeout(1800)
class PartitionLoadTimingTest {
    private static final int ROUNDS = 3;

    @TempDir
    Path dir;

    @Test
    void loadTimeByOpenerThreads() throws Exception {
        int partitions = Integer.getInteger("imago.loadTiming.partitions", 2000);
        int[] threads = Arrays.stream(System.getProperty("imago.loadTiming.threads", "1,2,4,8,16")
                        .split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        BrokerConfig config = config(partitions);
        fill(config, partitions);

        Map<Integer, List<Long>> millis = new LinkedHashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (int t : threads) {
                millis.computeIfAbsent(t, k -> new ArrayList<>()).add(loadMillis(config, t, partitions));
            }
        }
        StringBuilder report = new StringBuilder();
        report.append("loadAll of ")
                .append(partitions)
                .append(" partitions (one message each, clean shutdown), ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, medians of ")
                .append(ROUNDS)
                .append('\n');
        millis.forEach((t, runs) -> report.append(
                String.format("  %2d opener thread(s): median %6d ms   runs %s%n", t, median(runs), runs)));
        System.out.print(report);
        Files.writeString(Path.of("target", "partition-load-timing.txt"), report, StandardCharsets.UTF_8);
    }

    private BrokerConfig config(int numPartitions) throws Exception {
        Path ini = dir.resolve("server.ini");
        Files.writeString(
                ini,
                "[system]\nbrokerId=0\nhostName=127.0.0.1\nscrubBytesPerSecond=0\ndataPath=" + dir.resolve("data")
                        + "\n[zookeeper]\nzk.zkEnable=false\n[topic=load]\nnumPartitions=" + numPartitions + "\n",
                StandardCharsets.UTF_8);
        return BrokerConfig.load(ini);
    }

    /** Creates every partition with one message in it and closes them. */
    private static void fill(BrokerConfig config, int partitions) throws Exception {
        TopicConfig topic = config.resolve("load").orElseThrow();
        try (PartitionRegistry r =
                new PartitionRegistry(config, new FileChannelStorageIo(), Clock.systemUTC(), e -> {}, 8)) {
            List<CompletableFuture<Long>> appends = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                PartitionEntry entry = r.getOrCreateAsync(topic, p).get(60, TimeUnit.SECONDS);
                appends.add(
                        entry.log().append(p, 0, ByteBuffer.wrap(("message " + p).getBytes(StandardCharsets.UTF_8))));
            }
            CompletableFuture.allOf(appends.toArray(new CompletableFuture<?>[0]))
                    .get(120, TimeUnit.SECONDS);
        }
    }

    private static long loadMillis(BrokerConfig config, int threads, int partitions) throws Exception {
        try (PartitionRegistry r =
                new PartitionRegistry(config, new FileChannelStorageIo(), Clock.systemUTC(), e -> {}, threads)) {
            long t0 = System.nanoTime();
            int loaded = r.loadAll();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(loaded).isEqualTo(partitions);
            return ms;
        }
    }

    private static long median(List<Long> runs) {
        List<Long> sorted = runs.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
