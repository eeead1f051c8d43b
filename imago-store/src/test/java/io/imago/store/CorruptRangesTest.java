package io.imago.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link CorruptRanges}: what a partition's known corrupt ranges mean for reads. */
class CorruptRangesTest {
    private final CorruptRanges ranges =
            new CorruptRanges("t-0", List.of(new CorruptRange(500, 600), new CorruptRange(100, 200)));

    @Test
    void aReadStopsAtTheNextRangeAndFailsInsideOne() {
        assertThat(ranges.readLimit(0)).isEqualTo(100);
        assertThat(ranges.readLimit(200)).as("just after a range").isEqualTo(500);
        assertThat(ranges.readLimit(600)).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> ranges.readLimit(150))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("t-0");
    }

    @Test
    void addingReturnsOnlyWhatIsNewAndKeepsOffsetOrder() {
        List<CorruptRange> added =
                ranges.add(List.of(new CorruptRange(300, 400), new CorruptRange(100, 200), new CorruptRange(250, 260)));
        assertThat(added).containsExactly(new CorruptRange(250, 260), new CorruptRange(300, 400));
        assertThat(ranges.list())
                .containsExactly(
                        new CorruptRange(100, 200),
                        new CorruptRange(250, 260),
                        new CorruptRange(300, 400),
                        new CorruptRange(500, 600));
        assertThat(ranges.add(List.of(new CorruptRange(300, 400)))).isEmpty();
    }

    @Test
    void rangesBelowTheFirstOffsetAreForgotten() {
        ranges.dropBelow(200);
        assertThat(ranges.list()).containsExactly(new CorruptRange(500, 600));
        assertThat(ranges.readLimit(150)).isEqualTo(500);
    }
}
