package io.imago.client.internal.rebalance;

import static io.imago.client.internal.rebalance.ConsistentHashStrategyTest.consumers;
import static io.imago.client.internal.rebalance.ConsistentHashStrategyTest.owners;
import static io.imago.client.internal.rebalance.ConsistentHashStrategyTest.partitions;
import static io.imago.client.internal.rebalance.ConsistentHashStrategyTest.shares;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The ring's promises for any group: one owner per partition, determinism, and stability when a consumer leaves. */
class ConsistentHashStrategyProperties {

    @Property(tries = 100)
    void everyPartitionHasExactlyOneOwnerAndTheSameOneEachTime(
            @ForAll @IntRange(min = 1, max = 12) int consumerCount,
            @ForAll @IntRange(min = 0, max = 40) int partitionCount) {
        List<String> consumers = consumers(consumerCount);
        List<String> partitions = partitions(partitionCount);
        Map<String, List<String>> first = shares(consumers, partitions);
        List<String> all = new ArrayList<>();
        first.values().forEach(all::addAll);
        assertThat(all).containsExactlyInAnyOrderElementsOf(partitions);
        assertThat(shares(consumers, partitions)).isEqualTo(first);
    }

    @Property(tries = 100)
    void aLeavingConsumerMovesOnlyItsOwnPartitions(
            @ForAll @IntRange(min = 2, max = 12) int consumerCount,
            @ForAll @IntRange(min = 0, max = 11) int leaverIndex,
            @ForAll @IntRange(min = 1, max = 40) int partitionCount) {
        List<String> consumers = consumers(consumerCount);
        List<String> partitions = partitions(partitionCount);
        String leaver = consumers.get(leaverIndex % consumerCount);
        Map<String, String> before = owners(shares(consumers, partitions));
        List<String> remaining = new ArrayList<>(consumers);
        remaining.remove(leaver);
        Map<String, String> after = owners(shares(remaining, partitions));
        before.forEach((partition, owner) -> {
            if (!owner.equals(leaver)) {
                assertThat(after).containsEntry(partition, owner);
            }
        });
    }
}
