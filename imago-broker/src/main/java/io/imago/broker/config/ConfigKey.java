package io.imago.broker.config;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration key: its name as written in {@code server.ini}, its default, the parser that turns
 * the written text into a typed value (and is its validator), and a line of documentation. The
 * catalogue of every key is {@link ConfigKeys}.
 *
 * <p>A default may depend on the machine (the user's home, the processor count, the local address),
 * so it is a function of a {@link ConfigEnvironment}. The parser receives trimmed, non-blank text
 * (blank means "unset" and never reaches it) and throws {@link IllegalArgumentException} with a reason
 * such as "must be between 0 and 1023"; the loader adds the file, section, key and value. Immutable
 * and thread-safe.
 *
 * @param <T> the type of the value
 */
public final class ConfigKey<T> {
    private final String name;
    private final Function<ConfigEnvironment, T> defaultValue;
    private final Parser<T> parser;
    private final String doc;

    /** Turns trimmed, non-blank text into a value or throws {@link IllegalArgumentException}. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(String text);
    }

    private ConfigKey(String name, Function<ConfigEnvironment, T> defaultValue, Parser<T> parser, String doc) {
        this.name = Objects.requireNonNull(name);
        this.defaultValue = Objects.requireNonNull(defaultValue);
        this.parser = Objects.requireNonNull(parser);
        this.doc = Objects.requireNonNull(doc);
    }

    static <T> ConfigKey<T> of(String name, Function<ConfigEnvironment, T> defaultValue, Parser<T> parser, String doc) {
        return new ConfigKey<>(name, defaultValue, parser, doc);
    }

    static ConfigKey<Integer> intKey(String name, int defaultValue, int min, int max, String doc) {
        return intKey(name, env -> defaultValue, min, max, doc);
    }

    static ConfigKey<Integer> intKey(
            String name, Function<ConfigEnvironment, Integer> defaultValue, int min, int max, String doc) {
        return new ConfigKey<>(
                name,
                defaultValue,
                text -> Math.toIntExact(checkRange(NumericExpression.evaluate(text), min, max)),
                doc);
    }

    static ConfigKey<Long> longKey(String name, long defaultValue, long min, long max, String doc) {
        return new ConfigKey<>(
                name, env -> defaultValue, text -> checkRange(NumericExpression.evaluate(text), min, max), doc);
    }

    /** A 64-bit key whose value is 0 (off) or at least {@code minWhenOn}. */
    static ConfigKey<Long> offOrAtLeastKey(String name, long defaultValue, long minWhenOn, String doc) {
        return new ConfigKey<>(
                name,
                env -> defaultValue,
                text -> {
                    long value = checkRange(NumericExpression.evaluate(text), 0, Long.MAX_VALUE);
                    if (value != 0 && value < minWhenOn) {
                        throw new IllegalArgumentException("must be 0 (off) or at least " + minWhenOn + ": " + value);
                    }
                    return value;
                },
                doc);
    }

    static ConfigKey<Boolean> booleanKey(String name, boolean defaultValue, String doc) {
        return new ConfigKey<>(name, env -> defaultValue, ConfigKey::parseBoolean, doc);
    }

    /** The key as written in {@code server.ini}, e.g. {@code unflushThreshold} or {@code zk.zkConnect}. */
    public String name() {
        return name;
    }

    /** One line saying what the key means. */
    public String doc() {
        return doc;
    }

    /** The value used when the key is absent or blank. */
    public T defaultValue(ConfigEnvironment environment) {
        return defaultValue.apply(environment);
    }

    T parse(String text) {
        return parser.parse(text);
    }

    /** {@code true} or {@code false} in any letter case; anything else is refused. */
    static boolean parseBoolean(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.equals("true")) {
            return true;
        }
        if (lower.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException("not a boolean (expected true or false)");
    }

    private static long checkRange(long value, long min, long max) {
        if (value > max && max == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("is above " + Integer.MAX_VALUE + ", the largest 32-bit integer");
        }
        if (value < min && min == Integer.MIN_VALUE) {
            throw new IllegalArgumentException("is below " + Integer.MIN_VALUE + ", the smallest 32-bit integer");
        }
        if (value < min || value > max) {
            boolean noMax = max == Integer.MAX_VALUE || max == Long.MAX_VALUE;
            throw new IllegalArgumentException(
                    noMax
                            ? (min == 0 ? "must not be negative" : "must be at least " + min)
                            : "must be between " + min + " and " + max);
        }
        return value;
    }

    @Override
    public String toString() {
        return name;
    }
}
