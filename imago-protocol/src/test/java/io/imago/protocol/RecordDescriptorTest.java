package io.imago.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class RecordDescriptorTest {

    @Test
    void checksumMatchesTheOriginalBrokerOnThePlainPayload() {
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        assertThat(RecordDescriptor.checksum(ByteBuffer.wrap(hello))).isEqualTo(907060870);
    }

    @Test
    void checksumMatchesTheOriginalBrokerOnAPayloadWithAttribute() {
        ByteBuffer payload = ByteBuffer.allocate(13)
                .putInt(4)
                .put("attrhello".getBytes(StandardCharsets.UTF_8))
                .flip();
        assertThat(RecordDescriptor.checksum(payload)).isEqualTo(1264772380);
        assertThat(payload.position()).as("the caller's position is untouched").isZero();
    }

    @Test
    void headerFieldsReadBackAtTheirOffsets() {
        ByteBuffer buf = ByteBuffer.allocate(RecordDescriptor.HEADER_LENGTH + 4);
        buf.position(4);
        RecordDescriptor.writeHeader(buf, 5, 907060870, -5468932327725858816L, 1);
        assertThat(buf.position()).isEqualTo(24);
        assertThat(RecordDescriptor.payloadLength(buf, 4)).isEqualTo(5);
        assertThat(RecordDescriptor.storedChecksum(buf, 4)).isEqualTo(907060870);
        assertThat(RecordDescriptor.messageId(buf, 4)).isEqualTo(-5468932327725858816L);
        assertThat(RecordDescriptor.flag(buf, 4)).isEqualTo(1);
        assertThat(RecordDescriptor.hasAttribute(1)).isTrue();
    }

    @Property
    void checksumIsNeverNegative(@ForAll byte[] payload) {
        assertThat(RecordDescriptor.checksum(payload, 0, payload.length)).isNotNegative();
    }

    @Property
    void everyOverloadComputesTheSameChecksum(@ForAll byte[] payload) {
        int expected = RecordDescriptor.checksum(payload, 0, payload.length);
        ByteBuffer buffer = ByteBuffer.wrap(payload);
        assertThat(RecordDescriptor.checksum(buffer)).isEqualTo(expected);
        assertThat(buffer.position()).isZero();
        assertThat(RecordDescriptor.checksum(new CRC32(), buffer)).isEqualTo(expected);
        CRC32 inPieces = new CRC32();
        inPieces.update(payload, 0, payload.length / 2);
        inPieces.update(payload, payload.length / 2, payload.length - payload.length / 2);
        assertThat(RecordDescriptor.checksum(inPieces)).isEqualTo(expected);
    }
}
