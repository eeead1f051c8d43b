package io.imago.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DeletePolicyTest {

    @Test
    void ageWithoutUnitIsHours() {
        assertThat(DeletePolicy.parse("delete,168")).isEqualTo(DeletePolicy.DEFAULT);
        assertThat(DeletePolicy.DEFAULT.maxAge()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void ageAcceptsSecondsMinutesAndHours() {
        assertThat(DeletePolicy.parse("delete,30s").maxAge()).isEqualTo(Duration.ofSeconds(30));
        assertThat(DeletePolicy.parse("delete,10m").maxAge()).isEqualTo(Duration.ofMinutes(10));
        assertThat(DeletePolicy.parse("delete, 2h").maxAge()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void archiveRenamesOrCompresses() {
        assertThat(DeletePolicy.parse("archive,24")).isEqualTo(
                new DeletePolicy(DeletePolicy.Action.ARCHIVE, Duration.ofHours(24), false));
        assertThat(DeletePolicy.parse("archive,24,TRUE").compress()).isTrue();
        assertThat(DeletePolicy.parse("archive,24,false").compress()).isFalse();
    }

    @Test
    void printsInMetaqSyntax() {
        assertThat(DeletePolicy.parse("archive,90m,true")).hasToString("archive,90m,true");
        assertThat(DeletePolicy.parse("delete,168")).hasToString("delete,168h");
        assertThat(DeletePolicy.parse("delete,61s")).hasToString("delete,61s");
    }

    @Test
    void refusesMalformedPolicies() {
        for (String bad : new String[] {"remove,3", "delete", "delete,", "delete,abc", "delete,-1", "delete,0",
                "delete,3d", "delete,1,true", "archive,1,maybe", "archive", "delete,9999999999999999h"}) {
            assertThatThrownBy(() -> DeletePolicy.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
