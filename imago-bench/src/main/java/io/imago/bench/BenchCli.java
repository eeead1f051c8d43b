package io.imago.bench;

import io.imago.bench.imago.ImagoTargets;
import io.imago.bench.kafka.KafkaTargets;
import io.imago.bench.load.LoadOptions;
import io.imago.bench.load.LoadResult;
import io.imago.bench.load.LoadRunner;
import io.imago.bench.load.Targets;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/imago bench …}: load tools in the manner of Kafka's perf tools ({@code produce},
 * {@code consume}, {@code e2e}), the side-by-side comparison with Kafka and the original MetaQ
 * ({@code compare}), many partitions on one broker ({@code partitions}), a put's latency budget
 * ({@code put-budget}) and the JMH micro-benchmarks ({@code jmh}).
 */
@Command(
        name = "imago bench",
        mixinStandardHelpOptions = true,
        description = "Load tools and benchmarks: produce, consume, e2e, compare, partitions, put-budget, jmh.",
        subcommands = {
            BenchCli.Produce.class,
            BenchCli.Consume.class,
            BenchCli.EndToEnd.class,
            BenchCli.Transactions.class,
            io.imago.bench.compare.CompareCommand.class,
            io.imago.bench.partitions.PartitionsCommand.class,
            io.imago.bench.budget.PutBudgetCommand.class,
            BenchCli.Jmh.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:the run failed", "2:bad options"})
public final class BenchCli {
    private BenchCli() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, with errors in options answered by exit code 2. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(BenchCli.class, new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == BenchCli.class) {
                    return cls.cast(new BenchCli());
                }
                return CommandLine.defaultFactory().create(cls);
            }
        });
        cl.getSubcommands().get("jmh").setUnmatchedOptionsArePositionalParams(true);
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            line.getErr().println("imago bench " + line.getCommandName() + ": " + ex.getMessage());
            return ex instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl;
    }

    /** The system a load command drives. */
    static Targets targetsFor(LoadOptions options) {
        return switch (options.target) {
            case imago -> new ImagoTargets();
            case kafka -> new KafkaTargets();
        };
    }

    static int print(LoadOptions options, LoadResult result, PrintStream out) {
        out.println(options.json ? LoadResult.LINE_PREFIX + result.toJson() : result.summary());
        out.flush();
        return result.errors() == 0 ? 0 : 1;
    }

    @Command(
            name = "produce",
            mixinStandardHelpOptions = true,
            description = {
                "Sends records of --size bytes from --threads threads for --duration (or --messages), "
                        + "sync or async (at most --window in flight per thread), optionally at a fixed --rate.",
                "Prints a progress line every --report-interval on standard error and a final line with "
                        + "records/s, MB/s and the send-to-acknowledgement latency p50/p95/p99/p99.9 (--json: "
                        + "one line 'RESULT {json}')."
            })
    static final class Produce implements Callable<Integer> {
        @Mixin
        LoadOptions options;

        @Override
        public Integer call() throws Exception {
            return print(options, new LoadRunner(targetsFor(options), options, System.err).produce(), System.out);
        }
    }

    @Command(
            name = "consume",
            mixinStandardHelpOptions = true,
            description = {
                "Reads the topic from its earliest offset with one consumer (a fresh group unless "
                        + "--group is given) until --messages records arrived (or for --duration).",
                "Records/s are measured from the first record to the last."
            })
    static final class Consume implements Callable<Integer> {
        @Mixin
        LoadOptions options;

        @Override
        public Integer call() throws Exception {
            return print(options, new LoadRunner(targetsFor(options), options, System.err).consume(), System.out);
        }
    }

    @Command(
            name = "e2e",
            mixinStandardHelpOptions = true,
            description = {
                "A producer and a consumer in this process: sends at --rate (or as fast as the window "
                        + "allows) for --duration and measures each record from its scheduled send to its receipt.",
                "Starts measuring only once the consumer receives a probe, so its start-up is not counted."
            })
    static final class EndToEnd implements Callable<Integer> {
        @Mixin
        LoadOptions options;

        @Override
        public Integer call() throws Exception {
            return print(options, new LoadRunner(targetsFor(options), options, System.err).endToEnd(), System.out);
        }
    }

    @Command(
            name = "transactions",
            mixinStandardHelpOptions = true,
            description = {
                "Runs transactions from --threads threads for --duration after --warmup: each is --tx-size "
                        + "records of --size bytes sent synchronously, then a commit (Imago and MetaQ: a local "
                        + "transaction; Kafka: a transactional producer per thread).",
                "Prints transactions/s (as records/s) and the commit latency p50/p95/p99/p99.9 (commit call to "
                        + "return)."
            })
    static final class Transactions implements Callable<Integer> {
        @Mixin
        LoadOptions options;

        @Option(
                names = "--tx-size",
                defaultValue = "10",
                paramLabel = "N",
                description = "records per transaction (default: ${DEFAULT-VALUE})")
        int txSize;

        @Override
        public Integer call() throws Exception {
            return print(
                    options,
                    new io.imago.bench.load.TransactionRunner(targetsFor(options), options, txSize, System.err).run(),
                    System.out);
        }
    }

    @Command(
            name = "jmh",
            description = "Runs the JMH micro-benchmarks (codec, store); arguments go to JMH "
                    + "(e.g. 'bench jmh GroupCommitAppendBenchmark -f 1').")
    static final class Jmh implements Callable<Integer> {
        @CommandLine.Parameters(arity = "0..*", paramLabel = "JMH-ARGS")
        String[] args = new String[0];

        @Override
        public Integer call() throws Exception {
            org.openjdk.jmh.Main.main(args);
            return 0;
        }
    }
}
