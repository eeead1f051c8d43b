package io.imago.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.it.harness.BrokerProcess;
import io.imago.it.harness.ClusterExtension;
import io.imago.it.harness.PutAck;
import io.imago.it.harness.RawMetaqConnection;
import io.imago.it.harness.Reply;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code offset}: the start of the segment holding an offset, clamped to [min, max] (spec §1.4).
 * With {@code maxSegmentSize=100} five 60-byte records make segments 0–120, 120–240 and 240–300.
 */
@Timeout(30)
class OffsetIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    static BrokerProcess broker;
    RawMetaqConnection conn;

    @BeforeAll
    static void startBroker() throws IOException {
        broker = CLUSTER.cluster()
                .startBroker(CLUSTER.cluster().broker(0).maxSegmentBytes(100).topic("test"));
        try (RawMetaqConnection c = RawMetaqConnection.open(broker)) {
            for (int i = 0; i < 5; i++) {
                assertThat(PutAck.of(c.put("test", 0, GetIT.payloadOf(GetIT.RECORD_BYTES, i)))
                                .offset())
                        .isEqualTo(60L * i);
            }
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

    @ParameterizedTest(name = "offset {0} -> {1}")
    @CsvSource({
        "0, 0",
        "70, 0",
        "119, 0",
        "120, 120",
        "130, 120",
        "240, 240",
        "299, 240",
        "300, 300",
        "1000, 300",
        "-5, 0"
    })
    void offsetAnswersTheStartOfItsSegmentClampedToTheLog(long asked, long expected) throws IOException {
        Reply reply = conn.offset("test", "it-group", 0, asked);
        assertThat(reply.code()).as("%s", reply).isEqualTo(200);
        assertThat(reply.text()).isEqualTo(Long.toString(expected));
    }

    @Test
    void unknownTopicPartitionAnswers404() throws IOException {
        Reply reply = conn.offset("nosuchtopic", "it-group", 0, 0);
        assertThat(reply.code()).isEqualTo(404);
        assertThat(reply.text()).isEqualTo("The topic `nosuchtopic` in partition `0` is not exists");
    }
}
