package io.imago.protocol.codec;

import static io.imago.protocol.codec.Wire.ascii;
import static io.imago.protocol.codec.Wire.concat;
import static io.imago.protocol.codec.Wire.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.protocol.command.Replies;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.StatusCode;
import io.imago.protocol.command.TransactionId;
import io.imago.protocol.command.ValueCommand;
import io.imago.protocol.command.ValueHeader;
import io.imago.protocol.message.MessagePayload;
import io.imago.protocol.message.MessageSetIterator;
import io.imago.protocol.message.StoredMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class ResponseCodecTest {
    private static final String BROKER = "meta://127.0.0.1:8123";

    /** The two stored messages of the spec's worked get example (58 bytes). */
    private static final byte[] WORKED_MESSAGE_SET = hex("""
            00000005 3610a686 b41a730609400000 00000000 68656c6c6f
            0000000d 4b62e51c b41a730699800000 00000001 00000004 61747472 68656c6c6f""");

    private static List<Object> decode(byte[] bytes, int chunkSize) {
        try (Wire.Harness h = new Wire.Harness(new ResponseDecoder())) {
            return h.feed(Wire.chunks(bytes, chunkSize));
        }
    }

    private static String reencode(List<Object> replies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object reply : replies) {
            ((ResponseCommand) reply).retain();
            out.writeBytes(Wire.encodeResponse(reply));
        }
        return Wire.text(out.toByteArray());
    }

    private static byte[] packet(int section, int number) {
        return Wire.capture().stream()
                .filter(p -> p.section() == section && p.number() == number)
                .findFirst()
                .orElseThrow()
                .bytes();
    }

    @Test
    void putRepliesMatchTheWorkedExamples() {
        assertThat(Wire.text(Wire.encodeResponse(Replies.putOk(-5468932325305745408L, 0, 25, 7))))
                .isEqualTo("result 200 25 7\r\n-5468932325305745408 0 25");
        assertThat(Wire.text(Wire.encodeResponse(Replies.putOk(-5468932327725858816L, 0, 0, 2))))
                .isEqualTo("result 200 24 2\r\n-5468932327725858816 0 0");
        assertThat(Wire.text(Wire.encodeResponse(Replies.putOk(-5468932056614424576L, 2, -1, -2147483643))))
                .isEqualTo("result 200 25 -2147483643\r\n-5468932056614424576 2 -1");
        assertThat(Wire.text(Wire.encodeResponse(Replies.noMessageAt(55, -2147483638))))
                .isEqualTo("result 404 37 -2147483638\r\nCould not find message at position 55");
    }

    @Test
    void valueReplyOfTheWorkedGetExampleDecodesToItsTwoMessages() {
        byte[] frame = concat(ascii("value 58 10\r\n"), WORKED_MESSAGE_SET);
        List<Object> decoded = decode(frame, 5);
        assertThat(decoded).hasSize(1);
        ValueCommand value = (ValueCommand) decoded.get(0);
        assertThat(value.opaque()).isEqualTo(10);
        MessageSetIterator it = new MessageSetIterator(value.body(), 0);
        StoredMessage first = it.next();
        StoredMessage second = it.next();
        assertThat(it.hasNext()).isFalse();
        assertThat(first.offset()).isZero();
        assertThat(first.id()).isEqualTo(-5468932327725858816L);
        assertThat(first.payload()).isEqualTo(MessagePayload.of(ascii("hello")));
        assertThat(second.offset()).isEqualTo(25);
        assertThat(second.id()).isEqualTo(-5468932325305745408L);
        assertThat(second.payload()).isEqualTo(MessagePayload.of(ascii("hello"), "attr"));
        assertThat(it.nextOffset()).isEqualTo(58);
        assertThat(reencode(decoded)).isEqualTo(Wire.text(frame));
        value.release();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void capturedBrokerStreamDecodesAndReencodesByteForByte(int section) {
        byte[] stream = Wire.stream(section, false);
        List<Object> whole = decode(stream, stream.length);
        List<Object> byteByByte = decode(stream, 1);
        assertThat(whole).isNotEmpty().allMatch(ResponseCommand.class::isInstance);
        assertThat(byteByByte).isEqualTo(whole);
        assertThat(reencode(whole)).isEqualTo(Wire.text(stream));
        Wire.releaseAll(whole);
        Wire.releaseAll(byteByByte);
    }

    @Test
    void catalogueRepliesEncodeToTheCapturedBytes() {
        Map<byte[], ResultCommand> expected = Map.ofEntries(
                Map.entry(packet(1, 2), Replies.putOk(-5468932498962513920L, 0, 0, -2147483648)),
                Map.entry(packet(1, 4), Replies.putOk(-5468932498811518976L, 0, 31, -2147483647)),
                Map.entry(packet(1, 6), Replies.noMessageAt(0, -2147483646)),
                Map.entry(packet(1, 23), Replies.offsetOk(0, 424242)),
                Map.entry(
                        packet(1, 27),
                        Replies.stats(
                                List.of("test partitions 1 message_count 2 message_bytes 69"
                                        + " accept_publish true accept_subscribe true"),
                                434343)),
                Map.entry(packet(2, 4), Replies.ok("0.1", -2147483647)),
                Map.entry(packet(3, 2), Replies.moved(99, 1000)),
                Map.entry(packet(3, 4), Replies.topicPartitionNotExists("nosuchtopic", 0, 1001)),
                Map.entry(packet(3, 6), Replies.invalidMaxSize(0, 1002)),
                Map.entry(packet(3, 14), Replies.offsetOk(99, 1005)),
                Map.entry(packet(3, 16), Replies.putChecksumFailure(BROKER, "test", 0, 1006)),
                Map.entry(packet(3, 18), Replies.putTopicNotAccepted(BROKER, "nosuchtopic", 0, 1007)),
                Map.entry(packet(3, 20), Replies.putWrongPartition(BROKER, "test", 7, 1008)),
                Map.entry(packet(3, 22), Replies.putOk(-5468931764330168320L, 0, 99, 1009)),
                Map.entry(packet(3, 26), Replies.ok("0.1", 1011)));
        expected.forEach((bytes, reply) ->
                assertThat(Wire.text(Wire.encodeResponse(reply))).isEqualTo(Wire.text(bytes)));
    }

    @Test
    void statsWithoutItemReplyMatchesTheCapture() {
        List<String> lines = List.of(
                "pid 11977",
                "broker_id 0",
                "port 8123",
                "uptime 186",
                "version 0.1",
                "slave false",
                "curr_connections 1",
                "threads 60",
                "cmd_put 7",
                "cmd_get 25",
                "cmd_offset 3",
                "tx_begin 0",
                "tx_xa_begin 0",
                "tx_commit 0",
                "tx_rollback 0",
                "get_miss 21",
                "put_failed 3",
                "total_messages 4",
                "topics 1",
                "config_checksum 3558773251");
        assertThat(Wire.text(Wire.encodeResponse(Replies.stats(lines, 1010)))).isEqualTo(Wire.text(packet(3, 24)));
    }

    @Test
    void valueHeaderEncodesToTheCapturedLineAndLetsTheFileRegionThrough(@TempDir Path dir) throws IOException {
        assertThat(Wire.encodeResponse(new ValueHeader(69, -2147483640))).isEqualTo(packet(1, 18));
        assertThat(Wire.encodeResponse(new ValueHeader(64, 1003))).isEqualTo(packet(3, 8));
        Path segment = Files.write(dir.resolve("00000000000000000000.meta"), packet(1, 19));
        try (Wire.Harness h = new Wire.Harness(new ResponseEncoder())) {
            FileRegion region = new DefaultFileRegion(segment.toFile(), 0, 69);
            h.channel.writeOutbound(new ValueHeader(69, 7), region); // rethrows what the encoder threw
            ByteBuf header = h.channel.readOutbound();
            assertThat(Wire.text(Wire.bytes(header))).isEqualTo("value 69 7\r\n");
            header.release();
            Object passed = h.channel.readOutbound();
            assertThat(passed).isSameAs(region);
            region.release();
        }
    }

    @Test
    void truncatedValueBodyYieldsNoMessageAndRefetchesFromTheStart() {
        byte[] frame = concat(packet(3, 11), packet(3, 12));
        ValueCommand value = (ValueCommand) decode(frame, 3).get(0);
        MessageSetIterator it = new MessageSetIterator(value.body(), 0);
        assertThat(it.hasNext()).isFalse();
        assertThat(it.nextOffset()).isZero();
        value.release();
    }

    @Test
    void resultWithEmptyBodyHasNoBodyBytes() {
        ResultCommand ok =
                (ResultCommand) decode(ascii("result 200 0 -5\r\n"), 1).get(0);
        assertThat(ok.isSuccess()).isTrue();
        assertThat(ok.status()).contains(StatusCode.SUCCESS);
        assertThat(ok.text()).isEmpty();
        assertThat(Wire.text(Wire.encodeResponse(Replies.ok(-5)))).isEqualTo("result 200 0 -5\r\n");
        ok.release();
    }

    @Test
    void resultBodyMayHoldNonUtf8BytesAndIsKeptVerbatim() {
        byte[] gbk = {(byte) 0xd6, (byte) 0xd0, (byte) 0xce, (byte) 0xc4};
        byte[] frame = concat(ascii("result 200 4 9\r\n"), gbk);
        List<Object> decoded = decode(frame, 2);
        assertThat(reencode(decoded)).isEqualTo(Wire.text(frame));
        assertThat(Wire.encodeResponse(Replies.ok(Unpooled.wrappedBuffer(gbk), 9)))
                .isEqualTo(frame);
        Wire.releaseAll(decoded);
    }

    @Test
    void transactionRepliesFollowTheOriginalFormats() {
        TransactionId xid = TransactionId.parse("XID:1:0a0b:0c0d:uq-host");
        assertThat(Wire.text(Wire.encodeResponse(Replies.xaException(-4, Replies.xaNotStartedText(xid), 3))))
                .isEqualTo("result 500 86 3\r\nXAException:code=-4,msg=XA transaction 'XID:1:0a0b:0c0d:uq-host'"
                        + " has not been started.");
        assertThat(Replies.localTransactionNotStarted(TransactionId.parse("TX:sess-1:9"), 1)
                        .text())
                .isEqualTo("Local transaction 'TX:sess-1:9' has not been started.");
        assertThat(Replies.recovered(List.of(xid, TransactionId.parse("XID:2:ff:00:q")), 4)
                        .text())
                .isEqualTo("XID:1:0a0b:0c0d:uq-host\r\nXID:2:ff:00:q");
        assertThat(Replies.recovered(List.of(), 4).bodyLength()).isZero();
        assertThat(Replies.prepareVote(3, 4).text()).isEqualTo("3");
        assertThat(Replies.invalidTransactionPartition(-1, 4).text())
                .isEqualTo("Invalid partition for transaction command:-1");
    }

    @Test
    void closedPartitionRepliesDifferBetweenPutAndGetAsInTheOriginal() {
        ResultCommand put = Replies.putPartitionClosed(BROKER, "T", 1, 0, 5);
        assertThat(put.code()).isEqualTo(403);
        assertThat(put.text())
                .isEqualTo("Put message to [broker 'meta://127.0.0.1:8123'] [partition 'T-1'] failed."
                        + "Detail:partition[0-1] has been closed");
        ResultCommand get = Replies.getPartitionClosed(0, 1, 5);
        assertThat(get.code()).isEqualTo(403);
        assertThat(get.text()).isEqualTo("Partition[0-1] has been closed");
        assertThat(Replies.putFailed(BROKER, "T", 1, 5).text())
                .isEqualTo("Put message to [broker 'meta://127.0.0.1:8123'] [partition 'T-1'] failed.");
    }

    @Test
    void inMemoryValueReplyIsWrittenAsHeaderAndBody() {
        ValueCommand value = new ValueCommand(Unpooled.wrappedBuffer(WORKED_MESSAGE_SET), 10);
        assertThat(value.header()).isEqualTo(new ValueHeader(58, 10));
        assertThat(Wire.encodeResponse(value)).isEqualTo(concat(ascii("value 58 10\r\n"), WORKED_MESSAGE_SET));
        assertThat(value.refCnt()).as("the encoder released the reply").isZero();
    }

    @Test
    void pipelinedRepliesSplitAcrossReadsDecodeInOrder() {
        List<byte[]> packets = new ArrayList<>();
        Wire.capture().stream().filter(p -> !p.clientToBroker()).forEach(p -> packets.add(p.bytes()));
        byte[] all = concat(packets.toArray(byte[][]::new));
        for (int chunk : new int[] {1, 13, 64, all.length}) {
            List<Object> replies = decode(all, chunk);
            assertThat(replies)
                    .as("19 replies in 24 packets: three value bodies travel apart")
                    .hasSize(19);
            Wire.releaseAll(replies);
        }
    }
}
