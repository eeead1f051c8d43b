package io.imago.protocol.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TopicRegistrationJsonTest {

    @Test
    void writesExactlyWhatTheOriginalBrokerWrites() {
        assertThat(TopicRegistrationJson.encode(1, "0-m")).isEqualTo("{\"numParts\":1,\"broker\":\"0-m\"}");
        assertThat(TopicRegistrationJson.encode(12, "3-s1")).isEqualTo("{\"numParts\":12,\"broker\":\"3-s1\"}");
        assertThatThrownBy(() -> TopicRegistrationJson.encode(1, "a\"b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsNumPartsWhateverTheFieldOrderAndBlanks() {
        assertThat(TopicRegistrationJson.numParts("{\"numParts\":4,\"broker\":\"0-m\"}"))
                .hasValue(4);
        assertThat(TopicRegistrationJson.numParts("{\"broker\":\"0-m\",\"numParts\":2}"))
                .hasValue(2);
        assertThat(TopicRegistrationJson.numParts(" {\n \"numParts\" : 0 , \"broker\" : null }\n"))
                .hasValue(0);
        assertThat(TopicRegistrationJson.numParts("{\"num\\u0050arts\":3}")).hasValue(3);
        assertThat(TopicRegistrationJson.numParts("{\"numParts\":2} trailing")).hasValue(2);
        assertThat(TopicRegistrationJson.numParts("{\"numParts\":1.5,\"numParts\":2}"))
                .hasValue(2);
        assertThat(TopicRegistrationJson.numParts(TopicRegistrationJson.encode(7, "1-m")))
                .hasValue(7);
    }

    @Test
    void refusesWhatTheOriginalClientRefuses() {
        assertThat(TopicRegistrationJson.numParts("{\"numParts\":1,\"broker\":\"0-m\",\"x\":1}"))
                .isEmpty();
        assertThat(TopicRegistrationJson.numParts("{\"numParts\":1,\"broker\":{\"id\":0}}"))
                .isEmpty();
        assertThat(TopicRegistrationJson.numParts("{\"broker\":\"0-m\"}")).isEmpty();
        assertThat(TopicRegistrationJson.numParts("{}")).isEmpty();
        assertThat(TopicRegistrationJson.numParts("{\"numParts\":1,}")).isEmpty();
    }

    @Test
    void refusesDataWithoutANonNegativeIntNumParts() {
        for (String data : new String[] {
            "2",
            "",
            "not json",
            "{\"numParts\":\"2\"}",
            "{\"numParts\":1.5}",
            "{\"numParts\":1e2}",
            "{\"numParts\":-1}",
            "{\"numParts\":01}",
            "{\"numParts\":2147483648}",
            "{\"numParts\":",
            "{\"numParts\":2",
            "{\"numParts\":true}"
        }) {
            assertThat(TopicRegistrationJson.numParts(data)).as(data).isEqualTo(OptionalInt.empty());
        }
        assertThat(TopicRegistrationJson.numParts(null)).isEmpty();
    }
}
