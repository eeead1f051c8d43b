package io.imago.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SuggestionsTest {

    @Test
    void levenshteinCountsInsertionsDeletionsAndSubstitutions() {
        assertThat(Suggestions.levenshtein("kitten", "sitting")).isEqualTo(3);
        assertThat(Suggestions.levenshtein("", "abc")).isEqualTo(3);
        assertThat(Suggestions.levenshtein("same", "same")).isZero();
    }

    @Test
    void suggestsTheClosestKeyIgnoringCase() {
        List<String> keys = List.of("unflushThreshold", "unflushInterval", "brokerId");
        assertThat(Suggestions.closest("unflushThreshhold", keys)).contains("unflushThreshold");
        assertThat(Suggestions.closest("BrokerID", keys)).contains("brokerId");
    }

    @Test
    void suggestsNothingForAnUnrelatedName() {
        assertThat(Suggestions.closest("colour", List.of("unflushThreshold", "brokerId")))
                .isEmpty();
    }
}
