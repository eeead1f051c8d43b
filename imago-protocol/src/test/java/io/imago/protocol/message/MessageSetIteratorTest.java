package io.imago.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.protocol.RecordDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MessageSetIteratorTest {

    /** The 69-byte value body of the capture: "hello-metaq" and "with-attr" with attribute "attr1". */
    private static final byte[] CAPTURED_SET = HexFormat.of()
            .parseHex("0000000b28c78b08b41a72de2ac000000000000068656c6c6f2d6d65746171"
                    + "0000001202bdca0ab41a72de33c0000000000001000000056174747231776974682d61747472");

    private static byte[] record(long id, MessagePayload payload) {
        byte[] body = payload.encode();
        ByteBuffer buf = ByteBuffer.allocate(RecordDescriptor.recordLength(body.length));
        RecordDescriptor.writeHeader(buf, body.length, payload.checksum(), id, payload.flag());
        return buf.put(body).array();
    }

    private static List<StoredMessage> all(MessageSetIterator it) {
        List<StoredMessage> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void capturedValueBodyYieldsBothMessagesWithTheirOffsetsAndIds() {
        MessageSetIterator it = new MessageSetIterator(Unpooled.wrappedBuffer(CAPTURED_SET), 0);
        List<StoredMessage> messages = all(it);
        assertThat(messages).extracting(StoredMessage::offset).containsExactly(0L, 31L);
        assertThat(messages)
                .extracting(StoredMessage::id)
                .containsExactly(-5468932498962513920L, -5468932498811518976L);
        assertThat(messages.get(0).payload())
                .isEqualTo(MessagePayload.of("hello-metaq".getBytes(StandardCharsets.UTF_8)));
        assertThat(messages.get(1).payload())
                .isEqualTo(MessagePayload.of("with-attr".getBytes(StandardCharsets.UTF_8), "attr1"));
        assertThat(messages.get(1).flag()).isEqualTo(1);
        assertThat(messages.get(1).nextOffset()).isEqualTo(69);
        assertThat(it.nextOffset()).isEqualTo(69);
    }

    @Test
    void emptyMessageSetHasNoMessage() {
        MessageSetIterator it = new MessageSetIterator(Unpooled.EMPTY_BUFFER, 120);
        assertThat(it.hasNext()).isFalse();
        assertThat(it.nextOffset()).isEqualTo(120);
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void recordWithEmptyDataIsReturned() {
        MessageSetIterator it =
                new MessageSetIterator(Unpooled.wrappedBuffer(record(5, MessagePayload.of(new byte[0]))), 0);
        StoredMessage message = it.next();
        assertThat(message.payload().data()).isEmpty();
        assertThat(message.recordLength()).isEqualTo(RecordDescriptor.HEADER_LENGTH);
        assertThat(it.hasNext()).isFalse();
    }

    @Test
    void cutTrailingRecordIsIgnoredAndRefetchedFromItsStart() {
        byte[] cut = new byte[30]; // the spec's "maxSize 30": one 25-byte record + 5 bytes of the next
        byte[] first = record(1, MessagePayload.of("hello".getBytes(StandardCharsets.UTF_8)));
        byte[] second = record(2, MessagePayload.of("hello".getBytes(StandardCharsets.UTF_8), "attr"));
        System.arraycopy(first, 0, cut, 0, 25);
        System.arraycopy(second, 0, cut, 25, 5);
        MessageSetIterator it = new MessageSetIterator(Unpooled.wrappedBuffer(cut), 1000);
        assertThat(all(it)).hasSize(1);
        assertThat(it.nextOffset()).isEqualTo(1025);
        assertThat(it.consumedBytes()).isEqualTo(25);
    }

    @Test
    void headerWithoutItsWholePayloadIsIgnored() {
        byte[] headerOnly = new byte[20];
        System.arraycopy(CAPTURED_SET, 0, headerOnly, 0, 20);
        assertThat(new MessageSetIterator(Unpooled.wrappedBuffer(headerOnly), 0).hasNext())
                .isFalse();
    }

    @Test
    void badChecksumRaisesTheOffsetOfTheCorruptRecord() {
        byte[] corrupt = CAPTURED_SET.clone();
        corrupt[CAPTURED_SET.length - 1] ^= 1;
        MessageSetIterator it = new MessageSetIterator(Unpooled.wrappedBuffer(corrupt), 100);
        it.next();
        assertThatThrownBy(it::next).isInstanceOfSatisfying(InvalidMessageException.class, e -> {
            assertThat(e.offset()).isEqualTo(131);
            assertThat(e.reason()).isEqualTo(InvalidMessageException.Reason.CHECKSUM_MISMATCH);
        });
        assertThat(it.nextOffset())
                .as("the iterator stays on the corrupt record")
                .isEqualTo(131);
    }

    @Test
    void impossibleLengthIsInvalid() {
        // A fetch that starts 5 bytes into a record (capture packet #9) reads garbage as a header.
        byte[] misaligned = new byte[CAPTURED_SET.length - 5];
        System.arraycopy(CAPTURED_SET, 5, misaligned, 0, misaligned.length);
        MessageSetIterator it = new MessageSetIterator(Unpooled.wrappedBuffer(misaligned), 5);
        assertThat(it.hasNext()).isTrue();
        assertThatThrownBy(it::next)
                .isInstanceOfSatisfying(
                        InvalidMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidMessageException.Reason.ILLEGAL_LENGTH));
    }

    @Test
    void payloadAboveTheMaximumIsInvalid() {
        byte[] big = record(1, MessagePayload.of(new byte[100]));
        assertThatThrownBy(() -> new MessageSetIterator(Unpooled.wrappedBuffer(big), 0, 99).next())
                .isInstanceOfSatisfying(
                        InvalidMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidMessageException.Reason.ILLEGAL_LENGTH));
    }

    @Test
    void attributeSectionThatDoesNotFitIsInvalid() {
        byte[] payload = {0, 0, 0, 50, 'x'};
        ByteBuffer buf = ByteBuffer.allocate(25);
        RecordDescriptor.writeHeader(buf, 5, RecordDescriptor.checksum(payload, 0, 5), 7, 1);
        buf.put(payload);
        assertThatThrownBy(() -> new MessageSetIterator(Unpooled.wrappedBuffer(buf.array()), 0).next())
                .isInstanceOfSatisfying(
                        InvalidMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidMessageException.Reason.ILLEGAL_ATTRIBUTE));
    }

    @Test
    void iterationStartsAtTheReaderIndexAndLeavesItAlone() {
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[3], CAPTURED_SET);
        buf.skipBytes(3);
        MessageSetIterator it = new MessageSetIterator(buf, 0);
        assertThat(all(it)).hasSize(2);
        assertThat(it.consumedBytes()).isEqualTo(69);
        assertThat(buf.readerIndex()).isEqualTo(3);
    }
}
