package io.imago.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code imago stats [--broker host:port | --all] [item]}: the raw lines of a broker's {@code stats}
 * answer. Holds only its options; not thread-safe.
 */
@Command(
        name = "stats",
        mixinStandardHelpOptions = true,
        description = {
            "Prints the raw lines of 'stats [ITEM]' of one broker, or of every live broker in ZooKeeper "
                    + "with --all (each preceded by '# broker <id> <url>').",
            "Items: (none) the summary, topics, offsets, realtime, reset, help, config (the server.ini), "
                    + "or a topic name."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {ExitCodes.LIST_0, "1:a broker (or ZooKeeper, with --all) did not answer", ExitCodes.LIST_2})
final class StatsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ZkOptions zk;

    @Option(
            names = "--broker",
            paramLabel = "HOST:PORT",
            defaultValue = "127.0.0.1:8123",
            description = "the broker to ask (default: ${DEFAULT-VALUE})")
    String broker;

    @Option(names = "--all", description = "ask every live broker registered in ZooKeeper (--zk, --zk-root)")
    boolean all;

    @Option(
            names = "--timeout-ms",
            paramLabel = "MS",
            defaultValue = "5000",
            description = "per broker (default: ${DEFAULT-VALUE})")
    int timeoutMs;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ITEM", defaultValue = "", description = "the stats item")
    String item;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        BrokerStatsClient client = new BrokerStatsClient(timeoutMs);
        try {
            if (!all) {
                client.stats(address(broker), item).forEach(out::println);
                return ExitCodes.OK;
            }
            SortedMap<Integer, String> brokers;
            try (ClusterZnodes cluster = ClusterZnodes.connect(zk)) {
                brokers = cluster.brokers();
            }
            int failed = 0;
            for (Map.Entry<Integer, String> b : brokers.entrySet()) {
                out.println("# broker " + b.getKey() + " " + b.getValue());
                try {
                    client.stats(BrokerStatsClient.parseAddress(b.getValue()), item)
                            .forEach(out::println);
                } catch (ToolException e) {
                    failed++;
                    spec.commandLine().getErr().println("imago stats: " + e.getMessage());
                }
            }
            return failed == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
        } catch (ToolException e) {
            return Tools.fail(spec, e);
        }
    }

    private java.net.InetSocketAddress address(String text) {
        try {
            return BrokerStatsClient.parseAddress(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--broker: " + e.getMessage(), e);
        }
    }
}
