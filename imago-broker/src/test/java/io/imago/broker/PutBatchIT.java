package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.protocol.Capabilities;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.ValueCommand;
import io.imago.protocol.message.MessagePayload;
import io.imago.protocol.message.MessageSetIterator;
import io.imago.protocol.message.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@code putb} extension over a raw socket: ids and offsets, refusals, the version marker. */
@Timeout(60)
class PutBatchIT {
    @RegisterExtension
    final BrokerHarnessExtension brokers = BrokerHarnessExtension.onDemand();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<StoredMessage> readAll(WireClient c, String topic, int partition) throws Exception {
        c.send("get " + topic + " g " + partition + " 0 1048576 77\r\n");
        ValueCommand value = (ValueCommand) c.read();
        try {
            List<StoredMessage> out = new ArrayList<>();
            MessageSetIterator it = new MessageSetIterator(value.body(), 0);
            while (it.hasNext()) {
                out.add(it.next());
            }
            return out;
        } finally {
            value.release();
        }
    }

    @Test
    void theVersionReplyAnnouncesPutb() throws Exception {
        BrokerHarness harness = brokers.start("", "[topic=test]");
        try (WireClient c = harness.connect()) {
            ResultCommand reply = (ResultCommand) c.send("version 5\r\n").read();
            try {
                assertThat(reply.code()).isEqualTo(200);
                assertThat(reply.text())
                        .isEqualTo(BrokerVersion.VERSION + " putb=" + (4 * 1024 * 1024) + " longpoll txadmin");
                assertThat(Capabilities.putBatchMaxBytes(reply.text())).isEqualTo(4 * 1024 * 1024);
            } finally {
                reply.release();
            }
        }
    }

    @Test
    void aBatchGetsConsecutiveIdsAndOffsetsThatAGetReturns() throws Exception {
        BrokerHarness harness = brokers.start("numPartitions=2", "[topic=test]");
        List<String> first = List.of("one", "two", "three");
        List<String> second = List.of("four", "", "six-six");
        try (WireClient c = harness.connect()) {
            c.put("test", 1, utf8("single"), 1);
            ResultCommand single = (ResultCommand) c.read();
            assertThat(single.text()).endsWith(" 1 0");
            single.release();
            c.send(WireClient.putbFrame("test", 1, first, 2));
            ResultCommand a = (ResultCommand) c.read();
            c.send(WireClient.putbFrame("test", 1, second, 3));
            ResultCommand b = (ResultCommand) c.read();
            String[] ta = a.text().split(" ");
            String[] tb = b.text().split(" ");
            assertThat(a.code()).isEqualTo(200);
            assertThat(a.opaque()).isEqualTo(2);
            assertThat(ta).hasSize(4);
            assertThat(ta[1]).isEqualTo("1");
            assertThat(ta[2]).isEqualTo("26"); // after the 26-byte record of "single"
            assertThat(ta[3]).isEqualTo("3");
            a.release();
            b.release();

            List<StoredMessage> stored = readAll(c, "test", 1);
            assertThat(stored).hasSize(7);
            List<String> expected = new ArrayList<>(first);
            expected.addAll(second);
            long[] firstIds = {Long.parseLong(ta[0]), Long.parseLong(tb[0])};
            long[] firstOffsets = {Long.parseLong(ta[2]), Long.parseLong(tb[2])};
            for (int batch = 0; batch < 2; batch++) {
                long offset = firstOffsets[batch];
                for (int i = 0; i < 3; i++) {
                    StoredMessage m = stored.get(1 + batch * 3 + i);
                    assertThat(m.id()).isEqualTo(firstIds[batch] + i);
                    assertThat(m.offset()).isEqualTo(offset);
                    MessagePayload expectedPayload = i % 2 == 1
                            ? MessagePayload.of(utf8(expected.get(batch * 3 + i)), "a")
                            : MessagePayload.of(utf8(expected.get(batch * 3 + i)));
                    assertThat(m.payload()).isEqualTo(expectedPayload);
                    offset += m.recordLength();
                }
            }
            assertThat(stored.stream().map(StoredMessage::id).distinct()).hasSize(7);
        }
    }

    @Test
    void oneBadChecksumRefusesTheWholeBatchAndAppendsNothing() throws Exception {
        BrokerHarness harness = brokers.start("", "[topic=test]");
        byte[] frame = WireClient.putbFrame("test", 0, List.of("good", "bad", "good"), 4);
        frame[frame.length - 1] ^= 1; // a payload byte of the last entry
        try (WireClient c = harness.connect()) {
            c.send(frame);
            ResultCommand refused = (ResultCommand) c.read();
            assertThat(refused.code()).isEqualTo(500);
            assertThat(refused.opaque()).isEqualTo(4);
            assertThat(refused.text()).contains("Checksum failure");
            refused.release();
            // the connection stays usable and the partition is empty
            c.send(WireClient.putbFrame("test", 0, List.of("after"), 5));
            ResultCommand ok = (ResultCommand) c.read();
            assertThat(ok.text()).endsWith(" 0 0 1");
            ok.release();
            assertThat(readAll(c, "test", 0)).hasSize(1);
        }
    }

    @Test
    void aPartitionOutOfRangeOrMinusOneIsRefused() throws Exception {
        BrokerHarness harness = brokers.start("numPartitions=2", "[topic=test]");
        try (WireClient c = harness.connect()) {
            for (int partition : new int[] {-1, 2}) {
                c.send(WireClient.putbFrame("test", partition, List.of("x"), 6));
                ResultCommand refused = (ResultCommand) c.read();
                assertThat(refused.code()).isEqualTo(500);
                assertThat(refused.text()).contains("wrong partition " + partition);
                refused.release();
            }
        }
    }

    @Test
    void aMalformedBatchIsAnsweredWith500AndClosesOnlyThatConnection() throws Exception {
        BrokerHarness harness = brokers.start("", "[topic=test]");
        byte[] frame = WireClient.putbFrame("test", 0, List.of("abcdefgh", "ijklmnop"), 8);
        String line = "putb test 0 2 ";
        int lengthAt = line.length();
        // claim 3 entries for a body of 2
        frame[lengthAt - 2] = '3';
        try (WireClient bad = harness.connect();
                WireClient other = harness.connect()) {
            bad.send(frame);
            ResultCommand reply = (ResultCommand) bad.read();
            assertThat(reply.code()).isEqualTo(500);
            assertThat(reply.opaque()).isEqualTo(8);
            assertThat(reply.text()).startsWith("Invalid putb command: batch entry 2 of 3 is truncated");
            reply.release();
            assertThat(bad.closedByBroker(5_000)).isTrue();
            other.send(WireClient.putbFrame("test", 0, List.of("fine"), 9));
            ResultCommand ok = (ResultCommand) other.read();
            assertThat(ok.code()).isEqualTo(200);
            ok.release();
        }
    }

    @Test
    void statsCountMessagesNotFrames() throws Exception {
        BrokerHarness harness = brokers.start("", "[topic=test]");
        try (WireClient c = harness.connect()) {
            c.send(WireClient.putbFrame("test", 0, List.of("a", "b", "c", "d"), 10));
            c.read().release();
            ResultCommand stats = (ResultCommand) c.send("stats  11\r\n").read();
            try {
                assertThat(stats.text()).contains("\r\ncmd_put 4\r\n");
            } finally {
                stats.release();
            }
        }
    }
}
