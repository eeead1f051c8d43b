package io.imago.bench.compare;

import io.imago.bench.compare.CompareCommand.SystemName;
import io.imago.bench.load.LoadResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of one {@code bench compare}: every run's {@link LoadResult} by workload and system, the
 * brokers' peak RSS, and the markdown table of medians, ratios and bars made from them. Filled by the
 * comparison's one thread; not thread-safe.
 */
final class CompareResults {
    private final Map<String, List<LoadResult>> results = new LinkedHashMap<>();
    private final Map<SystemName, Double> peakRss = new LinkedHashMap<>();

    void add(String workload, SystemName system, LoadResult result) {
        results.computeIfAbsent(key(workload, system), k -> new ArrayList<>()).add(result);
    }

    void peakRss(SystemName system, double mib) {
        peakRss.put(system, mib);
    }

    /** The records of every run of {@code workload} on {@code system} so far. */
    long records(String workload, SystemName system) {
        return results.getOrDefault(key(workload, system), List.of()).stream()
                .mapToLong(LoadResult::records)
                .sum();
    }

    private static String key(String workload, SystemName system) {
        return workload + "|" + system;
    }

    /** The markdown report: the machine, then one row per workload with medians, ratios and bars. */
    String markdown(String machine, String heap, int runs, long w3Records, long w4Rate, Duration took) {
        StringBuilder md = new StringBuilder();
        md.append("### bench compare — ")
                .append(Instant.now().toString(), 0, 16)
                .append("Z\n\n")
                .append("Machine: ")
                .append(machine)
                .append(".  \n")
                .append("Brokers: -Xms")
                .append(heap)
                .append(" -Xmx")
                .append(heap)
                .append("; load drivers -Xmx1g; ")
                .append("medians of ")
                .append(runs)
                .append(" runs; the whole comparison took ")
                .append(took.toMinutes())
                .append(" min ")
                .append(took.toSecondsPart())
                .append(" s.\n\n")
                .append(
                        "| workload | measure | Imago (group commit) | Imago (unflushThreshold=1000) | peer | peer figure "
                                + "| ratio Imago/peer | bar | holds |\n")
                .append("|---|---|---:|---:|---|---:|---:|---|---|\n");
        row(
                md,
                "W1 drop-in (original client, 8 sync threads, 100 B), 4 partitions",
                "W1",
                Measure.RECORDS,
                SystemName.metaq,
                1.5);
        row(md, "W1 drop-in, 1 partition", "W1 1 partition", Measure.RECORDS, SystemName.metaq, 1.5);
        row(md, "W2 throughput, 100 B async", "W2 100 B", Measure.RECORDS, SystemName.kafka, 1.0);
        row(md, "W2 throughput, 1 KiB async", "W2 1024 B", Measure.RECORDS, SystemName.kafka, 1.0);
        row(
                md,
                "W3 fetch " + String.format(Locale.ROOT, "%,d", w3Records) + " × 100 B",
                "W3",
                Measure.RECORDS,
                SystemName.kafka,
                1.0);
        row(
                md,
                "W4 end to end at " + String.format(Locale.ROOT, "%,d", w4Rate) + "/s",
                "W4",
                Measure.P99,
                SystemName.kafka,
                1.0);
        String w6 = "W6 transactions (8 threads × (10 sync sends of 100 B + commit))";
        row(md, w6 + ", Imago's client", "W6", Measure.RECORDS, SystemName.metaq, 1.5);
        row(md, w6, "W6", Measure.RECORDS, SystemName.kafka, 1.0);
        row(md, w6 + ", commit latency", "W6", Measure.P50, SystemName.kafka, Double.NaN);
        row(md, w6 + ", commit latency", "W6", Measure.P99, SystemName.kafka, Double.NaN);
        row(
                md,
                "W6 drop-in (the original client on both brokers)",
                "W6 drop-in",
                Measure.RECORDS,
                SystemName.metaq,
                1.5);
        if (!peakRss.isEmpty()) {
            Double imago = peakRss.get(SystemName.imago);
            Double unflush = peakRss.get(SystemName.imago_unflush);
            Double kafka = peakRss.get(SystemName.kafka);
            md.append("| W5 footprint | broker peak RSS during W2, MiB | ")
                    .append(fmt(imago))
                    .append(" | ")
                    .append(fmt(unflush))
                    .append(" | Kafka | ")
                    .append(fmt(kafka))
                    .append(" | ")
                    .append(ratio(imago, kafka))
                    .append(" | ≤ 1.0 | ")
                    .append(holds(imago, kafka, 1.0, false))
                    .append(" |\n");
        }
        md.append("\nDetails (each run: records/s; p50 / p99 / p99.9 ms):\n\n");
        for (Map.Entry<String, List<LoadResult>> e : results.entrySet()) {
            md.append("- ").append(e.getKey().replace('|', ' ')).append(": ");
            List<String> parts = new ArrayList<>();
            for (LoadResult r : e.getValue()) {
                parts.add(
                        r.p50Ms() == null
                                ? String.format(Locale.ROOT, "%,.0f", r.recordsPerSec())
                                : String.format(
                                        Locale.ROOT,
                                        "%,.0f (%.2f / %.2f / %.2f)",
                                        r.recordsPerSec(),
                                        r.p50Ms(),
                                        r.p99Ms(),
                                        r.p999Ms()));
            }
            md.append(String.join("; ", parts)).append('\n');
        }
        return md.toString();
    }

