package io.imago.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imago.it.harness.BrokerProcess;
import io.imago.it.harness.ClusterExtension;
import io.imago.it.harness.PutAck;
import io.imago.it.harness.RawMetaqConnection;
import io.imago.it.harness.Reply;
import io.imago.it.harness.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connection-level behaviour: {@code version}, pipelining, {@code quit}, {@code sync}, and bad input
 * that must close only its own connection (spec §1.1–§1.4, DESIGN.md difference 2). Each test keeps a
 * second connection, opened before the bad input, and checks that it still works afterwards.
 */
@Timeout(30)
class ConnectionIT {
    static final Duration CLOSE_DEADLINE = Duration.ofSeconds(5);
    static final Pattern RESULT_500 = Pattern.compile("result 500 (\\d+) (-?\\d+)\r\n");

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    static BrokerProcess broker;
    RawMetaqConnection conn;
    RawMetaqConnection bystander;

    @BeforeAll
    static void startBroker() {
        broker = CLUSTER.cluster().startBroker(CLUSTER.cluster().broker(0).topic("test"));
    }

    @BeforeEach
    void connect() throws IOException {
        conn = RawMetaqConnection.open(broker);
        bystander = RawMetaqConnection.open(broker);
    }

    @AfterEach
    void disconnect() throws IOException {
        conn.close();
        bystander.close();
    }

    @Test
    void versionRepliesWithTheRequestOpaque() throws IOException {
        conn.writeRaw("version 1011\r\n".getBytes(UTF_8));
        Reply reply = conn.read();
        assertThat(reply.isResult(200)).isTrue();
        assertThat(reply.opaque()).isEqualTo(1011);
        assertThat(reply.text()).isNotBlank();
        if (CLUSTER.target() == Target.METAQ) {
            assertThat(reply.text()).isEqualTo("0.1"); // the Central jar lacks build.properties
        }
    }

