package io.imago.protocol.command;

import io.imago.protocol.Names;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * The one catalogue of MetaQ 1.4.6.2 reply texts and their status codes (spec sections 1.3-1.4), so a
 * condition is spelled the same way everywhere. Methods ending in {@code Text} return the bare
 * message (for logs or the HTTP endpoint); the others return the {@link ResultCommand} to send. Every
 * text here is byte-for-byte the original's, typos included ("transfering", "do not accept", "is not
 * exists"), except where marked as an Imago addition. Stateless and thread-safe.
 */
public final class Replies {
    /** Body of the STATS frame's first line. */
    public static final String STATS_START = "STATS";
    /** Body of the STATS frame's last line. */
    public static final String STATS_END = "END";
    /** Line separator inside STATS and RECOVER bodies. */
    public static final String CRLF = "\r\n";

    private Replies() {}

    // ---- success -------------------------------------------------------------------------------

    /** {@code result 200 0 <opaque>}: success without body (BEGIN, COMMIT, ROLLBACK, FORGET). */
    public static ResultCommand ok(int opaque) {
        return ResultCommand.of(StatusCode.SUCCESS, "", opaque);
    }

    /** {@code result 200} with a text body (version string, offset, prepare vote...). */
    public static ResultCommand ok(String text, int opaque) {
        return ResultCommand.of(StatusCode.SUCCESS, text, opaque);
    }

    /** {@code result 200} with a raw body (e.g. {@code stats config}); takes over one reference. */
    public static ResultCommand ok(ByteBuf body, int opaque) {
        return new ResultCommand(StatusCode.SUCCESS.code(), body, opaque);
    }

    /** Put success body: {@code <messageId> <partition> <offset>} (offset -1 inside a transaction). */
    public static ResultCommand putOk(long messageId, int partition, long offset, int opaque) {
        return ok(messageId + " " + partition + " " + offset, opaque);
    }

    /**
     * Imago extension: {@code putb} success body {@code <firstId> <partition> <firstOffset> <count>}
     * (see {@link PutBatchCommand}).
     */
    public static ResultCommand putBatchOk(long firstId, int partition, long firstOffset, int count, int opaque) {
        return ok(firstId + " " + partition + " " + firstOffset + " " + count, opaque);
    }

    /** {@code offset} success: the valid offset as decimal text. */
    public static ResultCommand offsetOk(long validOffset, int opaque) {
        return ok(Long.toString(validOffset), opaque);
    }

    /** {@code stats} success (every item but {@code config}): {@code STATS\r\n<line>\r\n...END\r\n}. */
    public static ResultCommand stats(List<String> lines, int opaque) {
        StringBuilder body = new StringBuilder(STATS_START).append(CRLF);
        for (String line : lines) {
            body.append(line).append(CRLF);
        }
        return ok(body.append(STATS_END).append(CRLF).toString(), opaque);
    }

    /** {@code PREPARE} success: the vote ({@code 0} = XA_OK, {@code 3} = XA_RDONLY). */
    public static ResultCommand prepareVote(int vote, int opaque) {
        return ok(Integer.toString(vote), opaque);
    }

    /** {@code RECOVER} success: the keys separated by CRLF, no trailing separator, empty if none. */
    public static ResultCommand recovered(List<TransactionId> keys, int opaque) {
        StringBuilder body = new StringBuilder();
        for (TransactionId key : keys) {
            if (body.length() > 0) {
                body.append(CRLF);
            }
            body.append(key.key());
        }
        return ok(body.toString(), opaque);
    }

    // ---- put ---------------------------------------------------------------------------------------

    /** {@code Put message to [broker '<uri>'] [partition '<topic>-<partition>'] failed.} */
    public static String putFailedText(String brokerUri, String topic, int partition) {
        return "Put message to [broker '" + brokerUri + "'] [partition '" + topic + "-" + partition + "'] failed.";
    }

    /** Put failed without detail (store or I/O failure): 500. */
    public static ResultCommand putFailed(String brokerUri, String topic, int partition, int opaque) {
        return ResultCommand.of(StatusCode.INTERNAL_SERVER_ERROR, putFailedText(brokerUri, topic, partition), opaque);
    }

    /** Put failed with a detail (usually an exception's message): 500 {@code ...failed.Detail:<detail>}. */
    public static ResultCommand putFailed(String brokerUri, String topic, int partition, String detail, int opaque) {
        return ResultCommand.of(
                StatusCode.INTERNAL_SERVER_ERROR,
                putFailedText(brokerUri, topic, partition) + "Detail:" + detail,
                opaque);
    }

