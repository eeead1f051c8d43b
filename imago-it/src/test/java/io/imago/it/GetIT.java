package io.imago.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.it.harness.BrokerProcess;
import io.imago.it.harness.ClusterExtension;
import io.imago.it.harness.PutAck;
import io.imago.it.harness.RawMetaqConnection;
import io.imago.it.harness.Reply;
import io.imago.it.harness.StoredRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every row of the {@code get} decision table (spec §1.4) against a broker process.
 *
 * <p>Broker 0 runs with {@code updateConsumerOffsets=true} and {@code maxSegmentSize=100}; its topic
 * {@code test} holds the spec §1.5 example (a 25-byte {@code hello} record, then a 33-byte record with
 * attribute {@code attr}: max offset 58), {@code segments} holds five 60-byte records (segments
 * 0–120, 120–240, 240–300) and {@code retained} the same, with a one-second delete policy run every
 * second so its first two segments disappear. Broker 1 runs with the default
 * {@code updateConsumerOffsets=false}.
 */
@Timeout(30)
class GetIT {
    static final String GROUP = "it-group";
    static final int RECORD_BYTES = 60;

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    static BrokerProcess tellsMax;
    static BrokerProcess plain;
    static PutAck hello;
    static PutAck withAttr;
    RawMetaqConnection conn;

    @BeforeAll
    static void startBrokers() throws IOException {
        tellsMax = CLUSTER.cluster()
                .startBroker(CLUSTER.cluster()
                        .broker(0)
                        .updateConsumerOffsets(true)
                        .maxSegmentBytes(100)
                        .topic("test")
                        .topic("segments")
                        .topic("retained", "deletePolicy", "delete,1s", "deleteWhen", "0/1 * * * * ?"));
        plain = CLUSTER.cluster().startBroker(CLUSTER.cluster().broker(1).topic("test"));
        try (RawMetaqConnection c = RawMetaqConnection.open(tellsMax)) {
            hello = PutAck.of(c.put("test", 0, "hello".getBytes(UTF_8)));
            withAttr = PutAck.of(c.put("test", 0, Payloads.ATTR_HELLO, 1));
            for (int i = 0; i < 5; i++) {
                PutAck.of(c.put("segments", 0, payloadOf(RECORD_BYTES, i)));
                PutAck.of(c.put("retained", 0, payloadOf(RECORD_BYTES, i)));
            }
        }
        try (RawMetaqConnection c = RawMetaqConnection.open(plain)) {
            PutAck.of(c.put("test", 0, "hello".getBytes(UTF_8)));
        }
    }

    @BeforeEach
    void connect() throws IOException {
        conn = RawMetaqConnection.open(tellsMax);
    }

    @AfterEach
    void disconnect() throws IOException {
        conn.close();
    }

    @Test
    void unknownTopicPartitionAnswers404() throws IOException {
        Reply reply = conn.get("nosuchtopic", GROUP, 0, 0, 1024);
        assertThat(reply.code()).isEqualTo(404);
        assertThat(reply.text()).isEqualTo("The topic `nosuchtopic` in partition `0` is not exists");
    }

    @Test
    void partitionNeverWrittenAnswers404() throws IOException {
        Reply reply = conn.get("test", GROUP, 5, 0, 1024);
        assertThat(reply.code()).isEqualTo(404);
        assertThat(reply.text()).isEqualTo("The topic `test` in partition `5` is not exists");
    }

    @Test
    void maxSizeZeroAnswers400() throws IOException {
        Reply reply = conn.get("test", GROUP, 0, 0, 0);
        assertThat(reply.code()).isEqualTo(400);
        assertThat(reply.text()).isEqualTo("Bad request,invalid max size:0");
    }

    @Test
    void negativeOffsetAnswers301WithFirstOffset() throws IOException {
        Reply reply = conn.get("test", GROUP, 0, -1, 1024);
        assertThat(reply.code()).isEqualTo(301);
        assertThat(reply.text()).isEqualTo("0");
    }

