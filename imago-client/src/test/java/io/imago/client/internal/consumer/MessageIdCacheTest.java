package io.imago.client.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MessageIdCacheTest {

    @Test
    void aRepeatedIdIsADuplicate() {
        MessageIdCache cache = new MessageIdCache(10);
        assertThat(cache.firstSeen(7)).isTrue();
        assertThat(cache.firstSeen(7)).isFalse();
        assertThat(cache.firstSeen(0)).isTrue();
        assertThat(cache.firstSeen(0)).isFalse();
    }

    @Test
    void theOldestIdsAreForgottenBeyondTheCapacity() {
        MessageIdCache cache = new MessageIdCache(3);
        cache.firstSeen(1);
        cache.firstSeen(2);
        cache.firstSeen(3);
        assertThat(cache.firstSeen(1)).as("still held").isFalse();
        cache.firstSeen(4);
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.contains(1)).as("1 was recorded first").isFalse();
        assertThat(cache.contains(2)).isTrue();
        assertThat(cache.firstSeen(1)).isTrue();
        assertThat(cache.contains(2)).as("then 2 was the oldest").isFalse();
    }

    /** Against a model: the last {@code capacity} distinct ids recorded, in order. */
    @Property(tries = 300)
    void behavesLikeAWindowOverTheLastDistinctIdsRecorded(
            @ForAll @IntRange(min = 1, max = 40) int capacity,
            @ForAll @Size(max = 400) List<@LongRange(min = -50, max = 50) Long> ids) {
        MessageIdCache cache = new MessageIdCache(capacity);
        LinkedHashSet<Long> model = new LinkedHashSet<>();
        for (long id : ids) {
            boolean expectedNew = !model.contains(id);
            assertThat(cache.firstSeen(id)).isEqualTo(expectedNew);
            if (expectedNew) {
                model.add(id);
                if (model.size() > capacity) {
                    model.remove(model.iterator().next());
                }
            }
            assertThat(cache.size()).isEqualTo(model.size());
        }
        for (long id = -50; id <= 50; id++) {
            assertThat(cache.contains(id)).as("id %d", id).isEqualTo(model.contains(id));
        }
    }
}
