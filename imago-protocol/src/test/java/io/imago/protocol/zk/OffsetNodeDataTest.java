package io.imago.protocol.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class OffsetNodeDataTest {

    @Test
    void encodesMessageIdThenOffset() {
        assertThat(OffsetNodeData.encode(-5468932056614424576L, 55)).isEqualTo("-5468932056614424576-55");
        assertThat(OffsetNodeData.encode(7, 0)).isEqualTo("7-0");
    }

    @Test
    void decodesANegativeMessageIdBySplittingAtTheLastDash() {
        assertThat(OffsetNodeData.decode("-5468932056614424576-55"))
                .isEqualTo(new OffsetNodeData.Position(-5468932056614424576L, 55));
        assertThat(OffsetNodeData.decode("-1-0")).isEqualTo(new OffsetNodeData.Position(-1, 0));
        assertThat(OffsetNodeData.decode("0-1024")).isEqualTo(new OffsetNodeData.Position(0, 1024));
    }

    @Test
    void decodesThePre14OffsetAloneWithoutMessageId() {
        assertThat(OffsetNodeData.decode("130835445"))
                .isEqualTo(new OffsetNodeData.Position(OffsetNodeData.NO_MESSAGE_ID, 130835445));
        assertThat(OffsetNodeData.decode(" 12\n")).isEqualTo(new OffsetNodeData.Position(-1, 12));
    }

    @Test
    void rejectsTextThatIsNeitherFormat() {
        assertThatThrownBy(() -> OffsetNodeData.decode("abc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'abc'");
        assertThatThrownBy(() -> OffsetNodeData.decode("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OffsetNodeData.decode("-55"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> OffsetNodeData.decode("1--5")).isInstanceOf(IllegalArgumentException.class);
    }
}
