package io.imago.client.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnackedIdsTest {

    @Test
    void idsEnterTheCacheOnlyWhenAcked() {
        MessageIdCache cache = new MessageIdCache(10);
        UnackedIds unacked = new UnackedIds(10);
        unacked.add(1);
        unacked.add(2);
        assertThat(cache.contains(1)).isFalse();
        unacked.ackInto(cache);
        assertThat(cache.contains(1)).isTrue();
        assertThat(cache.contains(2)).isTrue();
        assertThat(unacked.size()).isZero();
    }

    @Test
    void aClearedIdNeverEntersTheCache() {
        MessageIdCache cache = new MessageIdCache(10);
        UnackedIds unacked = new UnackedIds(10);
        unacked.add(1);
        unacked.clear();
        unacked.add(2);
        unacked.ackInto(cache);
        assertThat(cache.contains(1)).isFalse();
        assertThat(cache.contains(2)).isTrue();
    }

    @Test
    void beyondTheCapacityTheMostRecentIdsAreKeptInOrder() {
        MessageIdCache cache = new MessageIdCache(3);
        UnackedIds unacked = new UnackedIds(3);
        for (long id = 1; id <= 5; id++) {
            unacked.add(id);
        }
        assertThat(unacked.size()).isEqualTo(3);
        unacked.ackInto(cache);
        assertThat(cache.contains(2)).isFalse();
        assertThat(cache.contains(3)).isTrue();
        assertThat(cache.contains(5)).isTrue();
        cache.firstSeen(6);
        assertThat(cache.contains(3))
                .as("3 entered first, so it is forgotten first")
                .isFalse();
        assertThat(cache.contains(4)).isTrue();
    }
}
