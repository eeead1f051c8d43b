package io.imago.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.imago.protocol.Names;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile names through {@code server.ini}: a {@code [topic=...]} section whose name breaks the rule of
 * topic names ({@link Names}, with {@code *} as a wildcard) fails the load with an error naming the file,
 * the section and the name, and a bad {@code dataPath} names the file, key and value; a configuration
 * that loads never accepts a topic whose name breaks the rule, and loading creates nothing.
 */
class HostileConfigNamesTest {
    @TempDir
    Path dir;

    @Property(tries = 300)
    void aSectionNameIsAcceptedExactlyWhenItIsMadeOfTopicNameCharacters(@ForAll("sectionNames") String name)
            throws IOException {
        Path tmp = Files.createTempDirectory("imago-config-names");
        try {
            Path ini = ConfigFixtures.write(tmp, "[system]\nbrokerId=0\n[topic=" + name + "]\n");
            Throwable thrown = catchThrowable(() -> BrokerConfig.load(ini, ConfigFixtures.ENVIRONMENT));
            // the ini reader trims a section name as MetaQ's did (String.trim: spaces and control characters)
            if (Names.topicPatternProblem(name.trim()).isPresent()) {
                assertThat(thrown).as(Names.printable(name)).isInstanceOf(ConfigException.class);
                ConfigException e = (ConfigException) thrown;
                assertThat(e.file()).contains(ini.toAbsolutePath());
                assertThat(e.getMessage()).contains(ini.toAbsolutePath().toString());
                if (e.getMessage().startsWith("Invalid topic name")) {
                    assertThat(e.section())
                            .hasValueSatisfying(section -> assertThat(section).startsWith("topic="));
                    assertThat(e.value()).isPresent();
                }
            } else {
                assertThat(thrown).as(Names.printable(name)).isNull();
            }
            try (Stream<Path> files = Files.list(tmp)) {
                assertThat(files).as("loading creates nothing").containsExactly(ini);
            }
        } finally {
            deleteTree(tmp);
        }
    }

    @Property(tries = 300)
    void aLoadedConfigurationNeverAcceptsAnInvalidTopicName(@ForAll("hostileTopics") String topic) throws IOException {
        Path tmp = Files.createTempDirectory("imago-config-names");
        try {
            BrokerConfig anyTopic = ConfigFixtures.load(tmp, "[system]\nbrokerId=0\n[topic=*]\n");
            assertThat(anyTopic.resolve(topic).isPresent())
                    .as(Names.printable(topic))
                    .isEqualTo(Names.isValidTopic(topic));
            assertThat(BrokerConfig.standalone(tmp.resolve("data"))
                            .resolve(topic)
                            .isPresent())
                    .isEqualTo(Names.isValidTopic(topic));
        } finally {
            deleteTree(tmp);
        }
    }

    @Test
    void theSectionErrorNamesFileSectionAndWhatIsWrong() {
        Path ini = ConfigFixtures.write(dir, "[system]\nbrokerId=0\n[topic=../escape]\n");
        ConfigException e = (ConfigException) catchThrowable(() -> BrokerConfig.load(ini, ConfigFixtures.ENVIRONMENT));
        assertThat(e)
                .hasMessage("Invalid topic name '../escape' in section [topic=../escape] of " + ini.toAbsolutePath()
                        + ":3: character '/' at index 2 is not allowed; use ASCII letters, digits, '_', '-', '.', or '*' as a "
                        + "wildcard");
        assertThat(e.section()).contains("topic=../escape");
        assertThat(e.value()).contains("../escape");
    }

    @Test
    void aDataPathThatIsAFileOrHasControlCharactersNamesFileKeyAndValue() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        for (String value : new String[] {file.toString(), "/tmp/a\u0001b"}) {
            Path ini = ConfigFixtures.write(dir, "[system]\nbrokerId=0\n[topic=t]\ndataPath=" + value + "\n");
            ConfigException e =
                    (ConfigException) catchThrowable(() -> BrokerConfig.load(ini, ConfigFixtures.ENVIRONMENT));
            assertThat(e).as(value).isNotNull();
            assertThat(e.getMessage()).contains(ini.toAbsolutePath().toString()).contains("dataPath");
            assertThat(e.key()).contains("dataPath");
            assertThat(e.value()).contains(value);
            assertThat(e.section()).contains("topic=t");
        }
    }

    @Provide
    Arbitrary<String> sectionNames() {
        return Arbitraries.oneOf(
                        Arbitraries.of(
                                "*",
                                "t*",
                                "*.eu",
                                "meta-*",
                                "../*",
                                "a/b",
                                "..",
                                ".",
                                "-",
                                "日本*",
                                "a\\b",
                                "x".repeat(300),
                                "t\u0000",
                                "a*b*c",
                                "\u2024\u2024"),
                        Arbitraries.strings()
                                .withChars("./\\*ab-_\u0000\u0001\u2024\uff0f:%")
                                .ofMinLength(1)
                                .ofMaxLength(10),
                        Arbitraries.strings().all().ofMinLength(1).ofMaxLength(260))
                // the ini syntax itself: a section name holds no line break and no ']'
                .filter(s -> s.chars()
                        .noneMatch(c ->
                                c == '\n' || c == '\r' || c == ']' || c == '\u0085' || c == '\u2028' || c == '\u2029'))
                .filter(s -> !s.strip().isEmpty() && s.strip().equals(s))
                // a file holds what UTF-8 can spell (no lone surrogates)
                .filter(s -> new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(s));
    }

    @Provide
    Arbitrary<String> hostileTopics() {
        return Arbitraries.oneOf(
                Arbitraries.of("..", ".", "../escape", "a/b", "CON", "t%00", "t\u0000", "é", "ok"),
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(260));
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
