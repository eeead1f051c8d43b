package io.imago.bench.budget;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imago.broker.trace.BrokerTrace;
import io.imago.store.trace.StoreTrace;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The latency budget of the measured puts: for each stage of the critical path ({@link PutTimeline})
 * the median and p90 over the puts, the broker's span (put reaching the processor to reply written),
 * the client's round trip, and what is left (the network stack both ways, Netty's read and decode
 * before the first event, the client). Immutable.
 */
final class PutBudgetReport {
    /** The JSON line's prefix, as the load tools' ({@code RESULT {json}}). */
    static final String LINE_PREFIX = "RESULT ";

    private final List<PutTimeline.Stage> stages;
    private final long[][] stageNanos; // [stage][put]
    private final long[] brokerNanos;
    private final long[] roundTripNanos;
    private final long[] unrecordedRoundTripNanos;
    private final long[] remainderNanos;
    private final long[] putHandledNanos;
    private final long[] completeNanos;
    private final int recordSize;
    private final int foundRunningWriter;

    private PutBudgetReport(List<PutTimeline> puts, long[] roundTrips, long[] unrecorded, int recordSize) {
        boolean handoff = puts.stream().allMatch(PutTimeline::hasCompleterHandoff);
        boolean queued = puts.stream().allMatch(PutTimeline::hasReplyQueued);
        this.stages = PutTimeline.stages(handoff, queued);
        this.recordSize = recordSize;
        this.foundRunningWriter =
                (int) puts.stream().filter(PutTimeline::foundRunningWriter).count();
        int n = puts.size();
        stageNanos = new long[stages.size()][n];
        brokerNanos = new long[n];
        remainderNanos = new long[n];
        putHandledNanos = new long[n];
        completeNanos = new long[n];
        for (int p = 0; p < n; p++) {
            PutTimeline put = puts.get(p);
            long[] s = put.stageNanos(handoff, queued);
            for (int i = 0; i < s.length; i++) {
                stageNanos[i][p] = s[i];
            }
            brokerNanos[p] = put.brokerNanos();
            remainderNanos[p] = roundTrips[p] - brokerNanos[p];
            putHandledNanos[p] = put.durationNanos(BrokerTrace.PUT_HANDLED);
            completeNanos[p] = put.durationNanos(StoreTrace.COMPLETE);
        }
        this.roundTripNanos = roundTrips.clone();
        this.unrecordedRoundTripNanos = unrecorded.clone();
    }

    /**
     * The report of {@code puts} (complete timelines), the client's round trip of each (in order), and
     * the round trips of puts sent with the recording stopped.
     */
    static PutBudgetReport of(long[] unrecorded, List<PutTimeline> puts, long[] roundTripNanos, int recordSize) {
        if (puts.size() != roundTripNanos.length || puts.isEmpty()) {
            throw new IllegalArgumentException("puts and round trips differ: " + puts.size() + " timelines, "
                    + roundTripNanos.length + " round trips");
        }
        return new PutBudgetReport(puts, roundTripNanos, unrecorded, recordSize);
    }

    static long percentile(long[] values, double q) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
    }

    /** The table, one line per stage, as printed by {@code bench put-budget}. */
    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "Latency budget of one synchronous put of %d B (%d puts; µs)%n",
                recordSize,
                roundTripNanos.length));
        String format = "%-24s %8s %8s  %s%n";
        sb.append(String.format(Locale.ROOT, format, "stage", "median", "p90", "what"));
        long sum = 0;
        for (int i = 0; i < stages.size(); i++) {
            long median = percentile(stageNanos[i], 0.5);
            sum += median;
            sb.append(row(
                    format,
                    stages.get(i).name(),
                    median,
                    percentile(stageNanos[i], 0.9),
                    stages.get(i).what()));
        }
        sb.append(String.format(Locale.ROOT, format, "(sum of stage medians)", micros(sum), "", ""));
        sb.append(row(format, "broker span", brokerNanos, "put handed to the processor -> reply written"));
        sb.append(row(
                format,
                "remainder",
                remainderNanos,
                "round trip - broker span: client write, loopback, Netty read+decode, reply to client"));
        sb.append(row(format, "client round trip", roundTripNanos, "System.nanoTime around write + read"));
        sb.append(row(
                format,
                "  recording stopped",
                unrecordedRoundTripNanos,
                "the same, as many puts after the recording (what recording costs)"));
        sb.append(String.format(
                Locale.ROOT,
                "%d of %d puts found their writer still running (no wake-up: that stage counts 0 for them)%n",
                foundRunningWriter,
                roundTripNanos.length));
        sb.append("overlapping the stages above:\n");
        sb.append(row(format, "PutHandled event", putHandledNanos, "the whole put on the event loop"));
        sb.append(row(format, "Complete event", completeNanos, "completing the batch (runs the reply callback)"));
        return sb.toString();
    }

    private static String row(String format, String name, long[] values, String what) {
        return row(format, name, percentile(values, 0.5), percentile(values, 0.9), what);
    }

    private static String row(String format, String name, long median, long p90, String what) {
        return String.format(Locale.ROOT, format, name, micros(median), micros(p90), what);
    }

    /** One JSON object: {@code stages: [{name, medianUs, p90Us}], brokerSpan…, roundTrip…, remainder…}. */
    String json() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("puts", roundTripNanos.length);
        root.put("size", recordSize);
        root.put("foundRunningWriter", foundRunningWriter);
        ArrayNode list = root.putArray("stages");
        for (int i = 0; i < stages.size(); i++) {
            stat(list.addObject().put("name", stages.get(i).name()), stageNanos[i]);
        }
        stat(root.putObject("brokerSpan"), brokerNanos);
        stat(root.putObject("remainder"), remainderNanos);
        stat(root.putObject("roundTrip"), roundTripNanos);
        stat(root.putObject("roundTripUnrecorded"), unrecordedRoundTripNanos);
        stat(root.putObject("putHandled"), putHandledNanos);
        stat(root.putObject("complete"), completeNanos);
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the report cannot be written as JSON", e);
        }
    }

    private static void stat(ObjectNode node, long[] values) {
        node.put("medianUs", percentile(values, 0.5) / 1000.0);
        node.put("p90Us", percentile(values, 0.9) / 1000.0);
    }
}