    /** The client's checksum differs from the body's: 500. */
    public static ResultCommand putChecksumFailure(String brokerUri, String topic, int partition, int opaque) {
        return putFailed(
                brokerUri,
                topic,
                partition,
                "Checksum failure,message may be corrupted when transfering on networking.",
                opaque);
    }

    /** Partition outside {@code [0, numPartitions)}: 500 {@code ...Detail:wrong partition <p>}. */
    public static ResultCommand putWrongPartition(String brokerUri, String topic, int partition, int opaque) {
        return putFailed(brokerUri, topic, partition, "wrong partition " + partition, opaque);
    }

    /** No configured topic pattern matches: 500 {@code ...Detail:The server do not accept topic <t>}. */
    public static ResultCommand putTopicNotAccepted(String brokerUri, String topic, int partition, int opaque) {
        return putFailed(brokerUri, topic, partition, "The server do not accept topic " + topic, opaque);
    }

    /**
     * Imago addition: a put or putb whose topic breaks the naming rule ({@link io.imago.protocol.Names}):
     * 500 {@code ...failed.Detail:invalid topic name '<t>': <problem>}, the topic escaped.
     */
    public static ResultCommand putInvalidTopic(
            String brokerUri, String topic, int partition, String problem, int opaque) {
        return putFailed(
                brokerUri, Names.printable(topic), partition, Names.message(Names.Kind.TOPIC, topic, problem), opaque);
    }

    /** Partition closed: 403 {@code ...Detail:partition[<brokerId>-<p>] has been closed}. */
    public static ResultCommand putPartitionClosed(
            String brokerUri, String topic, int partition, int brokerId, int opaque) {
        return ResultCommand.of(
                StatusCode.FORBIDDEN,
                putFailedText(brokerUri, topic, partition) + "Detail:partition[" + brokerId + "-" + partition
                        + "] has been closed",
                opaque);
    }

    /**
     * Imago addition (DESIGN.md difference 4): the topic has {@code acceptPublish=false}: 403
     * {@code ...Detail:topic <t> does not accept publishing}.
     */
    public static ResultCommand putPublishNotAccepted(String brokerUri, String topic, int partition, int opaque) {
        return ResultCommand.of(
                StatusCode.FORBIDDEN,
                putFailedText(brokerUri, topic, partition) + "Detail:topic " + topic + " does not accept publishing",
                opaque);
    }

    /**
     * Imago addition: the detail of a refused put or get of a partition taken offline by a failed write
     * or fsync: {@code partition <t>-<p> is offline after a storage failure (<cause>); it takes no put and
     * serves no get until the broker restarts}.
     */
    public static String partitionOfflineText(String topic, int partition, String cause) {
        return "partition " + topic + "-" + partition + " is offline after a storage failure (" + cause
                + "); it takes no put and serves no get until the broker restarts";
    }

    /**
     * Imago addition: a put or get of a partition taken offline by a failed write or fsync: 500
     * {@code Put message to [...] failed.Detail:}{@link #partitionOfflineText} (a get's failure reuses the put
     * text, as in the original). Status 500, the original's store failure: its producer reports the send as
     * failed and its consumer backs off and asks again.
     */
    public static ResultCommand partitionOffline(
            String brokerUri, String topic, int partition, String cause, int opaque) {
        return putFailed(brokerUri, topic, partition, partitionOfflineText(topic, partition, cause), opaque);
    }

    /** A transactional put to partition -1: 500 {@code Invalid partition for transaction command:<p>}. */
    public static ResultCommand invalidTransactionPartition(int partition, int opaque) {
        return ResultCommand.of(
                StatusCode.INTERNAL_SERVER_ERROR, "Invalid partition for transaction command:" + partition, opaque);
    }

    /** Sync master whose slave is down: 500 {@code Slave is disconnected } (trailing space). */
    public static ResultCommand slaveDisconnected(int opaque) {
        return ResultCommand.of(StatusCode.INTERNAL_SERVER_ERROR, "Slave is disconnected ", opaque);
    }

    // ---- get / offset ------------------------------------------------------------------------------

    /** Get on a closed partition: 403 {@code Partition[<brokerId>-<p>] has been closed}. */
    public static ResultCommand getPartitionClosed(int brokerId, int partition, int opaque) {
        return ResultCommand.of(
                StatusCode.FORBIDDEN, "Partition[" + brokerId + "-" + partition + "] has been closed", opaque);
    }

