package io.imago.client.internal.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * The ZooKeeper nodes a producer reads (spec section 4.1), in one place: paths under the root and
 * the JSON of a {@code topics-pub} child, {@code {"numParts":N,"broker":"<id>-m"}} (fields in any
 * order). Stateless and thread-safe.
 */
final class PublishedTopicNode {
    /** Suffix of the child a master broker registers; slaves ({@code -s<n>}) are not published to. */
    static final String MASTER_SUFFIX = "-m";

    private static final ObjectMapper JSON = new ObjectMapper();

    private PublishedTopicNode() {
    }

    static String topicPath(String root, String topic) {
        return root + "/brokers/topics-pub/" + topic;
    }

    static String masterPath(String root, int brokerId) {
        return root + "/brokers/ids/" + brokerId + "/master";
    }

    /** The broker id of a master child ({@code 3-m} gives 3), empty for other children. */
    static OptionalInt masterBrokerId(String child) {
        if (!child.endsWith(MASTER_SUFFIX)) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(child.substring(0, child.length() - MASTER_SUFFIX.length())));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * The {@code numParts} of a child's JSON.
     *
     * @throws IOException when the data is not such a JSON object
     */
    static int numParts(byte[] data) throws IOException {
        JsonNode node = JSON.readTree(new String(data, StandardCharsets.UTF_8));
        JsonNode parts = node == null ? null : node.get("numParts");
        if (parts == null || !parts.isIntegralNumber() || !parts.canConvertToInt() || parts.asInt() < 0) {
            throw new IOException("no numParts in '" + new String(data, StandardCharsets.UTF_8) + "'");
        }
        return parts.asInt();
    }
}
