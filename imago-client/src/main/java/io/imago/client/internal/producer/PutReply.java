package io.imago.client.internal.producer;

import io.imago.client.producer.SendResult;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.StatusCode;

/**
 * Reads the broker's reply to a put (spec section 1.4): {@code 200} with {@code <id> <partition>
 * <offset>} is success; any other code is a failed {@link SendResult} whose error message is the
 * body, or {@code "403"} for a closed partition, as the original client. Stateless.
 */
final class PutReply {
    private PutReply() {}

    /** What the send gives, for {@code chosen} (whose broker id the reply's partition belongs to). */
    static Sent read(ResponseCommand reply, Partition chosen) throws MetaClientException {
        if (!(reply instanceof ResultCommand result)) {
            throw new MetaClientException("Unexpected reply to a put from partition " + chosen + ": " + reply);
        }
        if (!result.isSuccess()) {
            String error = result.code() == StatusCode.FORBIDDEN.code() ? "403" : result.text();
            return new Sent(new SendResult(false, chosen, -1, error), 0);
        }
        String[] tokens = result.text().split(" ");
        try {
            long id = Long.parseLong(tokens[0]);
            Partition partition = new Partition(chosen.getBrokerId(), Integer.parseInt(tokens[1]));
            long offset = Long.parseLong(tokens[2]);
            return new Sent(new SendResult(true, partition, offset, null), id);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new MetaClientException("Malformed put reply '" + result.text() + "' from partition " + chosen, e);
        }
    }

    /** The result and, on success, the message id. */
    record Sent(SendResult result, long messageId) {}
}
