package io.imago.client.internal.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.cluster.Partition;
import io.imago.protocol.zk.ZnodeDescriptor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link RoundPlan}: what one rebalance attempt releases, claims and reports, from the views alone. */
class RoundPlanTest {
    private static final List<String> FOUR = List.of("0-0", "0-1", "0-2", "0-3");
    private final RebalanceSettings settings = new RebalanceSettings(
            new ZnodeDescriptor(ZnodeDescriptor.DEFAULT_ROOT),
            "g",
            "g_a",
            List.of("t"),
            new DefaultLoadBalanceStrategy(),
            200,
            5_000,
            0,
            false,
            0);
    private final OwnedPartitions owned = new OwnedPartitions(settings, null);

    private void own(String... partitions) {
        for (String p : partitions) {
            Partition partition = new Partition(p);
            owned.handedOver(
                    List.of(new PartitionAssignment("t", partition, new TopicPartitionRegInfo("t", partition, 0))));
        }
    }

    @Test
    void aSecondConsumerJoiningTakesHalfAway() {
        own("0-0", "0-1", "0-2", "0-3");
        TopicView before = new TopicView(List.of("g_a"), FOUR, List.of("0-m"));
        TopicView now = new TopicView(List.of("g_a", "g_b"), FOUR, List.of("0-m"));

        RoundPlan plan = RoundPlan.of(settings, Map.of("t", now), Map.of("t", before), owned);

        assertThat(plan.toRelease()).extracting(a -> a.partition().toString()).containsExactly("0-2", "0-3");
        assertThat(plan.toClaim()).isEmpty();
        assertThat(plan.changesOwnership()).isTrue();
        assertThat(plan.brokersChanged()).isEmpty();
    }

    @Test
    void theFirstRoundClaimsTheShare() {
        TopicView now = new TopicView(List.of("g_a", "g_b"), FOUR, List.of("0-m"));

        RoundPlan plan = RoundPlan.of(settings, Map.of("t", now), Map.of(), owned);

        assertThat(plan.toClaim()).isEqualTo(Map.of("t", Set.of("0-0", "0-1")));
        assertThat(plan.toRelease()).isEmpty();
    }

    @Test
    void anUnchangedSharingWithNewRegistrationsOnlyReportsTheBrokers() {
        own("0-0", "0-1");
        TopicView before = new TopicView(List.of("g_a", "g_b"), FOUR, List.of("0-m"));
        TopicView now = new TopicView(List.of("g_a", "g_b"), FOUR, List.of("0-m", "0-s1"));

        RoundPlan plan = RoundPlan.of(settings, Map.of("t", now), Map.of("t", before), owned);

        assertThat(plan.changesOwnership()).isFalse();
        assertThat(plan.brokersChanged()).containsExactly("t");
    }
}
