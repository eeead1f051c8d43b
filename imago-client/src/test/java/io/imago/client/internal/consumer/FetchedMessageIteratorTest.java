package io.imago.client.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.Message;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import io.imago.protocol.RecordDescriptor;
import io.imago.protocol.message.InvalidMessageException;
import io.imago.protocol.message.MessagePayload;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FetchedMessageIteratorTest {

    private static void record(ByteBuf out, long id, MessagePayload payload) {
        byte[] body = payload.encode();
        ByteBuffer header = ByteBuffer.allocate(RecordDescriptor.HEADER_LENGTH);
        RecordDescriptor.writeHeader(header, body.length, payload.checksum(), id, payload.flag());
        out.writeBytes(header.array()).writeBytes(body);
    }

    @Test
    void messagesCarryTheirIdPartitionOffsetAndAttribute() throws MetaClientException {
        ByteBuf set = Unpooled.buffer();
        record(set, 11, MessagePayload.of("hello".getBytes(StandardCharsets.UTF_8)));
        record(set, 12, MessagePayload.of("world".getBytes(StandardCharsets.UTF_8), "attr"));
        FetchedMessageIterator it = new FetchedMessageIterator("t", new Partition(3, 1), set, 100, 1 << 20);
        Message first = it.next();
        Message second = it.next();
        assertThat(it.hasNext()).isFalse();
        assertThat(first.getId()).isEqualTo(11);
        assertThat(first.getOffset()).isEqualTo(100);
        assertThat(first.getAttribute()).isNull();
        assertThat(second.getOffset()).isEqualTo(125);
        assertThat(second.getAttribute()).isEqualTo("attr");
        assertThat(second.getPartition()).isEqualTo(new Partition(3, 1));
        assertThat(new String(second.getData(), StandardCharsets.UTF_8)).isEqualTo("world");
        assertThat(it.nextOffset()).isEqualTo(100 + 25 + 33);
        assertThat(it.getOffset()).as("MetaQ: bytes taken from the set").isEqualTo(25 + 33);
        set.release();
    }

    @Test
    void aRecordCutAtTheEndIsLeftForTheNextFetch() throws MetaClientException {
        ByteBuf set = Unpooled.buffer();
        record(set, 1, MessagePayload.of(new byte[5]));
        record(set, 2, MessagePayload.of(new byte[5]));
        ByteBuf cut = set.slice(0, 30);
        FetchedMessageIterator it = new FetchedMessageIterator("t", new Partition(0, 0), cut, 0, 1 << 20);
        it.next();
        assertThat(it.hasNext()).isFalse();
        assertThat(it.nextOffset()).isEqualTo(25);
        set.release();
    }

    @Test
    void aChecksumMismatchIsReportedWithItsOffset() {
        ByteBuf set = Unpooled.buffer();
        record(set, 1, MessagePayload.of("abc".getBytes(StandardCharsets.UTF_8)));
        set.setByte(21, 'x');
        FetchedMessageIterator it = new FetchedMessageIterator("t", new Partition(0, 0), set, 40, 1 << 20);
        assertThatThrownBy(it::next)
                .isInstanceOf(MetaClientException.class)
                .hasCauseInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("offset 40");
        set.release();
    }
}
