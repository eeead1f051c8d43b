package io.imago.broker.stats;

import io.imago.broker.BrokerVersion;
import io.imago.broker.config.BrokerConfig;
import io.imago.broker.config.TopicConfig;
import io.imago.broker.partition.PartitionEntry;
import io.imago.broker.partition.PartitionRegistry;
import io.imago.broker.partition.TopicLogs;
import io.imago.broker.tx.TransactionManager;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

/**
 * Renders the lines of each {@code stats} item exactly as MetaQ 1.4.6.2 does (spec section 1.4):
 * the caller frames them with {@code STATS\r\n ... END\r\n}; {@code config} is not rendered here
 * (its body is the raw {@code server.ini}). Stateless apart from its sources; thread-safe.
 */
public final class StatsReport {
    public static final String ITEM_TOPICS = "topics";
    public static final String ITEM_OFFSETS = "offsets";
    public static final String ITEM_REALTIME = "realtime";
    public static final String ITEM_RESET = "reset";
    public static final String ITEM_HELP = "help";
    public static final String ITEM_CONFIG = "config";
    /** Imago addition: the transactions the broker holds, by state (the summary stays MetaQ's). */
    public static final String ITEM_TRANSACTIONS = "transactions";

    private final BrokerConfig config;
    private final PartitionRegistry registry;
    private final BrokerStats stats;
    private final IntSupplier port;
    private final TransactionManager transactions;

    public StatsReport(
            BrokerConfig config,
            PartitionRegistry registry,
            BrokerStats stats,
            IntSupplier port,
            TransactionManager transactions) {
        this.config = config;
        this.registry = registry;
        this.stats = stats;
        this.port = port;
        this.transactions = transactions;
    }

    /** The lines of {@code item} ({@code ""} for the broker summary); any unknown item is a topic. */
    public List<String> lines(String item) {
        return switch (item) {
            case "" -> summary();
            case ITEM_TOPICS -> topics();
            case ITEM_OFFSETS -> offsets();
            case ITEM_REALTIME -> realtime();
            case ITEM_HELP -> help();
            case ITEM_TRANSACTIONS -> transactions();
            case ITEM_RESET -> {
                stats.resetRealtime();
                yield List.of("reset ok");
            }
            default -> topic(item);
        };
    }

    private List<String> summary() {
        List<String> lines = new ArrayList<>();
        lines.add("pid " + ProcessHandle.current().pid());
        lines.add("broker_id " + config.brokerId());
        lines.add("port " + port.getAsInt());
        lines.add("uptime " + stats.uptimeSeconds());
        lines.add("version " + BrokerVersion.VERSION);
        lines.add("slave false");
        lines.add("curr_connections " + stats.connections());
        lines.add("threads " + ManagementFactory.getThreadMXBean().getThreadCount());
        lines.add("cmd_put " + stats.cmdPut.sum());
        lines.add("cmd_get " + stats.cmdGet.sum());
        lines.add("cmd_offset " + stats.cmdOffset.sum());
        lines.add("tx_begin " + stats.txBegin.sum());
        lines.add("tx_xa_begin " + stats.txXaBegin.sum());
        lines.add("tx_commit " + stats.txCommit.sum());
        lines.add("tx_rollback " + stats.txRollback.sum());
        lines.add("get_miss " + stats.getMiss.sum());
        lines.add("put_failed " + stats.putFailed.sum());
        lines.add("total_messages "
                + registry.topics().stream()
                        .mapToLong(TopicLogs::appendedSinceStart)
                        .sum());
        lines.add("topics " + registry.topics().size());
        lines.add("config_checksum " + config.checksumCrc32());
        List<PartitionEntry> offline = registry.offlinePartitions();
        if (!offline.isEmpty()) {
            // a summary line beyond MetaQ's, only while a partition is offline
            lines.add("offline_partitions "
                    + offline.stream().map(p -> p.topicPartition().toString()).collect(Collectors.joining(",")));
        }
        long scrubbed = stats.scrubCorruptRanges.sum();
        if (scrubbed > 0) {
            // a summary line beyond MetaQ's, only once the background scrub found corruption
            lines.add("scrub_corrupt_ranges " + scrubbed);
        }
        return lines;
    }

