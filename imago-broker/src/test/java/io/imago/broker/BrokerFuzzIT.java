package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.protocol.command.ResultCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and mutated frames sent to a live broker over real sockets: whatever a connection
 * receives, the broker keeps serving every other connection (a healthy client's {@code version}
 * and {@code put} are answered after each malformed stream).
 */
class BrokerFuzzIT {
    private static final List<String> VALID = List.of(
            "put test 0 5 0 -1 1\r\nhello",
            "put test -1 5 1 -1 TX:a:1 2\r\nhello",
            "get test g 0 0 1024 3\r\n",
            "offset test g 0 0 4\r\n",
            "stats  5\r\n",
            "stats topics 6\r\n",
            "version 7\r\n",
            "transaction TX:a:1 a BEGIN 8\r\n",
            "sync test 0 5 0 1 -1 9\r\nhello");

    private static Path dir;
    private static BrokerHarness harness;
    private static WireClient healthy;

    @BeforeContainer
    static void startBroker() throws Exception {
        dir = Files.createTempDirectory("imago-fuzz");
        harness = BrokerHarness.start(dir, "maxMessageSize=65536", "[topic=test]");
        healthy = harness.connect();
    }

    @AfterContainer
    static void stopBroker() throws IOException {
        healthy.close();
        harness.close();
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 100)
    void anyByteStreamLeavesOtherConnectionsServed(@ForAll("streams") byte[] stream) throws Exception {
        try (Socket s = new Socket("127.0.0.1", harness.port())) {
            s.setSoTimeout(100);
            OutputStream out = s.getOutputStream();
            try {
                out.write(stream);
                out.flush();
                drain(s.getInputStream());
            } catch (IOException closedByBroker) {
                // the broker may close a connection that sent garbage; that is allowed
            }
        }
        healthy.send("version 42\r\n");
        ResultCommand version = (ResultCommand) healthy.read();
        assertThat(version.opaque()).isEqualTo(42);
        version.release();
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        try {
            while (in.read(buf) >= 0) {
                // keep reading until the broker is quiet or closes
            }
        } catch (SocketTimeoutException quiet) {
            // nothing more is coming for now
        }
    }

    @Provide
    Arbitrary<byte[]> streams() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
        Arbitrary<byte[]> valid = Arbitraries.of(VALID).map(v -> v.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> mutated = Combinators.combine(
                        valid, Arbitraries.integers().between(0, 1000), Arbitraries.bytes())
                .as((bytes, where, value) -> {
                    byte[] copy = bytes.clone();
                    copy[where % copy.length] = value;
                    return copy;
                });
        Arbitrary<byte[]> truncated = Combinators.combine(
                        valid, Arbitraries.integers().between(0, 1000))
                .as((bytes, cut) -> java.util.Arrays.copyOf(bytes, cut % (bytes.length + 1)));
        Arbitrary<byte[]> hugeClaim = Arbitraries.of(
                        "put test 0 2147483647 0 -1 1\r\n",
                        "put test 0 -5 0 -1 1\r\n",
                        "get test g 0 x 10 1\r\n",
                        "stats " + "x".repeat(5000) + " 1\r\n",
                        "put test 0 99999999999 0 -1 1\r\n")
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
        return Arbitraries.oneOf(random, mutated, truncated, hugeClaim);
    }
}
