package io.imago.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.it.harness.BrokerProcess;
import io.imago.it.harness.ClusterExtension;
import io.imago.it.harness.PutAck;
import io.imago.it.harness.RawMetaqConnection;
import io.imago.it.harness.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code stats} items and their framing (spec §1.4): {@code STATS\r\n<line>\r\n…END\r\n} for every
 * item but {@code config}, whose body is the raw {@code server.ini}. The broker runs with
 * {@code stat=true} and holds one 25-byte message in {@code test}; {@code idle} is configured but empty.
 */
@Timeout(30)
class StatsIT {
    static final List<String> BROKER_KEYS = List.of(
            "pid",
            "broker_id",
            "port",
            "uptime",
            "version",
            "slave",
            "curr_connections",
            "threads",
            "cmd_put",
            "cmd_get",
            "cmd_offset",
            "tx_begin",
            "tx_xa_begin",
            "tx_commit",
            "tx_rollback",
            "get_miss",
            "put_failed",
            "total_messages",
            "topics",
            "config_checksum");
    static final List<String> REALTIME_KEYS = List.of(
            "realtime_put",
            "realtime_get",
            "realtime_offset",
            "realtime_get_miss",
            "realtime_put_failed",
            "realtime_message_size");

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    static BrokerProcess broker;
    RawMetaqConnection conn;

    @BeforeAll
    static void startBroker() throws IOException {
        broker = CLUSTER.cluster()
                .startBroker(CLUSTER.cluster()
                        .broker(3)
                        .system("stat", "true")
                        .topic("test")
                        .topic("idle"));
        try (RawMetaqConnection c = RawMetaqConnection.open(broker)) {
            PutAck.of(c.put("test", 0, "hello".getBytes(UTF_8)));
            c.get("test", "it-group", 0, 0, 1024);
            c.offset("test", "it-group", 0, 0);
        }
    }

    @BeforeEach
    void connect() throws IOException {
        conn = RawMetaqConnection.open(broker);
    }

    @AfterEach
    void disconnect() throws IOException {
        conn.close();
    }

    @Test
    void emptyItemInTheClientsTwoSpaceFormListsEveryBrokerLine() throws IOException {
        conn.writeRaw("stats  41\r\n".getBytes(UTF_8));
        Reply reply = conn.read();
        assertThat(reply.opaque()).isEqualTo(41);
        Map<String, String> stats = keyValues(statsLines(reply));
        assertThat(stats.keySet()).containsExactlyElementsOf(BROKER_KEYS);
        assertThat(stats)
                .containsEntry("pid", Long.toString(broker.pid()))
                .containsEntry("broker_id", "3")
                .containsEntry("port", Integer.toString(broker.port()))
                .containsEntry("slave", "false")
                .containsEntry("config_checksum", Long.toString(crc32(Files.readAllBytes(broker.iniFile()))));
        assertThat(Long.parseLong(stats.get("cmd_put"))).isGreaterThanOrEqualTo(1);
        assertThat(Long.parseLong(stats.get("curr_connections"))).isGreaterThanOrEqualTo(1);
    }

    @Test
    void topicsItemDescribesLoadedAndEmptyTopics() throws IOException {
        assertThat(statsLines(conn.stats("topics")))
                .containsExactlyInAnyOrder(
                        "test partitions 1 message_count 1 message_bytes 25 accept_publish true accept_subscribe true",
                        "idle *Empty*");
    }

    @Test
    void offsetsItemListsEachLoadedPartition() throws IOException {
        assertThat(statsLines(conn.stats("offsets"))).containsExactly("test part 0 min_offset 0 max_offset 25");
    }

    @Test
    void realtimeItemHasALinePerCounter() throws IOException {
        List<String> lines = statsLines(conn.stats("realtime"));
        assertThat(lines).hasSize(REALTIME_KEYS.size());
        for (int i = 0; i < REALTIME_KEYS.size(); i++) {
            assertThat(lines.get(i)).startsWith(REALTIME_KEYS.get(i) + " ");
        }
        assertThat(lines.get(0))
                .matches("realtime_put Count=\\d+,Value=\\d+,Value/Count=\\S+,Count/Duration=\\S+,Duration=\\d+");
    }

    @Test
    void resetItemAnswersResetOk() throws IOException {
        assertThat(statsLines(conn.stats("reset"))).containsExactly("reset ok");
    }

    @Test
    void helpItemListsTheItems() throws IOException {
        List<String> words = statsLines(conn.stats("help")).stream()
                .map(l -> l.split(" ")[0])
                .toList();
        assertThat(words).containsExactly("*EMPTY*", "help", "topics", "offsets", "realtime", "config");
    }

    @Test
    void configItemIsTheRawServerIniWithoutFraming() throws IOException {
        Reply reply = conn.stats("config");
        assertThat(reply.isResult(200)).isTrue();
        assertThat(reply.body()).isEqualTo(Files.readAllBytes(broker.iniFile()));
    }

    @Test
    void topicNameItemDescribesThatTopic() throws IOException {
        List<String> lines = statsLines(conn.stats("test"));
        assertThat(lines.subList(0, 5))
                .containsExactly("test", "resultCode 0", "partitions 1", "message_count 1", "bytes 25");
        assertThat(lines.subList(5, lines.size()))
                .extracting(l -> l.split(" ")[0])
                .containsExactly(
                        "topic_realtime_put",
                        "topic_realtime_get",
                        "topic_realtime_offset",
                        "topic_realtime_get_miss",
                        "topic_realtime_put_failed",
                        "topic_realtime_message_size");
    }

    @Test
    void topicNameItemTellsConfiguredEmptyFromUnknown() throws IOException {
        assertThat(statsLines(conn.stats("idle"))).contains("resultCode 2");
        assertThat(statsLines(conn.stats("nosuch"))).contains("resultCode 1");
    }

    @Test
    void itemWithoutOpaqueIsAnsweredWithIntegerMaxValue() throws IOException {
        conn.writeRaw("stats offsets\r\n".getBytes(UTF_8));
        Reply reply = conn.read();
        assertThat(reply.opaque()).isEqualTo(Integer.MAX_VALUE);
        assertThat(statsLines(reply)).containsExactly("test part 0 min_offset 0 max_offset 25");
    }

    /** The lines between {@code STATS} and {@code END}, after checking that framing byte for byte. */
    static List<String> statsLines(Reply reply) {
        assertThat(reply.isResult(200)).as("%s", reply).isTrue();
        String body = reply.text();
        assertThat(body).startsWith("STATS\r\n").endsWith("END\r\n");
        String inner = body.substring("STATS\r\n".length(), body.length() - "END\r\n".length());
        if (inner.isEmpty()) {
            return List.of();
        }
        assertThat(inner).endsWith("\r\n");
        return Arrays.asList(inner.substring(0, inner.length() - 2).split("\r\n", -1));
    }

    private static Map<String, String> keyValues(List<String> lines) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : lines) {
            int space = line.indexOf(' ');
            assertThat(space).as("line '%s' has a value", line).isPositive();
            map.put(line.substring(0, space), line.substring(space + 1));
        }
        return map;
    }

    private static long crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