    @Test
    void offsetBelowFirstRetainedSegmentAnswers301WithFirstOffset() throws IOException {
        await("retention deletes the first two segments of 'retained'")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> conn.offset("retained", GROUP, 0, 0).text(), "240"::equals);
        for (long offset : new long[] {0, 60, 130}) {
            Reply reply = conn.get("retained", GROUP, 0, offset, 1024);
            assertThat(reply.code()).as("get at %d: %s", offset, reply).isEqualTo(301);
            assertThat(reply.text()).isEqualTo("240");
        }
        assertThat(conn.get("retained", GROUP, 0, 240, 1024).isValue()).isTrue();
    }

    @Test
    void offsetAtMaxAnswers404CouldNotFind() throws IOException {
        Reply reply = conn.get("test", GROUP, 0, 58, 1024);
        assertThat(reply.code()).isEqualTo(404);
        assertThat(reply.text()).isEqualTo("Could not find message at position 58");
    }

    @Test
    void offsetBeyondMaxAnswers301MaxWhenBrokerUpdatesConsumerOffsets() throws IOException {
        Reply reply = conn.get("test", GROUP, 0, 999_999_999L, 1024);
        assertThat(reply.code()).isEqualTo(301);
        assertThat(reply.text()).isEqualTo("58");
    }

    @Test
    void offsetBeyondMaxAnswers404WhenBrokerDoesNotUpdateConsumerOffsets() throws IOException {
        try (RawMetaqConnection c = RawMetaqConnection.open(plain)) {
            Reply reply = c.get("test", GROUP, 0, 1000, 1024);
            assertThat(reply.code()).isEqualTo(404);
            assertThat(reply.text()).isEqualTo("Could not find message at position 1000");
        }
    }

    @Test
    void longMaxValueAnswers301MaxEvenWithoutUpdateConsumerOffsets() throws IOException {
        assertThat(conn.get("test", GROUP, 0, Long.MAX_VALUE, 1024).text()).isEqualTo("58");
        try (RawMetaqConnection c = RawMetaqConnection.open(plain)) {
            Reply reply = c.get("test", GROUP, 0, Long.MAX_VALUE, 1024);
            assertThat(reply.code()).isEqualTo(301);
            assertThat(reply.text()).isEqualTo("25");
        }
    }

    @Test
    void valueCarriesTheStoredRecordsOfTheWorkedExample() throws IOException {
        Reply reply = conn.get("test", GROUP, 0, 0, 1024);
        assertThat(reply.isValue()).as("%s", reply).isTrue();
        assertThat(reply.body()).hasSize(58);
        StoredRecord.MessageSet set = StoredRecord.parse(reply.body());
        assertThat(set.trailingBytes()).isZero();
        List<StoredRecord> records = set.records();
        assertThat(records).hasSize(2);
        assertRecord(records.get(0), 5, 0x3610a686, 0, "hello".getBytes(UTF_8), hello.messageId());
        assertRecord(records.get(1), 13, 0x4b62e51c, 1, Payloads.ATTR_HELLO, withAttr.messageId());
    }

    @Test
    void maxSizeCutsTheLastRecordWithoutAlignment() throws IOException {
        Reply whole = conn.get("test", GROUP, 0, 0, 1024);
        Reply cut = conn.get("test", GROUP, 0, 0, 30);
        assertThat(cut.isValue()).isTrue();
        assertThat(cut.body()).isEqualTo(Arrays.copyOf(whole.body(), 30));
        StoredRecord.MessageSet set = StoredRecord.parse(cut.body());
        assertThat(set.records()).hasSize(1);
        assertThat(set.trailingBytes()).isEqualTo(5);
    }

    @Test
    void offsetInsideARecordIsServedAsIs() throws IOException {
        Reply whole = conn.get("test", GROUP, 0, 0, 1024);
        Reply inside = conn.get("test", GROUP, 0, 5, 64);
        assertThat(inside.body()).isEqualTo(Arrays.copyOfRange(whole.body(), 5, 58));
    }

    @Test
    void valueNeverCrossesASegmentBoundary() throws IOException {
        assertThat(conn.get("segments", GROUP, 0, 0, 1024).body()).hasSize(120);
        assertThat(conn.get("segments", GROUP, 0, 60, 1024).body()).hasSize(60);
        assertThat(conn.get("segments", GROUP, 0, 120, 1024).body()).hasSize(120);
        Reply last = conn.get("segments", GROUP, 0, 240, 1024);
        assertThat(last.body()).hasSize(60);
        StoredRecord record = StoredRecord.parse(last.body()).records().get(0);
        assertThat(record.payload()).isEqualTo(payloadOf(RECORD_BYTES, 4));
    }

    private static void assertRecord(StoredRecord r, int length, int checksum, int flag, byte[] payload, long id) {
        assertThat(r.length()).isEqualTo(length);
        assertThat(r.checksum()).isEqualTo(checksum);
        assertThat(r.flag()).isEqualTo(flag);
        assertThat(r.payload()).isEqualTo(payload);
        assertThat(r.id()).as("id of the record = id in the put reply").isEqualTo(id);
    }

    /** A payload that makes a record of exactly {@code recordBytes} bytes, tagged with {@code n}. */
    static byte[] payloadOf(int recordBytes, int n) {
        byte[] payload = new byte[recordBytes - StoredRecord.HEADER_BYTES];
        Arrays.fill(payload, (byte) ('a' + n));
        return payload;
    }
}
