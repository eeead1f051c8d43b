package io.imago.client.internal.producer;

import io.imago.Message;
import io.imago.client.producer.SendResult;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import io.imago.protocol.RecordDescriptor;
import io.imago.protocol.command.PutBatchCommand;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.StatusCode;
import java.util.Arrays;
import java.util.List;

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

    /**
     * Each message's result from the reply to a batch put ({@code <firstId> <partition> <offset> <count>}),
     * for {@code chosen}; sets the id, partition and offset of stored messages. {@code entryBytes[i]} is
     * the size of message {@code i}'s batch entry, from which its record length follows.
     */
    static SendResult[] readBatch(ResponseCommand reply, Partition chosen, List<Message> messages, int[] entryBytes)
            throws MetaClientException {
        int count = messages.size();
        SendResult[] results = new SendResult[count];
        if (!(reply instanceof ResultCommand result)) {
            throw new MetaClientException("Unexpected reply to a batch put from partition " + chosen + ": " + reply);
        }
        if (!result.isSuccess()) {
            String error = result.code() == StatusCode.FORBIDDEN.code() ? "403" : result.text();
            Arrays.fill(results, new SendResult(false, chosen, -1, error));
            return results;
        }
        String text = result.text();
        long firstId;
        int partition;
        long offset;
        int replied;
        try {
            String[] tokens = text.split(" ");
            firstId = Long.parseLong(tokens[0]);
            partition = Integer.parseInt(tokens[1]);
            offset = Long.parseLong(tokens[2]);
            replied = Integer.parseInt(tokens[3]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new MetaClientException("Malformed batch put reply '" + text + "' from partition " + chosen, e);
        }
        if (replied != count) {
            throw new MetaClientException("Batch put reply '" + text + "' from partition " + chosen + " acknowledges "
                    + replied + " messages, " + count + " were sent");
        }
        Partition stored = new Partition(chosen.getBrokerId(), partition);
        for (int i = 0; i < count; i++) {
            Message message = messages.get(i);
            message.setId(firstId + i);
            message.setPartition(stored);
            message.setOffset(offset);
            results[i] = new SendResult(true, stored, offset, null);
            offset += RecordDescriptor.recordLength(entryBytes[i] - PutBatchCommand.ENTRY_HEADER_BYTES);
        }
        return results;
    }

    /** The result and, on success, the message id. */
    record Sent(SendResult result, long messageId) {}
}
