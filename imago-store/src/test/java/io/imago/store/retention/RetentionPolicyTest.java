package io.imago.store.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 5, unit = TimeUnit.SECONDS)
class RetentionPolicyTest {

    @Test
    void deleteWithoutSuffixCountsHours() {
        RetentionPolicy policy = RetentionPolicy.parse("delete,168");
        assertThat(policy.action()).isEqualTo(RetentionPolicy.Action.DELETE);
        assertThat(policy.maxAgeMs()).isEqualTo(TimeUnit.HOURS.toMillis(168));
        assertThat(policy.compress()).isFalse();
    }

    @Test
    void suffixesSelectSecondsMinutesAndHours() {
        assertThat(RetentionPolicy.parse("delete,30s").maxAgeMs()).isEqualTo(30_000);
        assertThat(RetentionPolicy.parse("delete,10m").maxAgeMs()).isEqualTo(600_000);
        assertThat(RetentionPolicy.parse("delete,2h").maxAgeMs()).isEqualTo(7_200_000);
        assertThat(RetentionPolicy.parse(" delete , 5 ").maxAgeMs()).isEqualTo(TimeUnit.HOURS.toMillis(5));
    }

    @Test
    void archiveRenamesOrCompresses() {
        RetentionPolicy plain = RetentionPolicy.parse("archive,24");
        assertThat(plain.action()).isEqualTo(RetentionPolicy.Action.ARCHIVE);
        assertThat(plain.compress()).isFalse();
        assertThat(RetentionPolicy.parse("archive,24,true").compress()).isTrue();
        assertThat(RetentionPolicy.parse("archive,24,false").compress()).isFalse();
    }

    @Test
    void theDefaultIsSevenDaysOfDelete() {
        assertThat(RetentionPolicy.parse(RetentionPolicy.DEFAULT).maxAgeMs()).isEqualTo(TimeUnit.DAYS.toMillis(7));
    }

    @Test
    void aSegmentExpiresOnceOlderThanTheMaximumAge() {
        RetentionPolicy policy = RetentionPolicy.parse("delete,30s");
        assertThat(policy.isExpired(1_000, 31_000)).isFalse();
        assertThat(policy.isExpired(1_000, 31_001)).isTrue();
    }

    @Test
    void anUnknownPolicyIsRefusedNamingIt() {
        assertThatThrownBy(() -> RetentionPolicy.parse("purge,1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'purge,1'")
                .hasMessageContaining("unknown policy 'purge'");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "delete",
                "delete,",
                "delete,abc",
                "delete,-1",
                "delete,1x",
                "delete,1,true",
                "archive,1,maybe",
                "archive,1,true,2",
                "delete,s"
            })
    void aMalformedPolicyIsRefusedNamingTheValue(String value) {
        assertThatThrownBy(() -> RetentionPolicy.parse(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + value + "'");
    }

    @ParameterizedTest
    @NullAndEmptySource
    void aMissingPolicyIsRefused(String value) {
        assertThatThrownBy(() -> RetentionPolicy.parse(value)).isInstanceOf(IllegalArgumentException.class);
    }
}
