package io.imago.protocol.codec;

import io.imago.protocol.command.GetCommand;
import io.imago.protocol.command.OffsetCommand;
import io.imago.protocol.command.PutBatchCommand;
import io.imago.protocol.command.PutCommand;
import io.imago.protocol.command.QuitCommand;
import io.imago.protocol.command.RequestCommand;
import io.imago.protocol.command.StatsCommand;
import io.imago.protocol.command.SyncCommand;
import io.imago.protocol.command.TransactionCommand;
import io.imago.protocol.command.TxAdminCommand;
import io.imago.protocol.command.VersionCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * The header line of every MetaQ 1.4.6.2 wire command (spec sections 1.1-1.4). A frame is one UTF-8
 * line of tokens separated by single spaces and ended by CRLF, optionally followed by a body whose
 * byte length is one of the tokens; nothing ends the body. Token positions (0-based):
 *
 * <pre>
 *  request                                                                              body
 *  put    topic partition bodyLen flag opaque                           (6, pre-1.4.4)  bodyLen
 *  put    topic partition bodyLen flag checksum|txKey opaque            (7)             bodyLen
 *  put    topic partition bodyLen flag checksum txKey opaque            (8, 1.4.4+ tx)  bodyLen
 *  get    topic group partition offset maxSize opaque                   (7)
 *  get    topic group partition offset maxSize maxWaitMs opaque (8, Imago long-poll extension)
 *  offset topic group partition offset opaque                           (6)
 *  stats  item opaque          | stats "" opaque ("stats  1")           (3)
 *  stats  item                 (opaque = 2147483647)                    (2)
 *  stats                       (item "", opaque = 2147483647)           (1)
 *  version opaque              | version (opaque = 2147483647)          (2 | 1)
 *  quit                                                                 (1)
 *  transaction txKey sessionId type opaque                              (5)
 *  transaction txKey sessionId type timeout|qualifier opaque            (6, all digits = timeout)
 *  transaction txKey sessionId type timeout qualifier opaque            (7)
 *  sync   topic partition bodyLen flag messageId opaque                 (7, pre-1.4.4)  bodyLen
 *  sync   topic partition bodyLen flag messageId checksum opaque        (8)             bodyLen
 *  putb   topic partition count bodyLen opaque    (6, Imago extension)  bodyLen
 *
 *  response
 *  result code bodyLen opaque                                           (4)             bodyLen
 *  value  length opaque                                                 (3)             length
 * </pre>
 *
 * Tokens are split like Java's {@code String.split(" ")}: inner empty tokens are kept, trailing
 * ones dropped. Numbers are signed decimal. The 1.4.6.2 client always writes the 7/8-token put,
 * {@code stats  <opaque>} for an empty item, the transaction timeout only when positive and the
 * qualifier only when not blank, and the 8-token sync. Imago's limits (DESIGN.md difference 2):
 * a header line longer than {@link #DEFAULT_MAX_HEADER_LINE_BYTES} or a body longer than the
 * configured maximum ({@link #DEFAULT_MAX_BODY_BYTES}) is refused. Stateless and thread-safe.
 */
public final class WireDescriptor {
    /** Ends every header line. */
    public static final String CRLF = "\r\n";
    /** Separates tokens. */
    public static final String SEPARATOR = " ";

    /** Longest header line accepted, CRLF excluded. */
    public static final int DEFAULT_MAX_HEADER_LINE_BYTES = 4096;
    /** Longest body accepted by default (put, sync, result and value). */
    public static final int DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

    public static final String PUT = "put";
    public static final String GET = "get";
    public static final String OFFSET = "offset";
    public static final String STATS = "stats";
    public static final String VERSION = "version";
    public static final String QUIT = "quit";
    public static final String TRANSACTION = "transaction";
    public static final String SYNC = "sync";
    /** Imago extension: a batch of puts to one partition ({@link PutBatchCommand}). */
    public static final String PUTB = "putb";
    /** Imago extension: the operator's transaction commands ({@link TxAdminCommand}). */
    public static final String TXADMIN = "txadmin";

    public static final String RESULT = "result";
    public static final String VALUE = "value";

    /** Position of the topic in put, get, offset and sync. */
    public static final int TOPIC = 1;
    /** Position of the partition in put and sync. */
    public static final int PUT_PARTITION = 2;
    /** Position of the body length in put and sync. */
    public static final int PUT_BODY_LENGTH = 3;
    /** Position of the flag in put and sync. */
    public static final int PUT_FLAG = 4;
    /** Position of the checksum in the 7/8-token put (or of the txKey in the old 7-token shape). */
    public static final int PUT_CHECKSUM = 5;
    /** Position of the txKey in the 8-token put. */
    public static final int PUT_TX_KEY = 6;
    /** Position of the entry count in putb. */
    public static final int PUTB_COUNT = 3;
    /** Position of the body length in putb. */
    public static final int PUTB_BODY_LENGTH = 4;
    /** Position of the opaque in putb. */
    public static final int PUTB_OPAQUE = 5;
    /** Position of the message id in sync. */
    public static final int SYNC_MESSAGE_ID = 5;
    /** Position of the checksum in the 8-token sync. */
    public static final int SYNC_CHECKSUM = 6;
    /** Position of the group in get and offset. */
    public static final int GROUP = 2;
    /** Position of the partition in get and offset. */
    public static final int GET_PARTITION = 3;
    /** Position of the offset in get and offset. */
    public static final int GET_OFFSET = 4;
    /** Position of the max size in get. */
    public static final int GET_MAX_SIZE = 5;
    /** Position of the max wait in the 8-token (long-polling) get. */
    public static final int GET_MAX_WAIT = 6;
    /** Position of the item in stats. */
    public static final int STATS_ITEM = 1;
    /** Position of the opaque in stats (3 tokens) and version (2 tokens). */
    public static final int STATS_OPAQUE = 2;
    /** Position of the txKey in transaction. */
    public static final int TX_KEY = 1;
    /** Position of the session id in transaction. */
    public static final int TX_SESSION_ID = 2;
    /** Position of the type in transaction. */
    public static final int TX_TYPE = 3;
    /** Position of the timeout (or, in 6 tokens, possibly the qualifier) in transaction. */
    public static final int TX_TIMEOUT = 4;
    /** Position of the qualifier in the 7-token transaction. */
    public static final int TX_QUALIFIER = 5;
    /** Position of the code in result. */
    public static final int RESULT_CODE = 1;
    /** Position of the body length in result. */
    public static final int RESULT_BODY_LENGTH = 2;
    /** Position of the length in value. */
    public static final int VALUE_LENGTH = 1;

    private WireDescriptor() {}

    /** The header line (without CRLF) the 1.4.6.2 client writes for {@code command}. */
    public static String headerLine(RequestCommand command) {
        if (command instanceof PutCommand put) {
            return putLine(put);
        } else if (command instanceof GetCommand get) {
            return get.waits()
                    ? join(
                            GET,
                            get.topic(),
                            get.group(),
                            get.partition(),
                            get.offset(),
                            get.maxSize(),
                            get.maxWaitMs(),
                            get.opaque())
                    : join(GET, get.topic(), get.group(), get.partition(), get.offset(), get.maxSize(), get.opaque());
        } else if (command instanceof OffsetCommand offset) {
            return join(OFFSET, offset.topic(), offset.group(), offset.partition(), offset.offset(), offset.opaque());
        } else if (command instanceof StatsCommand stats) {
            return stats.hasNoItem()
                    ? STATS + SEPARATOR + SEPARATOR + stats.opaque()
                    : join(STATS, stats.item(), stats.opaque());
        } else if (command instanceof VersionCommand version) {
            return join(VERSION, version.opaque());
        } else if (command instanceof QuitCommand) {
            return QUIT;
        } else if (command instanceof TransactionCommand tx) {
            return transactionLine(tx);
        } else if (command instanceof PutBatchCommand batch) {
            return join(PUTB, batch.topic(), batch.partition(), batch.count(), batch.bodyLength(), batch.opaque());
        } else if (command instanceof TxAdminCommand admin) {
            return admin.key().isEmpty()
                    ? join(TXADMIN, admin.op().token(), admin.opaque())
                    : join(TXADMIN, admin.op().token(), admin.key(), admin.opaque());
        } else {
            SyncCommand sync = (SyncCommand) command;
            return join(
                    SYNC,
                    sync.topic(),
                    sync.partition(),
                    sync.bodyLength(),
                    sync.flag(),
                    sync.messageId(),
                    sync.checksum(),
                    sync.opaque());
        }
    }

    private static String putLine(PutCommand put) {
        if (put.isTransactional()) {
            return join(
                    PUT,
                    put.topic(),
                    put.partition(),
                    put.bodyLength(),
                    put.flag(),
                    put.checksum(),
                    put.txKey().key(),
                    put.opaque());
        }
        return join(PUT, put.topic(), put.partition(), put.bodyLength(), put.flag(), put.checksum(), put.opaque());
    }

    private static String transactionLine(TransactionCommand tx) {
        StringBuilder line = new StringBuilder(TRANSACTION)
                .append(SEPARATOR)
                .append(tx.txKey().key())
                .append(SEPARATOR)
                .append(tx.sessionId())
                .append(SEPARATOR)
                .append(tx.type().name());
        if (tx.hasTimeout()) {
            line.append(SEPARATOR).append(tx.timeoutSeconds());
        }
        if (tx.hasUniqueQualifier()) {
            line.append(SEPARATOR).append(tx.uniqueQualifier());
        }
        return line.append(SEPARATOR).append(tx.opaque()).toString();
    }

    /** {@code result <code> <bodyLength> <opaque>} (without CRLF). */
    public static String resultLine(int code, int bodyLength, int opaque) {
        return join(RESULT, code, bodyLength, opaque);
    }

    /** {@code value <length> <opaque>} (without CRLF). */
    public static String valueLine(int length, int opaque) {
        return join(VALUE, length, opaque);
    }

    /** Writes {@code line} in UTF-8 followed by CRLF. */
    public static void writeLine(ByteBuf out, String line) {
        ByteBufUtil.writeUtf8(out, line);
        out.writeByte('\r').writeByte('\n');
    }

    /** Bytes {@link #writeLine} writes for {@code line}. */
    public static int lineBytes(String line) {
        return ByteBufUtil.utf8Bytes(line) + CRLF.length();
    }

    private static String join(Object... tokens) {
        StringBuilder line = new StringBuilder();
        for (Object token : tokens) {
            if (line.length() > 0) {
                line.append(SEPARATOR);
            }
            line.append(token);
        }
        return line.toString();
    }
}
