package io.imago.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.it.harness.BrokerProcess;
import io.imago.it.harness.ClusterExtension;
import io.imago.it.harness.PutAck;
import io.imago.it.harness.RawMetaqConnection;
import io.imago.it.harness.Reply;
import io.imago.it.harness.StoredRecord;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code put} over a raw socket: the three token shapes, the reply body and every refusal (spec §1.4, §1.5). */
@Timeout(30)
class PutIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    static BrokerProcess broker;
    RawMetaqConnection conn;

    @BeforeAll
    static void startBroker() {
        broker = CLUSTER.cluster()
                .startBroker(CLUSTER.cluster()
                        .broker(0)
                        .topic("test")
                        .topic("fresh")
                        .topic("shapes")
                        .topic("spread", "numPartitions", "3"));
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
    void putRepliesIdPartitionAndRecordStartOffset() throws IOException {
        PutAck first = PutAck.of(conn.put("fresh", 0, "hello".getBytes(UTF_8)));
        PutAck second = PutAck.of(conn.put("fresh", 0, Payloads.ATTR_HELLO, 1));

        assertThat(first.partition()).isZero();
        assertThat(first.offset()).isZero();
        assertThat(second.offset()).isEqualTo(25);
        assertThat(second.messageId()).isNotEqualTo(first.messageId());
    }

    @Test
    void workedExampleLineWithAttributeIsAccepted() throws IOException {
        // spec §1.5: "put test 0 13 1 1264772380 7\r\n" + 00 00 00 04 "attr" "hello"
        conn.writeRaw(RawMetaqConnection.frame("put test 0 13 1 1264772380 7", Payloads.ATTR_HELLO));
        Reply reply = conn.read();
        assertThat(reply.opaque()).isEqualTo(7);
        assertThat(PutAck.of(reply).partition()).isZero();
    }

    @Test
    void sixTokenShapeWithoutChecksumIsStored() throws IOException {
        byte[] payload = "six".getBytes(UTF_8);
        PutAck ack = PutAck.of(conn.request("put shapes 0 3 0", payload));
        assertThat(recordAt("shapes", 0, ack.offset()).payload()).isEqualTo(payload);
    }

    @Test
    void sevenTokenShapeWithChecksumMinusOneSkipsTheCheck() throws IOException {
        byte[] payload = "unchecked".getBytes(UTF_8);
        PutAck ack = PutAck.of(conn.request("put shapes 0 9 0 -1", payload));
        StoredRecord stored = recordAt("shapes", 0, ack.offset());
        assertThat(stored.payload()).isEqualTo(payload);
        assertThat(stored.checksumValid()).isTrue();
    }

    @Test
    void eightTokenShapeCarriesATransactionKey() throws IOException {
        String session = "it-session-1";
        String txKey = "TX:" + session + ":1";
        Reply begin = conn.request("transaction " + txKey + " " + session + " BEGIN");
        byte[] payload = "in-tx".getBytes(UTF_8);
        Reply put = conn.request(RawMetaqConnection.putLine("shapes", 0, payload, 0) + " " + txKey, payload);
        // Both brokers journal the message and answer offset -1 until commit.
        assertThat(begin.isResult(200)).as("%s", begin).isTrue();
        assertThat(PutAck.of(put).offset()).isEqualTo(-1);
        assertThat(conn.request("transaction " + txKey + " " + session + " ROLLBACK")
                        .isResult(200))
                .isTrue();
    }

    @Test
    void badChecksumIsRefusedWithTheOriginalText() throws IOException {
        Reply reply = conn.request("put test 0 7 0 12345", "bad-crc".getBytes(UTF_8));
        assertThat(reply.code()).isEqualTo(500);
        assertThat(reply.text())
                .isEqualTo(
                        refusal("test-0", "Checksum failure,message may be corrupted when transfering on networking."));
    }

    @Test
    void partitionMinusOneLetsTheBrokerPickOne() throws IOException {
        byte[] payload = "rnd".getBytes(UTF_8);
        PutAck ack = PutAck.of(conn.put("spread", -1, payload));
        assertThat(ack.partition()).isBetween(0, 2);
        assertThat(recordAt("spread", ack.partition(), ack.offset()).payload()).isEqualTo(payload);
    }

    @Test
    void partitionOutsideTheTopicIsRefused() throws IOException {
        Reply reply = conn.put("test", 7, "p7".getBytes(UTF_8));
        assertThat(reply.code()).isEqualTo(500);
        assertThat(reply.text()).isEqualTo(refusal("test-7", "wrong partition 7"));
    }

    @Test
    void topicMatchingNoSectionIsRefused() throws IOException {
        Reply reply = conn.put("zzz", 0, "x".getBytes(UTF_8));
        assertThat(reply.code()).isEqualTo(500);
        assertThat(reply.text()).isEqualTo(refusal("zzz-0", "The server do not accept topic zzz"));
    }

    @Test
    void refusedPutLeavesTheConnectionUsable() throws IOException {
        conn.put("zzz", 0, "x".getBytes(UTF_8));
        assertThat(conn.request("version").isResult(200)).isTrue();
    }

    private static String refusal(String partition, String detail) {
        return "Put message to [broker '" + broker.url() + "'] [partition '" + partition + "'] failed.Detail:" + detail;
    }

    private StoredRecord recordAt(String topic, int partition, long offset) throws IOException {
        Reply value = conn.get(topic, "it-group", partition, offset, 1024);
        assertThat(value.isValue()).as("%s", value).isTrue();
        List<StoredRecord> records = StoredRecord.parse(value.body()).records();
        assertThat(records).isNotEmpty();
        return records.get(0);
    }
}
