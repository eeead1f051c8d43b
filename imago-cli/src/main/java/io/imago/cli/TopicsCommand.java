package io.imago.cli;

import io.imago.protocol.zk.ZnodeDescriptor;
import java.io.PrintWriter;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code imago topics list|describe}: the topics of a cluster as ZooKeeper and the brokers' {@code stats}
 * show them. Holds only its options; not thread-safe.
 */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Lists the topics of a cluster, or describes one topic partition by partition.",
        subcommands = {TopicsCommand.ListTopics.class, TopicsCommand.Describe.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {ExitCodes.LIST_0, ExitCodes.LIST_1, ExitCodes.LIST_2})
final class TopicsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** {@code topics list}. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = {
                "Lists every topic registered by a live broker: brokers, partitions, and the total "
                        + "size in bytes (sum of max - min offset of the partitions; 'unknown' when a broker does not answer)."
            },
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {ExitCodes.LIST_0, ExitCodes.LIST_1, ExitCodes.LIST_2})
    static final class ListTopics implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ZkOptions zk;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (ClusterZnodes cluster = ClusterZnodes.connect(zk)) {
                BrokerOffsets offsets = BrokerOffsets.fetch(cluster.brokers(), new BrokerStatsClient(5_000));
                out.printf("%-30s %-10s %-10s %s%n", "TOPIC", "BROKERS", "PARTITIONS", "BYTES");
                for (String topic : cluster.topics()) {
                    SortedMap<Integer, Integer> parts = cluster.registeredPartitions(topic);
                    int total =
                            parts.values().stream().mapToInt(Integer::intValue).sum();
                    out.printf("%-30s %-10d %-10d %s%n", topic, parts.size(), total, bytes(topic, parts, offsets));
                }
                Tools.warnUnreachable(spec, offsets);
                return ExitCodes.OK;
            } catch (ToolException e) {
                return Tools.fail(spec, e);
            }
        }

        private static String bytes(String topic, SortedMap<Integer, Integer> parts, BrokerOffsets offsets) {
            long sum = 0;
            for (Map.Entry<Integer, Integer> broker : parts.entrySet()) {
                for (int p = 0; p < broker.getValue(); p++) {
                    var range = offsets.range(topic, ZnodeDescriptor.partitionName(broker.getKey(), p));
                    if (range.isEmpty()) {
                        if (!offsets.answered(broker.getKey())) {
                            return "unknown";
                        }
                        continue; // a partition with no data yet
                    }
                    sum += range.get().size();
                }
            }
            return Long.toString(sum);
        }
    }

    /** {@code topics describe T}. */
    @Command(
            name = "describe",
            mixinStandardHelpOptions = true,
            description = {
                "Describes one topic: per partition (brokerId-partition) the broker's address, the min and "
                        + "max offset and the size in bytes (max - min), from each broker's 'stats offsets'."
            },
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {ExitCodes.LIST_0, "1:failed (ZooKeeper unreachable, no such topic)", ExitCodes.LIST_2})
    static final class Describe implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ZkOptions zk;

        @Parameters(index = "0", paramLabel = "TOPIC", description = "the topic")
        String topic;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (ClusterZnodes cluster = ClusterZnodes.connect(zk)) {
                SortedMap<Integer, Integer> parts = cluster.registeredPartitions(topic);
                if (parts.isEmpty()) {
                    throw new ToolException("no live broker registers topic " + topic);
                }
                BrokerOffsets offsets = BrokerOffsets.fetch(cluster.brokers(), new BrokerStatsClient(5_000));
                out.printf("%-12s %-26s %-12s %-12s %s%n", "PARTITION", "BROKER", "MIN_OFFSET", "MAX_OFFSET", "SIZE");
                for (Map.Entry<Integer, Integer> broker : parts.entrySet()) {
                    String address = offsets.address(broker.getKey()).orElse("unknown");
                    for (int p = 0; p < broker.getValue(); p++) {
                        String partition = ZnodeDescriptor.partitionName(broker.getKey(), p);
                        var range = offsets.range(topic, partition);
                        String unknown = offsets.answered(broker.getKey()) ? "0" : "unknown";
                        out.printf(
                                "%-12s %-26s %-12s %-12s %s%n",
                                partition,
                                address,
                                range.map(r -> Long.toString(r.min())).orElse(unknown),
                                range.map(r -> Long.toString(r.max())).orElse(unknown),
                                range.map(r -> Long.toString(r.size())).orElse(unknown));
                    }
                }
                Tools.warnUnreachable(spec, offsets);
                return ExitCodes.OK;
            } catch (ToolException e) {
                return Tools.fail(spec, e);
            }
        }
    }
}
