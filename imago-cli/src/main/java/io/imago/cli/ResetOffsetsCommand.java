package io.imago.cli;

import io.imago.protocol.zk.OffsetNodeData;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code imago groups reset-offsets G --topic T (--to-earliest | --to-latest | --to-offset N) [--execute]}:
 * prints the plan, and writes the group's committed offsets in ZooKeeper only with {@code --execute}.
 * Refuses while the group has live members: they would overwrite the new offsets with their own at their
 * next commit. Holds only its options; not thread-safe.
 */
@Command(
        name = "reset-offsets",
        mixinStandardHelpOptions = true,
        description = {
            "Moves the committed offsets of a consumer group on one topic (every partition, or those of "
                    + "--partition). Prints the plan (PARTITION CURRENT NEW); changes nothing without --execute.",
            "Refuses while the group has live members (children of <zk-root>/consumers/GROUP/ids): stop its "
                    + "consumers first.",
            "An offset is a byte position: --to-offset N must be a message boundary (an offset printed by "
                    + "'imago produce' or 'imago consume'), within the partition's [min, max]."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:plan printed (and applied with --execute)",
            "1:refused (live members, offset out of range, a broker down) or ZooKeeper unreachable",
            ExitCodes.LIST_2
        })
final class ResetOffsetsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ZkOptions zk;

    @Parameters(index = "0", paramLabel = "GROUP", description = "the consumer group")
    String group;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "the topic")
    String topic;

    @Option(names = "--partition", paramLabel = "BROKERID-P", description = "only this partition, e.g. 0-1")
    String partition;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--execute", description = "apply the plan (default: dry run)")
    boolean execute;

    /** Where to move the offsets: exactly one of the three. */
    static final class Target {
        @Option(names = "--to-earliest", required = true, description = "each partition's min offset")
        boolean earliest;

        @Option(names = "--to-latest", required = true, description = "each partition's max (end) offset")
        boolean latest;

        @Option(names = "--to-offset", required = true, paramLabel = "N", description = "offset N")
        Long offset;
    }

    /** One line of the plan. */
    private record Move(String partition, String current, long target, long messageId) {}

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (ClusterZnodes cluster = ClusterZnodes.connect(zk)) {
            List<String> members = cluster.members(group);
            if (!members.isEmpty()) {
                throw new ToolException("group " + group + " has " + members.size() + " live member(s) " + members
                        + ": stop its consumers before resetting its offsets; nothing changed");
            }
            List<Move> plan = plan(cluster);
            out.printf("%-24s %-10s %-12s %s%n", "TOPIC", "PARTITION", "CURRENT", "NEW");
            for (Move m : plan) {
                out.printf("%-24s %-10s %-12s %d%n", topic, m.partition(), m.current(), m.target());
            }
            if (!execute) {
                out.println("dry run: nothing changed; add --execute to apply");
                return ExitCodes.OK;
            }
            for (Move m : plan) {
                cluster.writeOffset(group, topic, m.partition(), OffsetNodeData.encode(m.messageId(), m.target()));
            }
            out.println("reset " + plan.size() + " partition(s) of group " + group + " on topic " + topic);
            return ExitCodes.OK;
        } catch (ToolException e) {
            return Tools.fail(spec, e);
        }
    }

    private List<Move> plan(ClusterZnodes cluster) throws ToolException {
        GroupPartitions parts = GroupPartitions.read(cluster, group, topic);
        List<String> chosen = new ArrayList<>(parts.partitions());
        if (partition != null) {
            chosen.retainAll(List.of(partition));
        }
        if (chosen.isEmpty()) {
            throw new ToolException("no partition " + (partition == null ? "" : partition + " ") + "of topic " + topic
                    + " is registered by a live broker or committed by group " + group);
        }
        BrokerOffsets offsets = BrokerOffsets.fetch(cluster.brokers(), new BrokerStatsClient(5_000));
        List<Move> plan = new ArrayList<>();
        for (String p : chosen) {
            int broker = BrokerOffsets.brokerOf(p);
            if (!offsets.answered(broker)) {
                throw new ToolException(
                        "broker " + broker + " (partition " + p + ") is down or did not answer; " + "nothing changed");
            }
            BrokerOffsets.Range range = offsets.range(topic, p).orElse(new BrokerOffsets.Range(0, 0));
            long to = target.earliest ? range.min() : target.latest ? range.max() : target.offset;
            if (to < range.min() || to > range.max()) {
                throw new ToolException("offset " + to + " is outside [" + range.min() + ", " + range.max()
                        + "] of partition " + p + "; nothing changed");
            }
            plan.add(new Move(
                    p, parts.committedOffset(p).map(String::valueOf).orElse("-"), to, parts.committedMessageId(p)));
        }
        return plan;
    }
}