    @Test
    void versionWithoutOpaqueIsAnsweredWithIntegerMaxValue() throws IOException {
        conn.writeRaw("version\r\n".getBytes(UTF_8));
        Reply reply = conn.read();
        assertThat(reply.isResult(200)).isTrue();
        assertThat(reply.opaque()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void fiveHundredPipelinedMixedRequestsAreEachAnsweredOnce() throws Exception {
        int n = 500;
        Map<Integer, String> verbOf = new HashMap<>();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    String verb =
                            List.of("put", "get", "offset", "version", "stats").get(i % 5);
                    int opaque = switch (verb) {
                        case "put" -> conn.sendPut("test", 0, ("m" + i).getBytes(UTF_8), 0);
                        case "get" -> conn.send("get test it-group 0 0 256");
                        case "offset" -> conn.send("offset test it-group 0 0");
                        case "version" -> conn.send("version");
                        default -> conn.send("stats offsets");
                    };
                    synchronized (verbOf) {
                        verbOf.put(opaque, verb);
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        List<Reply> replies = conn.read(n, Duration.ofSeconds(15));
        writer.get();

        assertThat(replies)
                .extracting(Reply::opaque)
                .doesNotHaveDuplicates()
                .hasSize(n)
                .containsExactlyInAnyOrderElementsOf(verbOf.keySet());
        for (Reply r : replies) {
            String verb = verbOf.get(r.opaque());
            boolean ok = verb.equals("get") ? r.isValue() || r.isResult(404) : r.isResult(200);
            assertThat(ok).as("%s answered by %s", verb, r).isTrue();
        }
        int sentinel = conn.send("version");
        assertThat(conn.read().opaque())
                .as("no reply beyond the %d requests", n)
                .isEqualTo(sentinel);
    }

    @Test
    void quitClosesTheConnectionWithoutReply() throws IOException {
        conn.writeRaw("quit\r\n".getBytes(UTF_8));
        assertThat(conn.readUntilClosed(CLOSE_DEADLINE)).isEmpty();
        assertBystanderServes();
    }

    @Test
    void syncIsRefusedOnAPlainBroker() throws IOException {
        byte[] body = "hello".getBytes(UTF_8);
        Reply reply = conn.request("sync test 0 5 0 1234 " + io.imago.it.harness.StoredRecord.checksumOf(body), body);
        if (CLUSTER.target() == Target.METAQ) {
            assertThat(reply.code()).as("%s", reply).isEqualTo(503); // gecko: no processor registered
        } else {
            assertThat(reply.code()).as("%s", reply).isEqualTo(500);
            assertThat(reply.text()).contains("not supported");
        }
        assertThat(conn.request("version").isResult(200)).isTrue();
    }

    @Test
    void unknownCommandClosesOnlyItsConnection() throws IOException {
        conn.writeRaw("bogus 1\r\n".getBytes(UTF_8));
        assertClosedAfterRefusal(conn.readUntilClosed(CLOSE_DEADLINE));
        assertBystanderServes();
    }

    @Test
    void nonNumericTokenClosesOnlyItsConnection() throws IOException {
        conn.writeRaw("get test it-group zero 0 1024 5\r\n".getBytes(UTF_8));
        assertClosedAfterRefusal(conn.readUntilClosed(CLOSE_DEADLINE));
        assertBystanderServes();
    }

    @Test
    void nonNumericBodyLengthClosesOnlyItsConnection() throws IOException {
        conn.writeRaw("put test 0 five 0 -1 6\r\nhello".getBytes(UTF_8));
        assertClosedAfterRefusal(conn.readUntilClosed(CLOSE_DEADLINE));
        assertBystanderServes();
    }

    @Test
    void headerLineOver4KiBIsRefusedAndClosed() throws IOException {
        assumeTrue(CLUSTER.target() == Target.IMAGO, "DESIGN.md difference 2: the original accepts long lines");
        char[] topic = new char[5000];
        Arrays.fill(topic, 't');
        conn.writeRaw(("put " + new String(topic) + " 0 1 0 -1 9\r\nx").getBytes(UTF_8));
        assertClosedAfterRefusal(conn.readUntilClosed(CLOSE_DEADLINE));
        assertBystanderServes();
    }

    @Test
    void headerWithoutLineEndIsNotBufferedPast4KiB() throws IOException {
        assumeTrue(CLUSTER.target() == Target.IMAGO, "DESIGN.md difference 2: the original buffers the line");
        byte[] noLineEnd = new byte[64 * 1024];
        Arrays.fill(noLineEnd, (byte) 'g');
        try {
            conn.writeRaw(noLineEnd);
        } catch (IOException closedWhileWriting) {
            // the broker may close before it has read everything; that is the behaviour under test
        }
        assertClosedAfterRefusal(conn.readUntilClosed(CLOSE_DEADLINE));
        assertBystanderServes();
    }

    @Test
    void bodyOverMaxMessageSizeIsRefusedWithoutAllocatingIt() throws IOException {
        assumeTrue(CLUSTER.target() == Target.IMAGO, "DESIGN.md difference 2: the original waits for the body");
        long rssBefore = broker.residentBytes();
        try {
            conn.writeRaw("put test 0 2147483647 0 -1 77\r\n".getBytes(UTF_8));
            conn.writeRaw(new byte[1024 * 1024]);
        } catch (IOException closedWhileWriting) {
            // the broker may close before it has read everything; that is the behaviour under test
        }
        assertClosedAfterRefusal(conn.readUntilClosed(CLOSE_DEADLINE));
        long grownBytes = broker.residentBytes() - rssBefore;
        assertThat(grownBytes).as("RSS growth after a 2 GiB claim").isLessThan(64L * 1024 * 1024);
        assertBystanderServes();
    }

    /**
     * The broker closed the connection: the original without a reply (spec §1.1), Imago after
     * exactly one {@code result 500 <reason>} frame (DESIGN.md difference 2).
     */
    private static void assertClosedAfterRefusal(byte[] received) {
        String text = new String(received, StandardCharsets.UTF_8);
        if (CLUSTER.target() == Target.METAQ) {
            assertThat(text).as("bytes before close").isEmpty();
            return;
        }
        Matcher m = RESULT_500.matcher(text);
        assertThat(m.lookingAt())
                .as("a result 500 frame before close, got '%s'", text)
                .isTrue();
        int bodyLen = Integer.parseInt(m.group(1));
        assertThat(received.length - m.end())
                .as("exactly one frame, got '%s'", text)
                .isEqualTo(bodyLen);
        assertThat(bodyLen).as("a reason").isPositive();
    }

    private void assertBystanderServes() throws IOException {
        assertThat(bystander.request("version").isResult(200)).isTrue();
        PutAck.of(bystander.put("test", 0, "still-serving".getBytes(UTF_8)));
    }
}
