package io.imago.client.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.Message;
import io.imago.cluster.Partition;
import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class RecoverStoreDescriptorProperties {

    @Property(tries = 200)
    void everyMessageRecordDecodesToTheSameFields(
            @ForAll @AlphaChars @StringLength(min = 1, max = 40) String topic,
            @ForAll @Size(max = 300) byte[] data,
            @ForAll @CharRange(from = ' ', to = '\u07ff') String attribute,
            @ForAll boolean withAttribute,
            @ForAll long id,
            @ForAll long offset,
            @ForAll long sequence,
            @ForAll boolean withPartition) {
        Message m = new Message(topic, data, withAttribute ? attribute : null);
        m.setId(id);
        m.setOffset(offset);
        if (withPartition) {
            m.setPartition(new Partition(3, 7));
        }
        ByteBuffer record = RecoverStoreDescriptor.encodeMessage(sequence, m);
        int length = record.getInt(RecoverStoreDescriptor.LENGTH_OFFSET);
        ByteBuffer body = record.duplicate()
                .position(RecoverStoreDescriptor.RECORD_HEADER_SIZE)
                .slice();

        assertThat(record.getInt(RecoverStoreDescriptor.MAGIC_OFFSET)).isEqualTo(RecoverStoreDescriptor.RECORD_MAGIC);
        assertThat(length).isEqualTo(record.remaining() - RecoverStoreDescriptor.RECORD_HEADER_SIZE);
        assertThat(RecoverStoreDescriptor.crc(length, body))
                .isEqualTo(record.getInt(RecoverStoreDescriptor.CRC_OFFSET));
        assertThat(body.getLong(RecoverStoreDescriptor.SEQUENCE_OFFSET)).isEqualTo(sequence);
        Message back = RecoverStoreDescriptor.decodeMessage(body);
        assertThat(back.getTopic()).isEqualTo(topic);
        assertThat(back.getData()).isEqualTo(data);
        assertThat(back.getAttribute()).isEqualTo(m.getAttribute());
        assertThat(back.getId()).isEqualTo(id);
        assertThat(back.getOffset()).isEqualTo(offset);
        assertThat(back.getPartition()).isEqualTo(m.getPartition());
    }
}
