package io.imago.protocol.codec;

import static io.imago.protocol.codec.Wire.ascii;
import static io.imago.protocol.codec.Wire.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.protocol.Capabilities;
import io.imago.protocol.RecordDescriptor;
import io.imago.protocol.command.PutBatchCommand;
import io.imago.protocol.command.Replies;
import io.imago.protocol.message.MessagePayload;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class PutBatchCodecTest {

    /** The entries of "hello" (no attribute), "" with attribute "attr", and "world". */
    private static ByteBuf threeEntries() {
        ByteBuf body = Unpooled.buffer();
        PutBatchCommand.writeEntry(body, null, ascii("hello"));
        PutBatchCommand.writeEntry(body, "attr", ascii(""));
        PutBatchCommand.writeEntry(body, null, ascii("world"));
        return body;
    }

    private static byte[] frame(String line, byte[] body) {
        return concat(ascii(line + "\r\n"), body);
    }

    @Test
    void entriesAreTheLengthFlagChecksumAndPayloadOfASinglePut() {
        ByteBuf body = Unpooled.buffer();
        int written = PutBatchCommand.writeEntry(body, "attr", ascii("hello"));
        byte[] payload = MessagePayload.of(ascii("hello"), "attr").encode();
        assertThat(written)
                .isEqualTo(12 + payload.length)
                .isEqualTo(PutBatchCommand.entryBytes("attr", ascii("hello")));
        assertThat(body.readInt()).isEqualTo(13);
        assertThat(body.readInt()).isEqualTo(1);
        assertThat(body.readInt()).isEqualTo(1264772380); // the checksum of spec section 1.5's worked example
        assertThat(Wire.bytes(body)).isEqualTo(payload);
    }

    @Test
    void roundTripKeepsEveryEntryAndTheHeaderLine() {
        byte[] body = Wire.bytes(threeEntries());
        byte[] frame = frame("putb test 2 3 " + body.length + " -7", body);
        List<Object> decoded;
        try (Wire.Harness h = new Wire.Harness(new RequestDecoder())) {
            decoded = h.feed(Wire.chunks(frame, 5));
        }
        assertThat(decoded).hasSize(1).first().isInstanceOf(PutBatchCommand.class);
        PutBatchCommand batch = (PutBatchCommand) decoded.get(0);
        try {
            assertThat(batch.topic()).isEqualTo("test");
            assertThat(batch.partition()).isEqualTo(2);
            assertThat(batch.count()).isEqualTo(3);
            assertThat(batch.opaque()).isEqualTo(-7);
            assertThat(batch.recordBytes()).isEqualTo(3L * RecordDescriptor.HEADER_LENGTH + 5 + 8 + 5);
            List<String> seen = new ArrayList<>();
            batch.forEachEntry((i, flag, checksum, payload) -> {
                assertThat(checksum).isEqualTo(RecordDescriptor.checksum(payload));
                ByteBuf view = Unpooled.wrappedBuffer(payload);
                seen.add(i + ":" + flag + ":" + MessagePayload.decode(flag, view));
            });
            assertThat(seen)
                    .containsExactly(
                            "0:0:" + MessagePayload.of(ascii("hello")),
                            "1:1:" + MessagePayload.of(ascii(""), "attr"),
                            "2:0:" + MessagePayload.of(ascii("world")));
            batch.retain();
            assertThat(Wire.text(Wire.encodeRequest(batch))).isEqualTo(Wire.text(frame));
        } finally {
            batch.release();
        }
        assertThat(batch.refCnt()).isZero();
    }

    @Test
    void aBatchIsFollowedByOtherFramesOnTheSameStream() {
        byte[] body = Wire.bytes(threeEntries());
        byte[] stream = concat(frame("putb t 0 3 " + body.length + " 1", body), ascii("version 2\r\n"));
        try (Wire.Harness h = new Wire.Harness(new RequestDecoder())) {
            List<Object> out = h.feed(Wire.chunks(stream, 3));
            assertThat(out).hasSize(2);
            assertThat(out.get(0)).isInstanceOf(PutBatchCommand.class);
            Wire.releaseAll(out);
            h.finish();
            assertThat(h.leaks()).isEmpty();
        }
    }

    /** Feeds a bad batch then a valid frame: one MalformedFrame, nothing else, nothing leaked. */
    private static MalformedFrame malformed(byte[] input) {
        try (Wire.Harness h = new Wire.Harness(new RequestDecoder())) {
            List<Object> out = h.feed(input);
            out.addAll(h.feed(ascii("version 1\r\n")));
            assertThat(out).hasSize(1).first().isInstanceOf(MalformedFrame.class);
            h.finish();
            assertThat(h.leaks()).isEmpty();
            return (MalformedFrame) out.get(0);
        }
    }

    @Test
    void anEntryLongerThanTheBodyIsMalformed() {
        ByteBuf entries = threeEntries();
        entries.setInt(0, 1000);
        byte[] body = Wire.bytes(entries);
        MalformedFrame bad = malformed(frame("putb t 0 3 " + body.length + " 9", body));
        assertThat(bad.opaque()).isEqualTo(9);
        assertThat(bad.reason()).startsWith("Invalid putb command: batch entry 0 of 3 claims 1000 payload bytes");
        assertThat(bad.toReply().code()).isEqualTo(500);
    }

    @Test
    void aNegativeEntryLengthIsMalformed() {
        ByteBuf entries = threeEntries();
        entries.setInt(0, -1);
        byte[] body = Wire.bytes(entries);
        assertThat(malformed(frame("putb t 0 3 " + body.length + " 9", body)).reason())
                .contains("batch entry 0 of 3 claims -1 payload bytes");
    }

    @Test
    void fewerEntriesThanTheCountIsMalformed() {
        byte[] body = Wire.bytes(threeEntries());
        assertThat(malformed(frame("putb t 0 4 " + body.length + " 9", body)).reason())
                .contains("batch entry 3 of 4 is truncated");
    }

    @Test
    void bytesAfterTheLastEntryAreMalformed() {
        byte[] body = Wire.bytes(threeEntries());
        assertThat(malformed(frame("putb t 0 2 " + body.length + " 9", body)).reason())
                .contains("bytes follow the last of 2 batch entries");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "putb t 0 0 12 5",
                "putb t 0 4097 60000 5",
                "putb t 0 -1 12 5",
                "putb t 0 2 23 5",
                "putb t 0 1 12",
                "putb t x 1 12 5",
                "putb t 0 1 4194305 5"
            })
    void badHeaderLinesAreMalformedBeforeAnyBodyIsRead(String line) {
        MalformedFrame bad = malformed(ascii(line + "\r\n"));
        assertThat(bad.reason()).startsWith("Invalid putb command: ");
    }

    @Test
    void theConstructorRefusesABodyThatIsNotExactlyTheEntries() {
        ByteBuf body = threeEntries();
        assertThatThrownBy(() -> new PutBatchCommand("t", 0, 2, 1, body))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("follow the last");
        assertThat(body.refCnt()).isEqualTo(1);
        body.release();
    }

    @Test
    void theBatchReplyCarriesFirstIdPartitionFirstOffsetAndCount() {
        assertThat(Wire.text(Wire.encodeResponse(Replies.putBatchOk(4096L, 3, 120, 7, 11))))
                .isEqualTo("result 200 12 11\r\n4096 3 120 7");
    }

    @Test
    void theVersionMarkerIsATokenAfterTheVersion() {
        String body = Capabilities.versionBody("imago-0.1.0", 65536);
        assertThat(body).isEqualTo("imago-0.1.0 putb=65536 longpoll txadmin");
        assertThat(Capabilities.supportsLongPoll(body)).isTrue();
        assertThat(Capabilities.supportsLongPoll("0.1")).isFalse();
        assertThat(Capabilities.supportsLongPoll("longpoll")).isFalse(); // a version string, not a marker
        assertThat(Capabilities.supportsLongPoll(null)).isFalse();
        assertThat(Capabilities.supportsPutBatch(body)).isTrue();
        assertThat(Capabilities.putBatchMaxBytes(body)).isEqualTo(65536);
        assertThat(Capabilities.putBatchMaxBytes("imago putb")).isEqualTo(WireDescriptor.DEFAULT_MAX_BODY_BYTES);
        assertThat(Capabilities.putBatchMaxBytes("imago putb=x")).isZero();
        assertThat(Capabilities.putBatchMaxBytes("imago putb=-5")).isZero();
        assertThat(Capabilities.putBatchMaxBytes("0.1")).isZero();
        assertThat(Capabilities.supportsPutBatch("0.1")).isFalse();
        assertThat(Capabilities.supportsPutBatch("1.4.6.2")).isFalse();
        assertThat(Capabilities.supportsPutBatch("putb")).isFalse(); // a version string, not a marker
        assertThat(Capabilities.supportsPutBatch("")).isFalse();
        assertThat(Capabilities.supportsPutBatch(null)).isFalse();
        assertThat(Capabilities.supportsPutBatch("x other putb")).isTrue();
    }

    @Test
    void entryPayloadViewsShareTheBody() {
        ByteBuf body = threeEntries();
        PutBatchCommand batch = new PutBatchCommand("t", 0, 3, 1, body);
        List<ByteBuffer> payloads = new ArrayList<>();
        batch.forEachEntry((i, flag, checksum, payload) -> payloads.add(payload));
        assertThat(payloads).extracting(ByteBuffer::remaining).containsExactly(5, 8, 5);
        batch.release();
    }

    @Test
    void anEntryThatFitsExactlyIsWrittenAndOneThatDoesNotLeavesTheBufferUntouched() {
        byte[] data = ascii("0123456789");
        String attribute = "ключ"; // 8 UTF-8 bytes, but a worst-case estimate would reserve 12
        int entry = PutBatchCommand.entryBytes(attribute, data);
        assertThat(entry).isEqualTo(12 + 4 + 8 + 10);
        ByteBuf exact = Unpooled.buffer(entry, entry);
        assertThat(PutBatchCommand.writeEntry(exact, attribute, data)).isEqualTo(entry);
        assertThat(exact.writerIndex()).isEqualTo(entry);
        assertThatThrownBy(() -> PutBatchCommand.writeEntry(exact, null, ascii("x")))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(exact.writerIndex()).isEqualTo(entry);
        new PutBatchCommand("t", 0, 1, 1, exact).release();
    }
}
