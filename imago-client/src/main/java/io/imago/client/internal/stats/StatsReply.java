package io.imago.client.internal.stats;

import io.imago.client.StatsResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the body of a {@code stats} reply (spec section 1.4): {@code STATS\r\n<key> <value>\r\n...END\r\n},
 * each line split at its first space (a line without one gets {@link StatsResult#NO_VALUE}). A body
 * that is not STATS-framed ({@code stats config} sends the raw file) becomes one entry named after
 * the item. Stateless.
 */
public final class StatsReply {
    private static final String HEAD = "STATS";
    private static final String END = "END";

    private StatsReply() {}

    public static StatsResult parse(String item, String body) {
        Map<String, String> values = new LinkedHashMap<>();
        String[] lines = body.split("\r\n");
        if (lines.length == 0 || !HEAD.equals(lines[0])) {
            values.put(item, body);
            return new StatsResult(item, values);
        }
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (END.equals(line) || line.isEmpty()) {
                continue;
            }
            int space = line.indexOf(' ');
            if (space < 0) {
                values.put(line, StatsResult.NO_VALUE);
            } else {
                values.put(line.substring(0, space), line.substring(space + 1));
            }
        }
        return new StatsResult(item, values);
    }
}
