package io.imago.broker.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed values for a fixed list of keys: the values written in a section, and the defaults (computed
 * once, from a {@link ConfigEnvironment}) for the rest. Also remembers which keys were written, for
 * inheritance and for "was it set explicitly" rules such as dataLogPath following dataPath.
 * Immutable and thread-safe.
 */
final class Settings {
    private final Map<ConfigKey<?>, Object> values;
    private final Set<ConfigKey<?>> explicit;

    private Settings(Map<ConfigKey<?>, Object> values, Set<ConfigKey<?>> explicit) {
        this.values = values;
        this.explicit = explicit;
    }

    /** {@code written} holds only keys of {@code keys}, each mapped to a value its own parser produced. */
    static Settings of(List<ConfigKey<?>> keys, Map<ConfigKey<?>, Object> written, ConfigEnvironment environment) {
        Map<ConfigKey<?>, Object> all = new HashMap<>();
        for (ConfigKey<?> key : keys) {
            Object value = written.containsKey(key) ? written.get(key) : key.defaultValue(environment);
            all.put(key, value);
        }
        return new Settings(Map.copyOf(all), Set.copyOf(written.keySet()));
    }

    /** The value of {@code key}; the key must be one of this instance's keys. */
    <T> T get(ConfigKey<T> key) {
        Object value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("Key " + key.name() + " does not belong to this section");
        }
        @SuppressWarnings("unchecked") // only key's own parser or default produced this value
        T typed = (T) value;
        return typed;
    }

    boolean isSet(ConfigKey<?> key) {
        return explicit.contains(key);
    }

    /** A copy with {@code key} set explicitly to {@code value}. */
    <T> Settings with(ConfigKey<T> key, T value) {
        Map<ConfigKey<?>, Object> copy = new HashMap<>(values);
        copy.put(key, value);
        Set<ConfigKey<?>> set = new java.util.HashSet<>(explicit);
        set.add(key);
        return new Settings(Map.copyOf(copy), Set.copyOf(set));
    }
}
