package io.imago.bench.budget;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/imago bench put-budget}: where the microseconds of one synchronous put go. */
@Command(
        name = "put-budget",
        mixinStandardHelpOptions = true,
        description = {
            "Starts a broker in this JVM (group commit, 127.0.0.1, data under -Dimago.bench.dir or the temporary "
                    + "directory), sends synchronous puts from one client thread over one raw connection and "
                    + "records the put's stage events with JFR.",
            "Prints each stage's median and p90 (µs), the broker's span, the client round trip and the "
                    + "remainder (network stack, Netty read and decode, client). See docs/performance.md."
        })
public final class PutBudgetCommand implements Callable<Integer> {
    @Option(names = "--puts", description = "measured puts (${DEFAULT-VALUE})", defaultValue = "10000")
    int puts;

    @Option(
            names = "--warmup",
            description = "unmeasured puts first, without the recording (${DEFAULT-VALUE})",
            defaultValue = "2000")
    int warmup;

    @Option(names = "--size", description = "body bytes per put (${DEFAULT-VALUE})", defaultValue = "100")
    int size;

    @Option(
            names = "--jfr",
            description = "also keep the recording in this file (for JDK Mission Control, `jfr print`)")
    Path jfr;

    @Option(
            names = "--system",
            paramLabel = "KEY=VALUE",
            description = "an extra [system] line of the broker's server.ini, e.g. logWriterThreads=1 (repeatable)")
    List<String> system = new ArrayList<>();

    @Option(names = "--json", description = "print the result as one line 'RESULT {json}'")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Path root = Files.createDirectories(
                Path.of(System.getProperty("imago.bench.dir", System.getProperty("java.io.tmpdir"))));
        PutBudget.Options options = new PutBudget.Options(puts, warmup, size, root, Optional.ofNullable(jfr), system);
        PutBudgetReport report = new PutBudget(options, System.err).run();
        System.out.print(json ? PutBudgetReport.LINE_PREFIX + report.json() + System.lineSeparator() : report.table());
        System.out.flush();
        return 0;
    }
}
