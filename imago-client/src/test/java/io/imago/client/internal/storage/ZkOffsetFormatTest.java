package io.imago.client.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ZkOffsetFormatTest {

    @Test
    void encodesMessageIdThenOffset() {
        assertThat(ZkOffsetFormat.encode(-5468932056614424576L, 55)).isEqualTo("-5468932056614424576-55");
        assertThat(ZkOffsetFormat.encode(7, 0)).isEqualTo("7-0");
    }

    @Test
    void decodesANegativeMessageIdBySplittingAtTheLastDash() {
        assertThat(ZkOffsetFormat.decode("-5468932056614424576-55"))
                .isEqualTo(new ZkOffsetFormat.Position(-5468932056614424576L, 55));
        assertThat(ZkOffsetFormat.decode("-1-0")).isEqualTo(new ZkOffsetFormat.Position(-1, 0));
        assertThat(ZkOffsetFormat.decode("0-1024")).isEqualTo(new ZkOffsetFormat.Position(0, 1024));
    }

    @Test
    void decodesThePre14OffsetAloneWithoutMessageId() {
        assertThat(ZkOffsetFormat.decode("130835445"))
                .isEqualTo(new ZkOffsetFormat.Position(ZkOffsetFormat.NO_MESSAGE_ID, 130835445));
        assertThat(ZkOffsetFormat.decode(" 12\n")).isEqualTo(new ZkOffsetFormat.Position(-1, 12));
    }

    @Test
    void rejectsTextThatIsNeitherFormat() {
        assertThatThrownBy(() -> ZkOffsetFormat.decode("abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'abc'");
        assertThatThrownBy(() -> ZkOffsetFormat.decode("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ZkOffsetFormat.decode("-55")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> ZkOffsetFormat.decode("1--5")).isInstanceOf(IllegalArgumentException.class);
    }
}
