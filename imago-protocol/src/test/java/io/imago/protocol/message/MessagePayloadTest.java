package io.imago.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MessagePayloadTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void payloadWithoutAttributeIsTheDataAlone() {
        MessagePayload payload = MessagePayload.of(ascii("hello-metaq"));
        assertThat(payload.encode()).isEqualTo(ascii("hello-metaq"));
        assertThat(payload.flag()).isZero();
        assertThat(payload.checksum()).isEqualTo(684165896);
    }

    @Test
    void payloadWithAttributeMatchesTheCapturedPut() {
        MessagePayload payload = MessagePayload.of(ascii("with-attr"), "attr1");
        assertThat(HexFormat.of().formatHex(payload.encode())).isEqualTo("000000056174747231776974682d61747472");
        assertThat(payload.flag()).isEqualTo(1);
        assertThat(payload.checksum()).isEqualTo(45992458);
    }

    @Test
    void emptyAttributeStillGetsAnAttributeSection() {
        MessagePayload payload = MessagePayload.of(ascii("x"), "");
        assertThat(payload.encode()).containsExactly(0, 0, 0, 0, 'x');
        assertThat(payload.flag()).isEqualTo(1);
        assertThat(MessagePayload.decode(1, Unpooled.wrappedBuffer(payload.encode())))
                .isEqualTo(payload);
    }

    @Test
    void emptyDataIsLegal() {
        MessagePayload payload = MessagePayload.of(new byte[0]);
        assertThat(payload.encode()).isEmpty();
        assertThat(MessagePayload.decode(0, Unpooled.EMPTY_BUFFER)).isEqualTo(payload);
    }

    @Test
    void attributeLengthThatDoesNotFitIsRefused() {
        assertThatThrownBy(() -> MessagePayload.decode(1, Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 9, 'a'})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attribute length 9");
        assertThatThrownBy(() -> MessagePayload.decode(1, Unpooled.wrappedBuffer(new byte[] {0, 0})))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MessagePayload.decode(1, Unpooled.wrappedBuffer(new byte[] {-1, -1, -1, -1})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attribute length -1");
    }

    @Test
    void decodingLeavesTheBufferIndicesAlone() {
        var buf = Unpooled.wrappedBuffer(MessagePayload.of(ascii("d"), "a").encode());
        MessagePayload.decode(1, buf);
        assertThat(buf.readerIndex()).isZero();
    }

    @Property
    void encodeThenDecodeGivesThePayloadBack(@ForAll byte[] data, @ForAll Optional<String> attribute) {
        MessagePayload payload = new MessagePayload(attribute, data);
        assertThat(MessagePayload.decode(payload.flag(), Unpooled.wrappedBuffer(payload.encode())))
                .isEqualTo(payload);
    }
}
