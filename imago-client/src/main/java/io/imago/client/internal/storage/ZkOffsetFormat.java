package io.imago.client.internal.storage;

/**
 * The text of a ZooKeeper offset node, {@code /meta/consumers/<group>/offsets/<topic>/<brokerId>-<partition>}
 * (spec section 4.2): {@code <msgId>-<offset>} since MetaQ 1.4, e.g. {@code -5468932056614424576-55},
 * or the offset alone as pre-1.4 clients wrote it. The message id may be negative, so the text is
 * split at the LAST {@code -}; a text whose only {@code -} is its first character is a (negative,
 * hence invalid) pre-1.4 offset. Stateless.
 */
public final class ZkOffsetFormat {
    /** Message id reported for a pre-1.4 node, which has none. */
    public static final long NO_MESSAGE_ID = -1L;

    private ZkOffsetFormat() {
    }

    /** A parsed node: the next offset to fetch and the id of the last message consumed. */
    public record Position(long messageId, long offset) {
    }

    public static String encode(long messageId, long offset) {
        return messageId + "-" + offset;
    }

    /** Parses either format; throws {@link IllegalArgumentException} naming the text when it is neither. */
    public static Position decode(String text) {
        String s = text.trim();
        int dash = s.lastIndexOf('-');
        try {
            long offset;
            long messageId;
            if (dash > 0) {
                messageId = Long.parseLong(s.substring(0, dash));
                offset = Long.parseLong(s.substring(dash + 1));
            } else {
                messageId = NO_MESSAGE_ID;
                offset = Long.parseLong(s);
            }
            if (offset < 0) {
                throw new IllegalArgumentException("negative offset in offset node data '" + text + "'");
            }
            return new Position(messageId, offset);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("offset node data '" + text
                    + "' is neither <msgId>-<offset> nor <offset>", e);
        }
    }
}