    /** {@code The topic `<t>` in partition `<p>` is not exists} (with backquotes). */
    public static String topicPartitionNotExistsText(String topic, int partition) {
        return "The topic `" + topic + "` in partition `" + partition + "` is not exists";
    }

    /** Get or offset on a topic-partition this broker has no store for: 404. */
    public static ResultCommand topicPartitionNotExists(String topic, int partition, int opaque) {
        return ResultCommand.of(StatusCode.NOT_FOUND, topicPartitionNotExistsText(topic, partition), opaque);
    }

    /** Get with max size of zero or less: 400 {@code Bad request,invalid max size:<n>}. */
    public static ResultCommand invalidMaxSize(int maxSize, int opaque) {
        return ResultCommand.of(StatusCode.BAD_REQUEST, "Bad request,invalid max size:" + maxSize, opaque);
    }

    /**
     * Imago addition: a get or offset whose topic breaks the naming rule ({@link io.imago.protocol.Names}):
     * 400 {@code Bad request,invalid topic name '<t>': <problem>}, the topic escaped.
     */
    public static ResultCommand invalidTopic(String topic, String problem, int opaque) {
        return ResultCommand.of(
                StatusCode.BAD_REQUEST, "Bad request," + Names.message(Names.Kind.TOPIC, topic, problem), opaque);
    }

    /** Get outside the valid range: 301 whose body is the offset to use. */
    public static ResultCommand moved(long offset, int opaque) {
        return ResultCommand.of(StatusCode.MOVED, Long.toString(offset), opaque);
    }

    /** Get at or past the end ("caught up"): 404 {@code Could not find message at position <n>}. */
    public static ResultCommand noMessageAt(long offset, int opaque) {
        return ResultCommand.of(StatusCode.NOT_FOUND, "Could not find message at position " + offset, opaque);
    }

    /**
     * Unexpected failure while serving a get: 500. The original reuses the put text here
     * ({@code Put message to [...] failed.Detail:<detail>}), and so do we.
     */
    public static ResultCommand getFailed(String brokerUri, String topic, int partition, String detail, int opaque) {
        return putFailed(brokerUri, topic, partition, detail, opaque);
    }

    // ---- transactions ------------------------------------------------------------------------------

    /** {@code XAException:code=<c>,msg=<m>}, which the client's regex turns back into an XAException. */
    public static String xaExceptionText(int errorCode, String message) {
        return "XAException:code=" + errorCode + ",msg=" + message;
    }

    /** An XA failure: 500 {@code XAException:code=<c>,msg=<m>}. */
    public static ResultCommand xaException(int errorCode, String message, int opaque) {
        return ResultCommand.of(StatusCode.INTERNAL_SERVER_ERROR, xaExceptionText(errorCode, message), opaque);
    }

    /** {@code XA transaction '<key>' has not been started.} (sent with XAER_NOTA, -4). */
    public static String xaNotStartedText(TransactionId txKey) {
        return "XA transaction '" + txKey.key() + "' has not been started.";
    }

    /** {@code Local transaction '<key>' has not been started.} */
    public static String localNotStartedText(TransactionId txKey) {
        return "Local transaction '" + txKey.key() + "' has not been started.";
    }

    /** A local transaction that does not exist on this connection: 500. */
    public static ResultCommand localTransactionNotStarted(TransactionId txKey, int opaque) {
        return ResultCommand.of(StatusCode.INTERNAL_SERVER_ERROR, localNotStartedText(txKey), opaque);
    }

    // ---- generic -----------------------------------------------------------------------------------

    /** Any other failure: 500 with the message as body. */
    public static ResultCommand internalError(String message, int opaque) {
        return ResultCommand.of(StatusCode.INTERNAL_SERVER_ERROR, message, opaque);
    }

    /** Imago addition: a command this broker does not serve (yet): 500 {@code Command '<c>' is not supported yet by this Imago broker}. */
    public static ResultCommand notSupported(String command, int opaque) {
        return internalError("Command '" + command + "' is not supported yet by this Imago broker", opaque);
    }

    /** The request could not be queued (pool full): 503. */
    public static ResultCommand busy(String message, int opaque) {
        return ResultCommand.of(StatusCode.SERVICE_UNAVAILABLE, message, opaque);
    }

    /** Processing timed out: 504. */
    public static ResultCommand timeout(String message, int opaque) {
        return ResultCommand.of(StatusCode.GATEWAY_TIMEOUT, message, opaque);
    }
}
