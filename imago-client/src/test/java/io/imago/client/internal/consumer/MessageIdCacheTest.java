package io.imago.client.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageIdCacheTest {

    @Test
    void aRepeatedIdIsADuplicate() {
        MessageIdCache cache = new MessageIdCache(10);
        assertThat(cache.firstSeen(7)).isTrue();
        assertThat(cache.firstSeen(7)).isFalse();
    }

    @Test
    void theLeastRecentlySeenIdsAreEvictedBeyondTheCapacity() {
        MessageIdCache cache = new MessageIdCache(3);
        cache.firstSeen(1);
        cache.firstSeen(2);
        cache.firstSeen(3);
        cache.firstSeen(1);
        cache.firstSeen(4);
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.firstSeen(2)).as("2 was the eldest").isTrue();
        assertThat(cache.firstSeen(1)).as("1 was seen again recently").isFalse();
    }
}
