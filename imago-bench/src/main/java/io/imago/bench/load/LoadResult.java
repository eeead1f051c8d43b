package io.imago.bench.load;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What one load run measured: how many records and bytes went through in how long, how many failed,
 * and (for produce and end-to-end runs) the latency percentiles in milliseconds. Every load driver —
 * ours, Kafka's and the original MetaQ client's — ends by printing one line {@code RESULT <json>} of
 * this shape on standard output, which is how {@code bench compare} reads it back.
 *
 * @param label what ran (workload and system), free text
 * @param records records sent or received
 * @param bytes payload bytes of those records
 * @param seconds the measured interval
 * @param errors sends that failed (never counted in {@code records})
 * @param p50Ms median latency, {@code null} when the run measures no latency
 * @param p95Ms 95th percentile
 * @param p99Ms 99th percentile
 * @param p999Ms 99.9th percentile
 * @param maxMs the largest latency seen
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record LoadResult(
        String label,
        long records,
        long bytes,
        double seconds,
        long errors,
        Double p50Ms,
        Double p95Ms,
        Double p99Ms,
        Double p999Ms,
        Double maxMs) {
    /** The prefix of the line that carries a result between processes. */
    public static final String LINE_PREFIX = "RESULT ";

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final double NANOS_PER_MS = 1_000_000.0;

    /** A result with the latency percentiles of {@code latencyNanos} (a histogram of nanoseconds). */
    public static LoadResult of(
            String label, long records, long bytes, double seconds, long errors, Histogram latencyNanos) {
        if (latencyNanos == null || latencyNanos.getTotalCount() == 0) {
            return new LoadResult(label, records, bytes, seconds, errors, null, null, null, null, null);
        }
        return new LoadResult(
                label,
                records,
                bytes,
                seconds,
                errors,
                latencyNanos.getValueAtPercentile(50) / NANOS_PER_MS,
                latencyNanos.getValueAtPercentile(95) / NANOS_PER_MS,
                latencyNanos.getValueAtPercentile(99) / NANOS_PER_MS,
                latencyNanos.getValueAtPercentile(99.9) / NANOS_PER_MS,
                latencyNanos.getMaxValue() / NANOS_PER_MS);
    }

    public double recordsPerSec() {
        return seconds <= 0 ? 0 : records / seconds;
    }

    public double mbPerSec() {
        return seconds <= 0 ? 0 : bytes / seconds / (1024.0 * 1024.0);
    }

    /** The one-line JSON form (what {@code --json} prints). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a load result as JSON", e);
        }
    }

    /** Reads the JSON form back. */
    public static LoadResult fromJson(String json) {
        try {
            return JSON.readValue(json, LoadResult.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a load result: " + json, e);
        }
    }

    /** The human-readable final line, in the manner of Kafka's perf tools. */
    public String summary() {
        String head = String.format(
                Locale.ROOT,
                "%,d records in %.1f s: %,.0f records/s, %.2f MB/s, %,d errors",
                records,
                seconds,
                recordsPerSec(),
                mbPerSec(),
                errors);
        if (p50Ms == null) {
            return head;
        }
        return head
                + String.format(
                        Locale.ROOT,
                        "; latency ms p50 %.2f, p95 %.2f, p99 %.2f, p99.9 %.2f, max %.2f",
                        p50Ms,
                        p95Ms,
                        p99Ms,
                        p999Ms,
                        maxMs);
    }
}
