package io.imago.broker.config;

import io.imago.protocol.Names;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns the bytes of a {@code server.ini} into a validated {@link BrokerConfig}, or fails with the first
 * {@link ConfigException}. Sections: {@code [system]} and {@code [zookeeper]} are optional (absent = every
 * default; MetaQ required both), {@code [topic=<name>]} declares a topic; any other section name is an
 * error. Stateless and thread-safe.
 */
final class ConfigLoader {
    private static final String PROVIDED_DIRECTORY = "../provided";

    private ConfigLoader() {}

    static BrokerConfig load(Path file, ConfigEnvironment environment) {
        Path absolute = file.toAbsolutePath().normalize();
        ConfigSource source = ConfigSource.ofFile(absolute);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(absolute);
        } catch (NoSuchFileException e) {
            throw new ConfigException(
                    "Configuration file " + absolute + " does not exist",
                    ConfigException.Location.of(source),
                    null,
                    null,
                    e);
        } catch (IOException e) {
            throw new ConfigException(
                    "Cannot read configuration file " + absolute + ": " + e.getMessage(),
                    ConfigException.Location.of(source),
                    null,
                    null,
                    e);
        }
        return parse(source, bytes, environment, false);
    }

    /**
     * @param acceptAnyTopic true for the standalone configuration: every topic is accepted, and the
     *     text need not declare a topic section
     */
    static BrokerConfig parse(
            ConfigSource source, byte[] bytes, ConfigEnvironment environment, boolean acceptAnyTopic) {
        ConfigException.Location origin = ConfigException.Location.of(source);
        IniDocument document = IniDocument.parse(decode(bytes), origin);
        Map<ConfigKey<?>, Object> system = Map.of();
        Map<ConfigKey<?>, Object> zookeeper = Map.of();
        List<TopicSection> topics = new ArrayList<>();
        for (IniDocument.Section section : document.sections()) {
            ConfigException.Location at = origin.at(section.name(), section.line());
            if (section.name().equals(ConfigKeys.SYSTEM_SECTION)) {
                system = values(section, ConfigKeys.SYSTEM, origin);
            } else if (section.name().equals(ConfigKeys.ZOOKEEPER_SECTION)) {
                zookeeper = values(section, ConfigKeys.ZOOKEEPER, origin);
            } else if (section.name().startsWith(ConfigKeys.TOPIC_SECTION_PREFIX)) {
                addTopic(topics, topicSection(section, origin), at);
            } else {
                throw unknownSection(section.name(), at);
            }
        }
        if (topics.isEmpty() && !acceptAnyTopic) {
            throw new ConfigException(
                    "No [topic=<name>] section in " + source.displayName()
                            + ": this broker would accept no topic; add [topic=*] to accept any topic",
                    origin,
                    null,
                    null,
                    null);
        }
        Settings systemSettings = Settings.of(ConfigKeys.SYSTEM, system, environment);
        return new BrokerConfig(
                source,
                bytes,
                systemSettings,
                Settings.of(ConfigKeys.ZOOKEEPER, zookeeper, environment),
                appClassPath(systemSettings, source),
                topics,
                acceptAnyTopic);
    }

    /** MetaQ read the file with the platform charset; we read UTF-8 and never fail on a comment's bytes. */
    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder cannot fail", e);
        }
    }

    private static Map<ConfigKey<?>, Object> values(
            IniDocument.Section section, List<ConfigKey<?>> keys, ConfigException.Location origin) {
        Map<String, ConfigKey<?>> byName = keys.stream().collect(Collectors.toMap(ConfigKey::name, k -> k));
        Map<ConfigKey<?>, Object> values = new HashMap<>();
        for (IniDocument.Entry entry : section.entries()) {
            ConfigException.Location at = origin.at(section.name(), entry.line());
            ConfigKey<?> key = byName.get(entry.key());
            if (key == null) {
                throw unknownKey(entry, keys, at);
            }
            if (!entry.value().isEmpty()) {
                values.put(key, parseValue(key, entry, at));
            }
        }
        return values;
    }

    private static void addTopic(List<TopicSection> topics, TopicSection topic, ConfigException.Location at) {
        for (TopicSection other : topics) {
            if (other.name().equals(topic.name())) {
                throw new ConfigException(
                        "Topic '" + topic.name() + "' is declared twice, again in " + at.inSection(),
                        at,
                        null,
                        topic.name(),
                        null);
            }
        }
        topics.add(topic);
    }

    private static TopicSection topicSection(IniDocument.Section section, ConfigException.Location origin) {
        String topic = section.name()
                .substring(ConfigKeys.TOPIC_SECTION_PREFIX.length())
                .trim();
        ConfigException.Location at = origin.at(section.name(), section.line());
        Optional<String> problem = Names.topicPatternProblem(topic);
        if (problem.isPresent()) {
            throw new ConfigException(
                    "Invalid topic name '" + Names.printable(topic) + "' in section [" + Names.printable(section.name())
                            + "] of " + at.where() + ": " + problem.get(),
                    at,
                    null,
                    topic,
                    null);
        }
        List<IniDocument.Entry> keyEntries = new ArrayList<>();
        Map<String, String> filters = new LinkedHashMap<>();
        for (IniDocument.Entry entry : section.entries()) {
            if (entry.key().startsWith(ConfigKeys.GROUP_FILTER_PREFIX)) {
                addFilter(filters, entry, origin.at(section.name(), entry.line()));
            } else {
                keyEntries.add(entry);
            }
        }
        IniDocument.Section plain = new IniDocument.Section(section.name(), section.line(), keyEntries);
        return new TopicSection(topic, values(plain, ConfigKeys.TOPIC, origin), filters);
    }

    private static void addFilter(Map<String, String> filters, IniDocument.Entry entry, ConfigException.Location at) {
        String group = entry.key().substring(ConfigKeys.GROUP_FILTER_PREFIX.length());
        if (group.isEmpty()) {
            throw new ConfigException(
                    "Missing consumer group in config key '" + entry.key() + "' in " + at.inSection()
                            + ": expected group.<consumerGroup>=<filter class>",
                    at,
                    entry.key(),
                    entry.value(),
                    null);
        }
        if (!entry.value().isEmpty()) {
            filters.put(group, parseValue(filterKey(entry.key()), entry, at));
        }
    }

    private static ConfigKey<String> filterKey(String name) {
        return ConfigKey.of(name, env -> "", ConfigKeys::parseFilterClass, "server-side consumer filter class");
    }

    private static <T> T parseValue(ConfigKey<T> key, IniDocument.Entry entry, ConfigException.Location at) {
        try {
            return key.parse(entry.value());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "Invalid value '" + entry.value() + "' for config key '" + key.name() + "' in " + at.inSection()
                            + ": " + e.getMessage(),
                    at,
                    key.name(),
                    entry.value(),
                    e);
        }
    }

    private static ConfigException unknownKey(
            IniDocument.Entry entry, List<ConfigKey<?>> keys, ConfigException.Location at) {
        String section = at.section().orElseThrow();
        String prefix = "Invalid config key '" + entry.key() + "' in " + at.inSection();
        String hint = elsewhere(entry.key(), section).orElseGet(() -> {
            List<String> names = keys.stream().map(ConfigKey::name).toList();
            return Suggestions.closest(entry.key(), names)
                    .map(s -> ", did you mean '" + s + "'?")
                    .orElse("; valid keys are: " + String.join(", ", names));
        });
        return new ConfigException(prefix + hint, at, entry.key(), entry.value(), null);
    }

    /** A hint when the key is valid, but in another section. */
    private static Optional<String> elsewhere(String key, String section) {
        boolean inSystem = ConfigKeys.SYSTEM.stream().anyMatch(k -> k.name().equals(key));
        boolean inZooKeeper =
                ConfigKeys.ZOOKEEPER.stream().anyMatch(k -> k.name().equals(key));
        if (inZooKeeper) {
            return Optional.of(", it belongs in [" + ConfigKeys.ZOOKEEPER_SECTION + "]");
        }
        if (inSystem && section.startsWith(ConfigKeys.TOPIC_SECTION_PREFIX)) {
            return Optional.of(", it can only be set in [" + ConfigKeys.SYSTEM_SECTION + "]");
        }
        if (inSystem) {
            return Optional.of(", it belongs in [" + ConfigKeys.SYSTEM_SECTION + "]");
        }
        if (key.startsWith(ConfigKeys.GROUP_FILTER_PREFIX)) {
            return Optional.of(", consumer filters belong in a [topic=<name>] section");
        }
        return Optional.empty();
    }

    private static ConfigException unknownSection(String name, ConfigException.Location at) {
        List<String> names = List.of(
                ConfigKeys.SYSTEM_SECTION, ConfigKeys.ZOOKEEPER_SECTION, ConfigKeys.TOPIC_SECTION_PREFIX + "<name>");
        String hint = Suggestions.closest(name, names)
                .map(s -> ", did you mean [" + s + "]?")
                .orElse("; valid sections are [system], [zookeeper] and [topic=<name>]");
        return new ConfigException("Unknown section [" + name + "] in " + at.where() + hint, at, null, null, null);
    }

    /** An explicit appClassPath, else MetaQ's {@code <config dir>/../provided} when that directory exists. */
    private static Optional<Path> appClassPath(Settings system, ConfigSource source) {
        Optional<Path> explicit = system.get(ConfigKeys.APP_CLASS_PATH);
        if (explicit.isPresent()) {
            return explicit;
        }
        return source.file()
                .map(f -> f.getParent().resolve(PROVIDED_DIRECTORY).normalize())
                .filter(Files::isDirectory);
    }
}
