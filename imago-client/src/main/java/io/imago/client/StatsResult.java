package io.imago.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One broker's answer to {@code stats [<item>]}: its lines as key/value pairs, in the broker's order
 * (the key is the line up to its first space; a line without space has the value
 * {@link #NO_VALUE}, as in MetaQ). Immutable.
 */
public final class StatsResult {
    /** The value of a line that has no space. */
    public static final String NO_VALUE = "NO VALUE";

    private final String item;
    private final Map<String, String> values;

    public StatsResult(String item, Map<String, String> values) {
        this.item = item;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The item asked for ({@code ""} for the general statistics). */
    public String getItem() {
        return item;
    }

    /** The value of {@code key}, or null when the broker sent no such line. */
    public String getValue(String key) {
        return values.get(key);
    }

    /** The keys of every line, in the broker's order (MetaQ's name). */
    public Set<String> getStatsKeySet() {
        return values.keySet();
    }

    /** Every line, in the broker's order. */
    public Map<String, String> getAllValues() {
        return values;
    }

    @Override
    public String toString() {
        return "StatsResult[item=" + item + ", " + values + "]";
    }
}
