package io.imago.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.imago.it.harness.PutAck;
import io.imago.it.harness.RawMetaqConnection;
import io.imago.it.harness.Reply;
import io.imago.it.harness.Target;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's {@code server} command as a user runs it: standalone (embedded ZooKeeper on
 * 127.0.0.1:2181, any topic accepted), {@code -c FILE --embedded-zk}, the {@code --data-dir} and
 * {@code --port} overrides, a clean SIGTERM (exit 0) and a configuration error (exit 2, naming the
 * file and the key).
 */
@Timeout(90)
class LauncherIT {
    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void imagoOnly() {
        assumeThat(Target.current()).isEqualTo(Target.IMAGO);
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process launch(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // the launcher's own logging (INFO), not this module's test logging
                "-Dlogback.configurationFile=logback.xml",
                "-cp",
                System.getProperty("java.class.path"),
                "io.imago.cli.ImagoCli"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        processes.add(p);
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return s.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    private static void putAndGet(int port) throws IOException {
        try (RawMetaqConnection c = RawMetaqConnection.open(port)) {
            PutAck ack = PutAck.of(c.put("any-topic", 0, "hi".getBytes(StandardCharsets.UTF_8)));
            assertThat(ack.offset()).isZero();
            Reply value = c.get("any-topic", "g", 0, 0, 1024);
            assertThat(value.isValue()).isTrue();
            assertThat(value.body()).hasSize(22);
        }
    }

    @Test
    void standaloneServerStartsWithEmbeddedZooKeeperAcceptsAnyTopicAndStopsWithExitZero() throws Exception {
        assumeThat(accepts(2181))
                .as("127.0.0.1:2181 must be free for the standalone default")
                .isFalse();
        int port = freePort();
        Path data = dir.resolve("standalone-data");
        Path log = dir.resolve("standalone.log");
        Process p = launch(log, "server", "--data-dir", data.toString(), "--port", Integer.toString(port));
        await().atMost(Duration.ofSeconds(60)).until(() -> accepts(port) || !p.isAlive());
        assertThat(p.isAlive()).as(() -> read(log)).isTrue();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> read(log).contains("Registered in ZooKeeper 127.0.0.1:2181"));

        putAndGet(port);

        p.destroy();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(data.resolve("any-topic-0")).isDirectory();
        assertThat(data.resolve("zookeeper")).isDirectory();
        assertThat(read(log)).contains("Broker 0 stopped");
    }

    @Test
    void configFileWithEmbeddedZooKeeperStartsZooKeeperOnTheConfiguredAddress() throws Exception {
        int zkPort = freePort();
        int port = freePort();
        Path ini = dir.resolve("server.ini");
        Files.writeString(
                ini,
                "[system]\nbrokerId=7\nhostName=127.0.0.1\nserverPort=" + port + "\ndataPath=" + dir.resolve("data")
                        + "\n[zookeeper]\nzk.zkConnect=127.0.0.1:" + zkPort + "\n[topic=*]\n");
        Path log = dir.resolve("embedded.log");
        Process p = launch(log, "server", "-c", ini.toString(), "--embedded-zk");
        await().atMost(Duration.ofSeconds(60)).until(() -> read(log).contains("Broker 7 started") || !p.isAlive());
        assertThat(read(log)).contains("Embedded ZooKeeper listening on 127.0.0.1:" + zkPort);

        putAndGet(port);

        p.destroy();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void anUnknownKeyStopsStartupWithExitTwoNamingTheFileAndTheKey() throws Exception {
        Path ini = dir.resolve("bad.ini");
        Files.writeString(ini, "[system]\nunflushThreshhold=0\n[topic=t]\n");
        Path log = dir.resolve("bad.log");
        Process p = launch(log, "server", "-c", ini.toString());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(read(log))
                .contains(ini.toString())
                .contains("unflushThreshhold")
                .contains("unflushThreshold");
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
