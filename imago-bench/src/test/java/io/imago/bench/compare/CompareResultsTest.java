package io.imago.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.bench.compare.CompareCommand.SystemName;
import io.imago.bench.load.LoadResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The comparison's table: medians of the runs, the ratio Imago/peer and whether the bar holds. */
class CompareResultsTest {
    private static LoadResult run(double recordsPerSec, Double p99Ms) {
        return new LoadResult(
                "run",
                (long) recordsPerSec,
                100 * (long) recordsPerSec,
                1.0,
                0,
                p99Ms == null ? null : 1.0,
                null,
                p99Ms,
                null,
                null);
    }

    @Test
    void aRowHoldsTheMediansTheirRatioAndTheBar() {
        CompareResults results = new CompareResults();
        results.add("W2 100 B", SystemName.imago, run(100, null));
        results.add("W2 100 B", SystemName.imago, run(300, null));
        results.add("W2 100 B", SystemName.imago, run(200, null));
        results.add("W2 100 B", SystemName.kafka, run(400, null));
        results.add("W4", SystemName.imago, run(10, 2.0));
        results.add("W4", SystemName.kafka, run(10, 4.0));

        String md = results.markdown("test machine", "1g", 3, 2_000_000, 10_000, Duration.ofSeconds(65));

        assertThat(md).contains("Machine: test machine.", "medians of 3 runs", "took 1 min 5 s");
        assertThat(md)
                .contains("| W2 throughput, 100 B async | records/s | 200 | — | Kafka | 400 | 0.50 | ≥ 1.0 | **no** |");
        assertThat(md)
                .contains("| W4 end to end at 10,000/s | p99 ms | 2.00 | — | Kafka | 4.00 | 0.50 | ≤ 1.0 | **yes** |");
        assertThat(md).doesNotContain("W1 drop-in").doesNotContain("W5 footprint");
        assertThat(results.records("W2 100 B", SystemName.imago)).isEqualTo(600);
    }
}