    /** {@code tx_<state> <count>} for every state, then the transactions prepared, awaiting their manager. */
    private List<String> transactions() {
        Map<String, Integer> counts = transactions.countsByState();
        List<String> lines = new ArrayList<>();
        for (String state : List.of(
                "ACTIVE",
                "PREPARED",
                "COMMITTING",
                "HEURISTIC_COMMITTED",
                "HEURISTIC_ROLLED_BACK",
                "HEURISTIC_MIXED")) {
            lines.add("tx_" + state.toLowerCase(Locale.ROOT) + " " + counts.getOrDefault(state, 0));
        }
        lines.add("tx_begin " + stats.txBegin.sum());
        lines.add("tx_xa_begin " + stats.txXaBegin.sum());
        lines.add("tx_commit " + stats.txCommit.sum());
        lines.add("tx_rollback " + stats.txRollback.sum());
        return lines;
    }

    private List<String> topics() {
        List<String> lines = new ArrayList<>();
        for (TopicLogs t : registry.topics()) {
            Optional<TopicConfig> tc = registry.topicConfig(t.topic());
            boolean pub = tc.map(TopicConfig::acceptsPublish).orElse(false);
            boolean sub = tc.map(TopicConfig::acceptsSubscribe).orElse(true);
            lines.add(t.topic() + " partitions " + t.partitions().size() + " message_count " + t.appendedSinceStart()
                    + " message_bytes " + t.sizeBytes() + " accept_publish " + pub + " accept_subscribe " + sub);
        }
        Set<String> loaded = registry.topics().stream().map(TopicLogs::topic).collect(Collectors.toSet());
        for (String configured : config.configuredTopics()) {
            if (!loaded.contains(configured)) {
                lines.add(configured + " *Empty*");
            }
        }
        return lines;
    }

    private List<String> offsets() {
        List<String> lines = new ArrayList<>();
        for (PartitionEntry p : registry.partitions()) {
            lines.add(p.topicPartition().topic() + " part " + p.topicPartition().partition() + " min_offset "
                    + p.log().minOffset() + " max_offset " + p.log().maxOffset());
        }
        return lines;
    }

    private List<String> realtime() {
        List<String> lines = new ArrayList<>();
        for (BrokerStats.Realtime r : BrokerStats.Realtime.values()) {
            lines.add("realtime_" + r.suffix() + " " + stats.renderRealtime(r));
        }
        return lines;
    }

    private static List<String> help() {
        return List.of(
                "*EMPTY* Returns broker info.",
                "help Returns this help.",
                "topics Returns every topic: partitions, message count and bytes, accept_publish, accept_subscribe.",
                "offsets Returns every partition's min and max offset; any other item is taken as a topic name.",
                "realtime Returns realtime statistics since the last reset (stats reset starts a new window).",
                "config Returns the broker's server.ini.",
                "transactions Returns the transactions held, by state (Imago addition).");
    }

    private List<String> topic(String topic) {
        List<String> lines = new ArrayList<>();
        Optional<TopicLogs> logs =
                registry.topics().stream().filter(t -> t.topic().equals(topic)).findFirst();
        int resultCode = logs.isPresent() ? 0 : config.configuredTopics().contains(topic) ? 2 : 1;
        lines.add(topic);
        lines.add("resultCode " + resultCode);
        lines.add("partitions " + logs.map(t -> t.partitions().size()).orElse(0));
        lines.add("message_count " + logs.map(TopicLogs::appendedSinceStart).orElse(0L));
        lines.add("bytes " + logs.map(TopicLogs::sizeBytes).orElse(0L));
        for (BrokerStats.Realtime r : BrokerStats.Realtime.values()) {
            lines.add("topic_realtime_" + r.suffix() + " " + stats.renderRealtime(r, topic));
        }
        String offline = logs.map(t -> t.partitions().stream()
                        .filter(PartitionEntry::isOffline)
                        .map(p -> Integer.toString(p.topicPartition().partition()))
                        .collect(Collectors.joining(",")))
                .orElse("");
        if (!offline.isEmpty()) {
            lines.add("offline_partitions " + offline);
        }
        return lines;
    }
}
