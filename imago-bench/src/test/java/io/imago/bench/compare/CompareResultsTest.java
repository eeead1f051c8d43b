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

    @Test
    void transactionsAreComparedWithTheOriginalBrokerAndWithKafka() {
        CompareResults results = new CompareResults();
        results.add("W6", SystemName.imago, run(900, 8.0));
        results.add("W6", SystemName.metaq, run(400, 20.0));
        results.add("W6", SystemName.kafka, run(1000, 5.0));
        results.add("W6 drop-in", SystemName.imago, run(800, 9.0));
        results.add("W6 drop-in", SystemName.metaq, run(400, 20.0));

        String md = results.markdown("test machine", "1g", 1, 2_000_000, 10_000, Duration.ofSeconds(65));

        String w6 = "W6 transactions (8 threads × (10 sync sends of 100 B + commit))";
        assertThat(md)
                .contains("| " + w6
                        + ", Imago's client | records/s | 900 | — | MetaQ 1.4.6.2 | 400 | 2.25 | ≥ 1.5 | **yes** |")
                .contains("| " + w6 + " | records/s | 900 | — | Kafka | 1,000 | 0.90 | ≥ 1.0 | **no** |")
                .contains("| " + w6 + ", commit latency | p99 ms | 8.00 | — | Kafka | 5.00 | 1.60 | — | — |")
                .contains(
                        "| W6 drop-in (the original client on both brokers) | records/s | 800 | — | MetaQ 1.4.6.2 | 400 | 2.00 | ≥ 1.5 | **yes** |");
    }
}
