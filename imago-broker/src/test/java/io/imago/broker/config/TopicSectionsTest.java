package io.imago.broker.config;

import static io.imago.broker.config.ConfigFixtures.load;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.store.retention.RetentionPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class TopicSectionsTest {
    @TempDir
    Path dir;

    @Test
    void topicMatchingNoSectionIsNotAccepted() {
        BrokerConfig config = load(dir, "[topic=orders]\n[topic=audit-*]\n");
        assertThat(config.resolve("payments")).isEmpty();
        assertThat(config.resolve("order")).isEmpty();
        assertThat(config.resolve("audit")).isEmpty();
        assertThat(config.acceptsAnyTopic()).isFalse();
    }

    @Test
    void wildcardMatchesAnyRunOfCharacters() {
        BrokerConfig config = load(dir, "[topic=a*b*c]\n");
        assertThat(config.resolve("abc")).isPresent();
        assertThat(config.resolve("a-x-b-y-c")).isPresent();
        assertThat(config.resolve("a.b.c")).isPresent();
        assertThat(config.resolve("abcd")).isEmpty();
        assertThat(config.resolve("xabc")).isEmpty();
    }

    @Test
    void regexCharactersInSectionNamesAreLiteral() {
        BrokerConfig config = load(dir, "[topic=a.b-*]\n");
        assertThat(config.resolve("a.b-1")).isPresent();
        assertThat(config.resolve("axb-1")).isEmpty();
        assertThat(config.resolve("a.bb1")).isEmpty();
    }

    @Test
    void exactSectionWinsOverAnEarlierWildcard() {
        BrokerConfig config = load(dir, "[topic=t*]\nnumPartitions=2\n[topic=test]\nnumPartitions=5\n");
        TopicConfig test = config.resolve("test").orElseThrow();
        assertThat(test.sectionName()).isEqualTo("test");
        assertThat(test.numPartitions()).isEqualTo(5);
        TopicConfig other = config.resolve("tx").orElseThrow();
        assertThat(other.sectionName()).isEqualTo("t*");
        assertThat(other.topic()).isEqualTo("tx");
        assertThat(other.numPartitions()).isEqualTo(2);
    }

    @Test
    void firstMatchingWildcardInFileOrderWins() {
        BrokerConfig config = load(
                dir, "[topic=log-*]\nnumPartitions=3\n[topic=*]\nnumPartitions=1\n[topic=log-a*]\nnumPartitions=9\n");
        assertThat(config.resolve("log-abc").orElseThrow().numPartitions()).isEqualTo(3);
        assertThat(config.resolve("metrics").orElseThrow().numPartitions()).isEqualTo(1);
    }

    @Test
    void topicInheritsSystemValuesWhenAbsentOrBlank() {
        BrokerConfig config = load(dir, """
                [system]
                numPartitions=4
                unflushThreshold=100
                unflushInterval=2000
                dataPath=/data
                deletePolicy=delete,24
                deleteWhen=0 0 3 * * ?
                acceptPublish=false
                acceptSubscribe=false
                stat=true
                [topic=plain]
                [topic=blank]
                numPartitions=
                stat=
                """);
        for (String topic : new String[] {"plain", "blank"}) {
            TopicConfig t = config.resolve(topic).orElseThrow();
            assertThat(t)
                    .isEqualTo(new TopicConfig(
                            topic,
                            topic,
                            4,
                            100,
                            2000,
                            Path.of("/data").toAbsolutePath(),
                            RetentionPolicy.parse("delete,24"),
                            "0 0 3 * * ?",
                            false,
                            false,
                            true,
                            Map.of()));
            assertThat(t.isGroupCommit()).isFalse();
        }
    }

    @Test
    void topicOverridesEveryTopicKey() throws Exception {
        BrokerConfig config = load(dir, """
                [topic=orders]
                numPartitions=8
                unflushThreshold=0
                unflushInterval=100
                dataPath=/fast/disk
                deletePolicy=archive,30m,true
                deleteWhen=0 15 * * * ?
                acceptPublish=false
                acceptSubscribe=false
                stat=true
                """);
        TopicConfig orders = config.resolve("orders").orElseThrow();
        assertThat(orders.numPartitions()).isEqualTo(8);
        assertThat(orders.isGroupCommit()).isTrue();
        assertThat(orders.unflushIntervalMs()).isEqualTo(100);
        assertThat(orders.dataPath()).isEqualTo(Path.of("/fast/disk").toAbsolutePath());
        assertThat(orders.partitionDirectory(3))
                .isEqualTo(Path.of("/fast/disk/orders-3").toAbsolutePath());
        assertThat(orders.deletePolicy().maxAgeMs())
                .isEqualTo(Duration.ofMinutes(30).toMillis());
        assertThat(orders.deleteWhen()).isEqualTo("0 15 * * * ?");
        assertThat(orders.acceptsPublish()).isFalse();
        assertThat(orders.acceptsSubscribe()).isFalse();
        assertThat(orders.collectsStats()).isTrue();
        assertThat(config.numPartitions()).as("[system] is untouched").isEqualTo(1);
    }

    @Test
    void groupFilterEntriesAreKeptPerTopicInFileOrder() {
        BrokerConfig config = load(dir, """
                [topic=orders]
                group.billing=com.example.BillingFilter
                group.audit-team=com.example.filters.Audit$Inner
                group.unset=
                [topic=log-*]
                group.ops=com.example.OpsFilter
                """);
        assertThat(config.resolve("orders").orElseThrow().consumerFilters())
                .containsExactly(
                        Map.entry("billing", "com.example.BillingFilter"),
                        Map.entry("audit-team", "com.example.filters.Audit$Inner"));
        assertThat(config.resolve("log-1").orElseThrow().consumerFilters())
                .containsExactly(Map.entry("ops", "com.example.OpsFilter"));
    }

    @Test
    void configuredTopicsListsEverySectionNameInFileOrderWildcardsIncluded() {
        BrokerConfig config = load(dir, "[topic=zeta]\n[topic=t*]\n[topic=alpha]\n");
        assertThat(config.configuredTopics()).containsExactly("zeta", "t*", "alpha");
    }

    @Test
    void aWildcardSectionsOwnLiteralNameIsListedButNotAcceptedAsATopic() {
        // MetaQ accepted a put to the literal "t*" (a directory "t*-0"); '*' breaks the topic name rule
        BrokerConfig config = load(dir, "[topic=t*]\n");
        assertThat(config.configuredTopics()).containsExactly("t*");
        assertThat(config.resolve("t*")).isEmpty();
        assertThat(config.resolve("t1")).isPresent();
    }
}
