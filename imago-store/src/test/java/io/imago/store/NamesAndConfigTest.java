package io.imago.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 5, unit = TimeUnit.SECONDS)
class NamesAndConfigTest {

    @Test
    void segmentNamesAreTwentyDigitStartOffsets() {
        assertThat(LogDescriptor.segmentFileName(0)).isEqualTo("00000000000000000000.meta");
        assertThat(LogDescriptor.segmentFileName(120)).isEqualTo("00000000000000000120.meta");
        assertThat(LogDescriptor.parseSegmentFileName("00000000000000000120.meta"))
                .contains(120L);
        assertThat(LogDescriptor.parseSegmentFileName("00000000000000000120.meta.arc"))
                .isEmpty();
        assertThat(LogDescriptor.parseSegmentFileName("0000000000000000012a.meta"))
                .isEmpty();
        assertThat(LogDescriptor.parseSegmentFileName("120.meta")).isEmpty();
        assertThat(LogDescriptor.parseSegmentFileName("99999999999999999999.meta"))
                .as("overflows a long")
                .isEmpty();
    }

    @Test
    void partitionDirectoriesSplitAtTheLastDash() {
        assertThat(TopicPartition.parseDirectoryName("my-topic-12")).contains(new TopicPartition("my-topic", 12));
        assertThat(new TopicPartition("my-topic", 3).directoryName()).isEqualTo("my-topic-3");
        assertThat(TopicPartition.parseDirectoryName("transactions")).isEmpty();
        assertThat(TopicPartition.parseDirectoryName("topic-")).isEmpty();
        assertThat(TopicPartition.parseDirectoryName("-1")).isEmpty();
        assertThat(TopicPartition.parseDirectoryName("topic-x1")).isEmpty();
        assertThat(TopicPartition.parseDirectoryName("topic-99999999999")).isEmpty();
        assertThatThrownBy(() -> new TopicPartition("t", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configDefaultsAreGroupCommitWithOneGibSegments() {
        LogConfig config = LogConfig.defaults();
        assertThat(config.isGroupCommit()).isTrue();
        assertThat(config.maxSegmentBytes()).isEqualTo(1L << 30);
        assertThat(config.groupCommitMaxBytes()).isEqualTo(512 * 1024);
        assertThat(config.unflushIntervalMs()).isEqualTo(10_000);
        assertThat(config.maxMessageBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(config.toBuilder().build().maxMessageBytes()).isEqualTo(config.maxMessageBytes());
        assertThat(config.toBuilder().unflushThreshold(1000).build().isGroupCommit())
                .isFalse();
    }

    @Test
    void invalidConfigNamesTheKeyAndValue() {
        assertThatThrownBy(() -> LogConfig.builder().maxSegmentBytes(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxSegmentBytes=0");
        assertThatThrownBy(() -> LogConfig.builder().unflushIntervalMs(-1).build())
                .hasMessageContaining("unflushIntervalMs=-1");
        assertThatThrownBy(() -> LogConfig.builder().writeBufferBytes(10).build())
                .hasMessageContaining("writeBufferBytes=10");
        assertThatThrownBy(() -> LogConfig.builder().maxMessageBytes(0).build())
                .hasMessageContaining("maxMessageBytes=0");
        assertThatThrownBy(() -> LogConfig.builder().closeTimeoutMs(0).build())
                .hasMessageContaining("closeTimeoutMs=0");
        assertThatThrownBy(() -> LogConfig.builder().ackMarkerIntervalMs(0).build())
                .hasMessageContaining("ackMarkerIntervalMs=0");
        assertThatThrownBy(() -> LogConfig.builder().ackMarkerBytes(0).build())
                .hasMessageContaining("ackMarkerBytes=0");
        assertThatThrownBy(() -> LogConfig.builder().preallocateMaxBytes(1000).build())
                .hasMessageContaining("preallocateMaxBytes=1000")
                .hasMessageContaining("0 (off) or at least 4096");
        assertThat(LogConfig.builder().preallocateMaxBytes(0).build().preallocateMaxBytes())
                .isZero();
    }

    @Test
    void recoveryPointRoundTripsAndRejectsAnyDamage() {
        RecoveryPoint point =
                new RecoveryPoint(true, 12345, 23456, List.of(new CorruptRange(10, 20), new CorruptRange(40, 41)));
        ByteBuffer bytes = point.encode();
        assertThat(bytes.remaining()).isEqualTo(LogDescriptor.checkpointLength(2));
        assertThat(RecoveryPoint.decode(bytes.duplicate())).contains(point);
        for (int i = 0; i < bytes.remaining(); i++) {
            ByteBuffer damaged = ByteBuffer.allocate(bytes.remaining())
                    .put(bytes.duplicate())
                    .flip();
            damaged.put(i, (byte) (damaged.get(i) ^ 1));
            assertThat(RecoveryPoint.decode(damaged)).as("flip in byte %d", i).isEqualTo(Optional.empty());
        }
        assertThat(RecoveryPoint.decode(bytes.duplicate().limit(bytes.remaining() - 1)))
                .isEmpty();
    }
}
