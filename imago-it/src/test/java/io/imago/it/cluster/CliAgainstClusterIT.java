package io.imago.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.imago.it.harness.BrokerProcessConfig;
import io.imago.it.harness.ClusterExtension;
import io.imago.it.harness.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-line tools (issue 5 §3) as an operator runs them — each a separate {@code imago}
 * process — against a running two-broker cluster: produce over both brokers, describe the topic,
 * consume everything, see the group's lag drop to zero, read every broker's stats.
 */
@Timeout(120)
class CliAgainstClusterIT {
    private static final String TOPIC = "ops";

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    @TempDir
    static Path work;

    @BeforeAll
    static void startTwoBrokers() {
        assumeThat(Target.current()).isEqualTo(Target.IMAGO);
        for (int id = 1; id <= 2; id++) {
            BrokerProcessConfig.Builder b =
                    CLUSTER.cluster().broker(id).numPartitions(2).topic(TOPIC);
            CLUSTER.cluster().startBroker(b);
        }
    }

    private record Run(int exitCode, List<String> lines, String err) {}

    private static Run imago(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlogback.configurationFile=logback.xml",
                "-cp",
                System.getProperty("java.class.path"),
                "io.imago.cli.ImagoCli"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Path in = Files.createTempFile(work, "in", ".txt");
        Files.writeString(in, stdin, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(cmd)
                .redirectInput(in.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("imago " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new Run(
                p.exitValue(),
                Files.readAllLines(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void theToolsProduceDescribeConsumeAndReportLagAcrossTheCluster() throws Exception {
        String zk = CLUSTER.cluster().zkConnect();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            lines.append("line-").append(i).append('\n');
        }
        Run produced = imago(lines.toString(), "produce", "--topic", TOPIC, "--zk", zk);
        assertThat(produced.exitCode()).as(produced.err()).isZero();
        assertThat(produced.lines()).contains("20 sent, 0 failed");
        assertThat(produced.lines())
                .anyMatch(l -> l.matches("sent -?\\d+ to 1-[01] at offset \\d+"))
                .anyMatch(l -> l.matches("sent -?\\d+ to 2-[01] at offset \\d+"));

        Run described = imago("", "topics", "describe", TOPIC, "--zk", zk);
        assertThat(described.exitCode()).as(described.err()).isZero();
        for (String partition : List.of("1-0", "1-1", "2-0", "2-1")) {
            assertThat(described.lines()).as("partition %s", partition).anyMatch(l -> l.startsWith(partition + " "));
        }

        Run consumed = imago(
                "",
                "consume",
                "--topic",
                TOPIC,
                "--group",
                "ops-readers",
                "--from-beginning",
                "--max-messages",
                "20",
                "--zk",
                zk);
        assertThat(consumed.exitCode()).as(consumed.err()).isZero();
        assertThat(consumed.lines()).hasSize(20);
        for (int i = 0; i < 20; i++) {
            String expected = "line-" + i;
            assertThat(consumed.lines()).anyMatch(l -> l.endsWith(expected));
        }

        Run group = imago("", "groups", "describe", "ops-readers", "--zk", zk);
        assertThat(group.exitCode()).as(group.err()).isZero();
        List<String> rows =
                group.lines().stream().filter(l -> l.startsWith(TOPIC + " ")).toList();
        assertThat(rows).hasSize(4).allMatch(l -> l.matches(".*\\s0$"), "lag 0 on every partition");

        Run stats = imago("", "stats", "--all", "--zk", zk);
        assertThat(stats.exitCode()).as(stats.err()).isZero();
        assertThat(stats.lines())
                .anyMatch(l -> l.startsWith("# broker 1 "))
                .anyMatch(l -> l.startsWith("# broker 2 "))
                .anyMatch(l -> l.startsWith("cmd_put "));
    }
}
