package io.imago.it.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.it.harness.BrokerCluster;
import io.imago.it.harness.ClusterExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 (smaller): the client's threads do not keep the JVM alive. An application that returns from
 * {@code main} without {@code shutdown()} ({@link ForgetsShutdown}) exits, as with Kafka's clients; its
 * positions are then as of the last periodic commit (at-least-once), its kept messages stay on disk.
 */
@Timeout(180)
class ForgottenShutdownIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    @TempDir
    Path home;

    @Test
    void anApplicationThatNeverCallsShutdownStillExits() throws Exception {
        BrokerCluster cluster = CLUSTER.cluster();
        cluster.startBroker(cluster.broker(1).numPartitions(2).topic("forgotten"));
        Path log = cluster.logDir().resolve("forgets-shutdown.log");
        Process app = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-Duser.home=" + home,
                        "-cp",
                        System.getProperty("java.class.path"),
                        ForgetsShutdown.class.getName(),
                        cluster.zkConnect(),
                        "forgotten"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            await("main returns")
                    .atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.readString(log, StandardCharsets.UTF_8).contains("RETURNING") || !app.isAlive());
            assertThat(Files.readString(log, StandardCharsets.UTF_8))
                    .as("the application got its message back")
                    .contains("RECEIVED", "RETURNING");
            boolean exited = app.waitFor(30, TimeUnit.SECONDS);
            assertThat(exited)
                    .as(
                            "the JVM exited after main returned, without shutdown(); threads left:\n%s",
                            exited ? "" : nonDaemonThreads(app))
                    .isTrue();
            assertThat(app.exitValue()).isZero();
        } finally {
            app.destroyForcibly().waitFor();
        }
    }

    /** The names of the live non-daemon threads of {@code app}, from {@code jcmd Thread.print}. */
    private static String nonDaemonThreads(Process app) throws Exception {
        Process jcmd = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(app.pid()),
                        "Thread.print")
                .redirectErrorStream(true)
                .start();
        String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor(30, TimeUnit.SECONDS);
        return dump.lines()
                .filter(l -> l.startsWith("\"") && !l.contains(" daemon "))
                .collect(Collectors.joining("\n"));
    }
}
