package io.imago.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code imago groups list|describe|reset-offsets}: consumer groups as ZooKeeper holds them (MetaQ's
 * layout) and how far behind each partition they are. Holds only its options; not thread-safe.
 */
@Command(
        name = "groups",
        mixinStandardHelpOptions = true,
        description =
                "Lists consumer groups, describes one (owner, committed offset, end offset, lag), resets offsets.",
        subcommands = {GroupsCommand.ListGroups.class, GroupsCommand.Describe.class, ResetOffsetsCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {ExitCodes.LIST_0, ExitCodes.LIST_1, ExitCodes.LIST_2})
final class GroupsCommand implements Callable<Integer> {
    static final String UNKNOWN = "unknown";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** {@code groups list}. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Lists every consumer group in ZooKeeper with its live members and its topics.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {ExitCodes.LIST_0, ExitCodes.LIST_1, ExitCodes.LIST_2})
    static final class ListGroups implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ZkOptions zk;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (ClusterZnodes cluster = ClusterZnodes.connect(zk)) {
                out.printf("%-30s %-8s %s%n", "GROUP", "MEMBERS", "TOPICS");
                for (String group : cluster.groups()) {
                    out.printf(
                            "%-30s %-8d %s%n",
                            group, cluster.members(group).size(), String.join(",", cluster.groupTopics(group)));
                }
                return ExitCodes.OK;
            } catch (ToolException e) {
                return Tools.fail(spec, e);
            }
        }
    }

    /** {@code groups describe G}. */
    @Command(
            name = "describe",
            mixinStandardHelpOptions = true,
            description = {
                "Describes a consumer group: per topic and partition the owning consumer, the committed "
                        + "offset, the partition's end offset and the lag (end - committed, never negative; with no "
                        + "committed offset, end - min). End and lag are 'unknown' while the partition's broker is down."
            },
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {ExitCodes.LIST_0, "1:failed (ZooKeeper unreachable, no such group)", ExitCodes.LIST_2})
    static final class Describe implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ZkOptions zk;

        @Parameters(index = "0", paramLabel = "GROUP", description = "the consumer group")
        String group;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (ClusterZnodes cluster = ClusterZnodes.connect(zk)) {
                if (!cluster.groups().contains(group)) {
                    throw new ToolException("no consumer group " + group + " in ZooKeeper");
                }
                List<String> members = cluster.members(group);
                out.println("group " + group + ": " + members.size() + " live member(s)");
                BrokerOffsets offsets = BrokerOffsets.fetch(cluster.brokers(), new BrokerStatsClient(5_000));
                out.printf(
                        "%-24s %-10s %-44s %-12s %-12s %s%n", "TOPIC", "PARTITION", "OWNER", "COMMITTED", "END", "LAG");
                for (String topic : cluster.groupTopics(group)) {
                    GroupPartitions parts = GroupPartitions.read(cluster, group, topic);
                    for (String partition : parts.partitions()) {
                        row(out, cluster, offsets, topic, parts, partition);
                    }
                }
                Tools.warnUnreachable(spec, offsets);
                return ExitCodes.OK;
            } catch (ToolException e) {
                return Tools.fail(spec, e);
            }
        }

        private void row(
                PrintWriter out,
                ClusterZnodes cluster,
                BrokerOffsets offsets,
                String topic,
                GroupPartitions parts,
                String partition)
                throws ToolException {
            var committed = parts.committedOffset(partition);
            var range = offsets.range(topic, partition);
            boolean known = range.isPresent() || offsets.answered(BrokerOffsets.brokerOf(partition));
            String end = range.map(r -> Long.toString(r.max())).orElse(known ? "0" : UNKNOWN);
            String lag = UNKNOWN;
            if (known) {
                long endOffset = range.map(BrokerOffsets.Range::max).orElse(0L);
                long from = committed.orElse(range.map(BrokerOffsets.Range::min).orElse(0L));
                lag = Long.toString(Math.max(0, endOffset - from));
            }
            out.printf(
                    "%-24s %-10s %-44s %-12s %-12s %s%n",
                    topic,
                    partition,
                    cluster.owner(group, topic, partition).orElse("-"),
                    committed.map(String::valueOf).orElse("-"),
                    end,
                    lag);
        }
    }
}
