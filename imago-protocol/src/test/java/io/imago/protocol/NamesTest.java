package io.imago.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The naming rule of topics and groups ({@link Names}). */
class NamesTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "meta-test",
                "test",
                "orders.eu",
                "a",
                "T_1",
                "_private",
                "0",
                "topic-with-many-dashes",
                "a..b",
                "x-0"
            })
    void validTopicNames(String name) {
        assertThat(Names.topicProblem(name)).isEmpty();
        assertThat(Names.checkTopic(name)).isSameAs(name);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                ".",
                "..",
                "-",
                "-x",
                ".hidden",
                "../escape",
                "a/b",
                "a\\b",
                "t%00",
                "t\u0000",
                "CON",
                "con",
                "Nul",
                "lpt1",
                "COM9",
                "a b",
                "a\tb",
                "日本",
                "t\u03bfpic",
                "\u2024\u2024",
                "\uff0e\uff0e",
                "a\uff0fb",
                "!@#$%",
                "a*b",
                "a:b",
                "é"
            })
    void hostileTopicNamesAreRefused(String name) {
        assertThat(Names.topicProblem(name)).isPresent();
        assertThatThrownBy(() -> Names.checkTopic(name))
                .isInstanceOf(InvalidNameException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid topic name '");
    }

    @Test
    void lengthIsBoundedBy249() {
        assertThat(Names.topicProblem("x".repeat(249))).isEmpty();
        assertThat(Names.topicProblem("x".repeat(250))).contains("it has 250 characters, more than 249");
        assertThat(Names.topicProblem("x".repeat(300))).isPresent();
    }

    @Test
    void groupsFollowTheSameRuleButWithoutDotsAsMetaqsClient() {
        assertThat(Names.groupProblem("meta-example_group1")).isEmpty();
        assertThat(Names.groupProblem("a.b"))
                .hasValueSatisfying(p -> assertThat(p).contains("'.'"));
        // MetaQ's own client refused these (SpecialCharGroupNameTest)
        for (String metaqRefused : new String[] {"~!@#$%", "a b", "a/b", "a:b", "a?b", "a,b"}) {
            assertThat(Names.groupProblem(metaqRefused)).as(metaqRefused).isPresent();
        }
        assertThatThrownBy(() -> Names.checkGroup("g/.."))
                .hasMessageStartingWith("invalid consumer group name 'g/..'")
                .hasMessageContaining("character '/' at index 1");
    }

    @Test
    void messagesEscapeWhatTheyQuote() {
        assertThatThrownBy(() -> Names.checkTopic("a\u0000b\r\n"))
                .hasMessage(
                        "invalid topic name 'a\\u0000b\\u000d\\u000a': character U+0000 at index 1 is not allowed; use ASCII "
                                + "letters, digits, '_', '-', '.'");
        assertThat(Names.printable("x".repeat(100)))
                .endsWith("...(100 characters)")
                .hasSize(64 + 19);
    }

    @Test
    void sectionPatternsAllowWildcards() {
        assertThat(Names.topicPatternProblem("*")).isEmpty();
        assertThat(Names.topicPatternProblem("meta-*")).isEmpty();
        assertThat(Names.topicPatternProblem("*.eu")).isEmpty();
        assertThat(Names.topicPatternProblem("../*")).isPresent();
        assertThat(Names.topicPatternProblem("a/*")).isPresent();
        assertThat(Names.topicPatternProblem("")).isPresent();
    }

    @Test
    void zooKeeperNodeNamesFollowZooKeepersRule() {
        assertThat(Names.zooKeeperNodeProblem("group_host-1.example.com-1700000000-abc"))
                .isEmpty();
        assertThat(Names.zooKeeperNodeProblem("a/b")).isPresent();
        assertThat(Names.zooKeeperNodeProblem("..")).isPresent();
        assertThat(Names.zooKeeperNodeProblem("a\u0000")).isPresent();
        assertThat(Names.zooKeeperNodeProblem("")).isPresent();
    }

    /** Whatever the name, a valid one is exactly one path element: it can never leave a directory. */
    @Property(tries = 2000)
    void aValidNameIsOnePathElementInsideItsDirectory(@ForAll("anyNames") String name) {
        if (Names.topicProblem(name).isEmpty()) {
            Path base = Path.of("/data");
            Path dir = base.resolve(name + "-0").normalize();
            assertThat(dir.getParent()).isEqualTo(base);
            assertThat(dir.getFileName().toString()).isEqualTo(name + "-0");
            assertThat(name).doesNotStartWith(".").hasSizeLessThanOrEqualTo(Names.MAX_LENGTH);
        }
    }

    @Provide
    Arbitrary<String> anyNames() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(300),
                Arbitraries.strings().withChars("./\\-_aZ0\u0000\u2024\uff0f").ofMaxLength(12));
    }
}
