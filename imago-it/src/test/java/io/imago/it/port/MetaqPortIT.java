package io.imago.it.port;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.it.compat.DriverProcess;
import io.imago.it.harness.BrokerCluster;
import io.imago.it.harness.ClusterExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A port from MetaQ is one search-and-replace (issue 11 §4). MetaQ applications written against the
 * original 1.4.6.2 client API ({@link MetaqPrograms#NAMES}: a synchronous producer configured through
 * {@code ZkUtils.ZKConfig}'s fields, an asynchronous producer with a callback, a consumer group with
 * MetaQ's {@code recieveMessages} and a client-side filter, a broadcast consumer on its own executor, an
 * ordered producer with an {@code OrderedMessagePartitionSelector}, pull consumption with MetaQ's
 * relative {@code MessageIterator.getOffset()}, a topic browser and {@code getStats()}) first compile
 * unchanged against the original client, which proves they are MetaQ programs; then the text
 * {@code com.taobao.metamorphosis} is replaced by {@code io.imago} and nothing else, and they compile
 * against Imago's client with every lint warning an error (but javac's [path] check of jar manifests) and run in their own JVMs against a broker.
 */
@Timeout(300)
class MetaqPortIT {
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
    private static final int SYNC = 20;
    private static final int ASYNC = 20;
    private static final int SKIPPED = 5;

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    @TempDir
    static Path work;

    private static List<Path> originals;
    private static List<Path> ported;
    private static Path portedClasses;

    @BeforeAll
    static void startBrokerAndPort() throws Exception {
        BrokerCluster cluster = CLUSTER.cluster();
        cluster.startBroker(cluster.broker(1).numPartitions(4).topic("port").topic("port-ordered"));
        originals = MetaqPrograms.writeOriginals(work.resolve("metaq-src"));
        ported = MetaqPrograms.port(originals, work.resolve("imago-src"));
        portedClasses = work.resolve("imago-classes");
    }

    @Test
    void theProgramsAreMetaqProgramsAndTheReplacementIsTheWholePort() throws Exception {
        assertThat(MetaqPrograms.compile(originals, MetaqPrograms.originalClasspath(), work.resolve("metaq-classes")))
                .as("javac against the original MetaQ 1.4.6.2 client")
                .isEmpty();
        for (int i = 0; i < originals.size(); i++) {
            String before = Files.readString(originals.get(i), StandardCharsets.UTF_8);
            String after = Files.readString(ported.get(i), StandardCharsets.UTF_8);
            assertThat(before).contains(MetaqPrograms.FROM);
            assertThat(after).doesNotContain("taobao").isEqualTo(before.replace(MetaqPrograms.FROM, MetaqPrograms.TO));
        }
        assertThat(MetaqPrograms.compile(ported, MetaqPrograms.imagoClasspath(), portedClasses))
                .as("javac of the ported sources against Imago's client")
                .isEmpty();
    }

    @Test
    void thePortedProgramsRunAgainstABroker() throws Exception {
        assertThat(MetaqPrograms.compile(ported, MetaqPrograms.imagoClasspath(), portedClasses))
                .isEmpty();
        String zk = CLUSTER.cluster().zkConnect();

        List<String[]> sync =
                run("SyncProducer", zk, "port", Integer.toString(SYNC), "s").lines("SENT");
        assertThat(sync).hasSize(SYNC).allSatisfy(f -> assertThat(f[2]).startsWith("1-"));
        assertThat(sync.stream().map(f -> Long.parseLong(f[3]))).allMatch(offset -> offset >= 0);
        List<String[]> skipped = run("SyncProducer", zk, "port", Integer.toString(SKIPPED), "x", "skip")
                .lines("SENT");
        assertThat(skipped).hasSize(SKIPPED);
        List<String[]> async =
                run("AsyncProducer", zk, "port", Integer.toString(ASYNC), "a").lines("SENT");
        assertThat(async).hasSize(ASYNC);
        Set<String> filtered = Stream.concat(bodies("s", SYNC).stream(), bodies("a", ASYNC).stream())
                .collect(Collectors.toSet());
        Set<String> all =
                Stream.concat(filtered.stream(), bodies("x", SKIPPED).stream()).collect(Collectors.toSet());

        DriverProcess group = run("GroupConsumer", zk, "port", "port-group", Integer.toString(filtered.size()));
        assertThat(group.lines("RECEIVED").stream().map(f -> f[1]).collect(Collectors.toSet()))
                .as("the group's filter drops attribute 'skip'")
                .isEqualTo(filtered);

        DriverProcess broadcast = run("BroadcastConsumer", zk, "port", "port-broadcast", Integer.toString(all.size()));
        assertThat(broadcast.lines("RECEIVED").stream().map(f -> f[1]).collect(Collectors.toSet()))
                .isEqualTo(all);

        DriverProcess pull = run("PullAndBrowse", zk, "port", "port-pull");
        assertThat(pull.lines("PARTITION")).hasSize(4);
        assertThat(pull.lines("PULLED").stream().map(f -> f[1]).toList())
                .as("pulled once each, offset += it.getOffset()")
                .containsExactlyInAnyOrderElementsOf(all);
        assertThat(pull.lines("BROWSED").stream().map(f -> f[1]).toList()).containsExactlyInAnyOrderElementsOf(all);
        assertThat(pull.lines("STATS")).isNotEmpty();

        List<String[]> ordered =
                run("OrderedProducer", zk, "port-ordered", "1", "4", "3", "5").lines("SENT");
        assertThat(ordered).hasSize(15);
        Map<String, List<String[]>> byKey = new HashMap<>();
        ordered.forEach(f -> byKey.computeIfAbsent(f[1], k -> new ArrayList<>()).add(f));
        assertThat(byKey).hasSize(3);
        byKey.forEach((key, sends) -> {
            assertThat(sends.stream().map(f -> f[3]).distinct())
                    .as("one partition for " + key)
                    .hasSize(1);
            assertThat(sends.stream().map(f -> Long.parseLong(f[4])).toList())
                    .as("in order for " + key)
                    .isSorted();
        });
    }

    private static List<String> bodies(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    }

    /** Runs a ported program in its own JVM until it prints DONE and exits 0. */
    private static DriverProcess run(String program, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Duser.home=" + Files.createDirectories(work.resolve("home")), // local offsets, recover store
                "-cp",
                MetaqPrograms.join(portedClasses, MetaqPrograms.imagoClasspath()),
                "example." + program));
        cmd.addAll(List.of(args));
        Path log = CLUSTER.cluster().logDir().resolve("port-" + program + "-" + System.nanoTime() + ".log");
        try (DriverProcess process = DriverProcess.start(cmd, log)) {
            process.awaitSuccess(RUN_TIMEOUT);
            return process;
        }
    }
}
