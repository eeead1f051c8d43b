package io.imago.protocol.zk;

/**
 * The data of a consumer group's offset node,
 * {@code {root}/consumers/<group>/offsets/<topic>/<brokerId>-<partition>} ({@link ZnodeDescriptor},
 * spec section 4.2):
 *
 * <pre>
 * -5468932056614424576-55      &lt;msgId&gt;-&lt;offset&gt;, written since MetaQ 1.4
 * 130835445                    &lt;offset&gt;, as pre-1.4 clients wrote it (read only)
 * </pre>
 *
 * {@code <msgId>} is the id of the last message consumed and {@code <offset>} the next byte offset to
 * fetch. The message id may be negative, so the text is split at the LAST {@code -}; a text whose only
 * {@code -} is its first character is a (negative, hence invalid) pre-1.4 offset. Stateless and
 * thread-safe.
 */
public final class OffsetNodeData {
    /** Message id reported for a pre-1.4 node, which has none. */
    public static final long NO_MESSAGE_ID = -1L;

    private OffsetNodeData() {}

    /** A parsed node: the next offset to fetch and the id of the last message consumed. */
    public record Position(long messageId, long offset) {}

    /** {@code <messageId>-<offset>}. */
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
            throw new IllegalArgumentException(
                    "offset node data '" + text + "' is neither <msgId>-<offset> nor <offset>", e);
        }
    }
}
