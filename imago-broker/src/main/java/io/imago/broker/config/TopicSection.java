package io.imago.broker.config;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One {@code [topic=<name>]} section as written: its name (which may hold {@code *} wildcards, each
 * matching any run of characters), the keys it sets, and its {@code group.<g>} filter classes.
 * Immutable and thread-safe.
 */
final class TopicSection {
    private final String name;
    private final Optional<Pattern> pattern;
    private final Map<ConfigKey<?>, Object> overrides;
    private final Map<String, String> consumerFilters;

    TopicSection(String name, Map<ConfigKey<?>, Object> overrides, Map<String, String> consumerFilters) {
        this.name = name;
        this.pattern = name.contains("*") ? Optional.of(wildcardPattern(name)) : Optional.empty();
        this.overrides = Map.copyOf(overrides);
        this.consumerFilters = consumerFilters;
    }

    String name() {
        return name;
    }

    boolean isWildcard() {
        return pattern.isPresent();
    }

    /** Whether this section accepts {@code topic}: equal names, or a match of the wildcard pattern. */
    boolean accepts(String topic) {
        return pattern.map(p -> p.matcher(topic).matches()).orElseGet(() -> name.equals(topic));
    }

    /** The configuration of {@code topic} under this section, inheriting from {@code system}. */
    TopicConfig resolve(String topic, Settings system) {
        return new TopicConfig(
                topic,
                name,
                value(ConfigKeys.NUM_PARTITIONS, system),
                value(ConfigKeys.UNFLUSH_THRESHOLD, system),
                value(ConfigKeys.UNFLUSH_INTERVAL, system),
                value(ConfigKeys.DATA_PATH, system),
                value(ConfigKeys.DELETE_POLICY, system),
                value(ConfigKeys.DELETE_WHEN, system),
                value(ConfigKeys.ACCEPT_PUBLISH, system),
                value(ConfigKeys.ACCEPT_SUBSCRIBE, system),
                value(ConfigKeys.STAT, system),
                consumerFilters);
    }

    private <T> T value(ConfigKey<T> key, Settings system) {
        Object own = overrides.get(key);
        if (own == null) {
            return system.get(key);
        }
        @SuppressWarnings("unchecked") // only key's own parser produced this value
        T typed = (T) own;
        return typed;
    }

    private static Pattern wildcardPattern(String name) {
        StringBuilder regex = new StringBuilder();
        int start = 0;
        for (int star = name.indexOf('*'); star >= 0; star = name.indexOf('*', start)) {
            regex.append(Pattern.quote(name.substring(start, star))).append(".*");
            start = star + 1;
        }
        regex.append(Pattern.quote(name.substring(start)));
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