    private enum Measure {
        RECORDS,
        P50,
        P99
    }

    private void row(StringBuilder md, String title, String workload, Measure measure, SystemName peer, double bar) {
        Double imago = median(workload, SystemName.imago, measure);
        Double unflush = median(workload, SystemName.imago_unflush, measure);
        Double other = median(workload, peer, measure);
        if (imago == null && unflush == null && other == null) {
            return;
        }
        boolean higherIsBetter = measure == Measure.RECORDS;
        boolean hasBar = !Double.isNaN(bar);
        md.append("| ")
                .append(title)
                .append(" | ")
                .append(
                        switch (measure) {
                            case RECORDS -> "records/s";
                            case P50 -> "p50 ms";
                            case P99 -> "p99 ms";
                        })
                .append(" | ")
                .append(fmt(imago))
                .append(" | ")
                .append(fmt(unflush))
                .append(" | ")
                .append(peer == SystemName.metaq ? "MetaQ 1.4.6.2" : "Kafka")
                .append(" | ")
                .append(fmt(other))
                .append(" | ")
                .append(ratio(imago, other))
                .append(unflush != null && other != null ? " (" + ratio(unflush, other) + ")" : "")
                .append(" | ")
                .append(hasBar ? (higherIsBetter ? "≥ " : "≤ ") + bar : "—")
                .append(" | ")
                .append(hasBar ? holds(imago, other, bar, higherIsBetter) : "—")
                .append(" |\n");
    }

    private Double median(String workload, SystemName system, Measure measure) {
        List<LoadResult> runsOf = results.get(key(workload, system));
        if (runsOf == null || runsOf.isEmpty()) {
            return null;
        }
        List<Double> values = runsOf.stream()
                .map(r -> switch (measure) {
                    case RECORDS -> Double.valueOf(r.recordsPerSec());
                    case P50 -> r.p50Ms();
                    case P99 -> r.p99Ms();
                })
                .filter(java.util.Objects::nonNull)
                .sorted(Comparator.naturalOrder())
                .toList();
        if (values.isEmpty()) {
            return null;
        }
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    private static String fmt(Double v) {
        if (v == null) {
            return "—";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String ratio(Double imago, Double peer) {
        return imago == null || peer == null || peer == 0 ? "—" : String.format(Locale.ROOT, "%.2f", imago / peer);
    }

    private static String holds(Double imago, Double peer, double bar, boolean higherIsBetter) {
        if (imago == null || peer == null || peer == 0) {
            return "not run";
        }
        double r = imago / peer;
        return (higherIsBetter ? r >= bar : r <= bar) ? "**yes**" : "**no**";
    }
}
