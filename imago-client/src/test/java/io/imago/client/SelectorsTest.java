package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.Message;
import io.imago.client.producer.AbstractPartitionSelector;
import io.imago.client.producer.HashPartitionSelector;
import io.imago.client.producer.RandomPartitionSelector;
import io.imago.client.producer.RoundRobinPartitionSelector;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorsTest {
    private static final List<Partition> FOUR =
            List.of(new Partition(0, 0), new Partition(0, 1), new Partition(1, 0), new Partition(1, 1));

    private static Message message(String attribute) {
        return new Message("t", new byte[0], attribute);
    }

    @Test
    void roundRobinVisitsEveryPartitionInTurn() throws Exception {
        RoundRobinPartitionSelector s = new RoundRobinPartitionSelector();
        for (int i = 0; i < 8; i++) {
            assertThat(s.getPartition("t", FOUR, message(null))).isEqualTo(FOUR.get(i % 4));
        }
    }

    @Test
    void randomReachesEveryPartition() throws Exception {
        RandomPartitionSelector s = new RandomPartitionSelector();
        Map<Partition, Integer> counts = new HashMap<>();
        for (int i = 0; i < 2_000; i++) {
            counts.merge(s.getPartition("t", FOUR, message(null)), 1, Integer::sum);
        }
        assertThat(counts).hasSize(4).allSatisfy((p, n) -> assertThat(n).isBetween(350, 650));
    }

    @Test
    void hashSendsTheSameKeyToTheSamePartitionAndACustomKeyIsUsed() throws Exception {
        HashPartitionSelector byAttribute = new HashPartitionSelector();
        Partition first = byAttribute.getPartition("t", FOUR, message("order-42"));
        for (int i = 0; i < 10; i++) {
            assertThat(byAttribute.getPartition("t", FOUR, message("order-42"))).isEqualTo(first);
        }
        assertThat(byAttribute.getPartition("t", FOUR, message(null))).isEqualTo(FOUR.get(0));
        HashPartitionSelector byData = new HashPartitionSelector(m -> Integer.toString(m.getData().length));
        assertThat(byData.getPartition("t", FOUR, new Message("t", new byte[5])))
                .isEqualTo(FOUR.get(Math.floorMod("5".hashCode(), 4)));
    }

    @Test
    void everySelectorRefusesAnEmptyPartitionListWithTheOriginalMessage() {
        for (AbstractPartitionSelector s : List.of(
                new RoundRobinPartitionSelector(), new RandomPartitionSelector(), new HashPartitionSelector())) {
            assertThatThrownBy(() -> s.getPartition("t1", List.of(), message("a")))
                    .isInstanceOf(MetaClientException.class)
                    .hasMessage("There is no aviable partition for topic t1, maybe you don't publish it at first?");
            assertThatThrownBy(() -> s.getPartition("t1", null, message("a"))).isInstanceOf(MetaClientException.class);
        }
    }
}
