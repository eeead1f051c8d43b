package io.imago.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the group-commit append benchmark and, before and after it in the same run, the raw disk
 * baseline (sequential 1 MiB writes, one fsync each), then prints one table: records/s and MB/s of
 * each (record size, appenders) case as the median of its measured iterations, and the ratio of its
 * MB/s to the baseline's median MB/s.
 *
 * <p>Usage: {@code java -cp imago-bench.jar io.imago.bench.StoreAppendReport [iterations] [seconds]}
 * (defaults 5 and 3); {@code -Dimago.bench.dir=DIR} chooses the disk.
 */
public final class StoreAppendReport {
    private static final double MB = 1_000_000.0;

    private StoreAppendReport() {}

    public static void main(String[] args) throws RunnerException {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<Double> baselineMiBs = new ArrayList<>();
        baselineMiBs.addAll(iterationScores(run(RawDiskBaselineBenchmark.class.getSimpleName(), iterations, seconds)));
        Collection<RunResult> store = run(GroupCommitAppendBenchmark.class.getSimpleName(), iterations, seconds);
        baselineMiBs.addAll(iterationScores(run(RawDiskBaselineBenchmark.class.getSimpleName(), iterations, seconds)));
        double baselineMBs = median(baselineMiBs) * RawDiskBaselineBenchmark.CHUNK_BYTES / MB;

        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "Raw disk baseline (1 MiB writes + fsync): median %.1f MB/s over %d iterations%n",
                baselineMBs,
                baselineMiBs.size());
        System.out.println("| record | benchmark | threads | records/s (median) | MB/s | baseline MB/s | ratio |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|");
        for (RunResult r : store) {
            int recordBytes = Integer.parseInt(r.getParams().getParam("recordBytes"));
            int threads = r.getParams().getThreads();
            double recordsPerSec = median(iterationScores(List.of(r)));
            double mbs = recordsPerSec * recordBytes / MB;
            String method = r.getParams()
                    .getBenchmark()
                    .substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
            System.out.printf(
                    Locale.ROOT,
                    "| %d B | %s | %d | %,.0f | %.1f | %.1f | %.2f |%n",
                    recordBytes,
                    method,
                    threads,
                    recordsPerSec,
                    mbs,
                    baselineMBs,
                    mbs / baselineMBs);
        }
    }

    private static Collection<RunResult> run(String benchmark, int iterations, int seconds) throws RunnerException {
        Options options = new OptionsBuilder()
                .include("io\\.imago\\.bench\\." + benchmark + "\\.")
                .forks(1)
                .warmupIterations(2)
                .warmupTime(TimeValue.seconds(seconds))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(seconds))
                .jvmArgsAppend("-Xmx2g")
                .build();
        return new Runner(options).run();
    }

    private static List<Double> iterationScores(Collection<RunResult> results) {
        List<Double> scores = new ArrayList<>();
        for (RunResult r : results) {
            r.getBenchmarkResults()
                    .forEach(b -> b.getIterationResults()
                            .forEach(i -> scores.add(i.getPrimaryResult().getScore())));
        }
        return scores;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
