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
import io.imago.protocol.command.TransactionId;
import io.imago.protocol.command.TransactionType;
import io.imago.protocol.command.TxAdminCommand;
import io.imago.protocol.command.VersionCommand;

/**
 * Broker side: decodes the client's requests of spec section 1.4 into {@link RequestCommand}s, in
 * every shape the 1.4.6.2 broker accepts (put with 6, 7 or 8 tokens, sync with 7 or 8, transaction
 * with 5, 6 or 7, stats with 1 to 3, version with or without opaque, quit), plus Imago's
 * {@code putb} batch extension ({@link PutBatchCommand}). Put, putb and sync bodies are retained slices of the input: the handler that receives the command owns it and must release it.
 *
 * <p>Unlike the original, which throws and closes, invalid input (header line over
 * {@code maxHeaderLineBytes}, body over {@code maxBodyBytes}, a non-numeric number, a wrong token
 * count, an unknown command or a {@code result}/{@code value} line) yields one {@link MalformedFrame}
 * and then all further input is discarded. Command tokens are matched in full ({@code vxyz} is not a
 * {@code version}). One instance per channel; not thread-safe.
 */
public final class RequestDecoder extends FrameDecoder {

    /** A decoder with the default limits (4096-byte header line, 4 MiB body). */
    public RequestDecoder() {
        this(WireDescriptor.DEFAULT_MAX_HEADER_LINE_BYTES, WireDescriptor.DEFAULT_MAX_BODY_BYTES);
    }

    /** A decoder with the default header limit and the given body limit. */
    public RequestDecoder(int maxBodyBytes) {
        this(WireDescriptor.DEFAULT_MAX_HEADER_LINE_BYTES, maxBodyBytes);
    }

    /** A decoder with explicit limits. */
    public RequestDecoder(int maxHeaderLineBytes, int maxBodyBytes) {
        super(maxHeaderLineBytes, maxBodyBytes);
    }

    @Override
    ParsedLine parse(String[] tokens, int maxBodyBytes) throws MalformedFrameException {
        String command = tokens.length == 0 ? "" : tokens[0];
        try {
            switch (command) {
                case WireDescriptor.PUT:
                    return put(tokens, maxBodyBytes);
                case WireDescriptor.SYNC:
                    return sync(tokens, maxBodyBytes);
                case WireDescriptor.PUTB:
                    return putBatch(tokens, maxBodyBytes);
                case WireDescriptor.GET:
                    return complete(get(tokens));
                case WireDescriptor.OFFSET:
                    return complete(offset(tokens));
                case WireDescriptor.STATS:
                    return complete(stats(tokens));
                case WireDescriptor.VERSION:
                    Tokens.requireArity(tokens, 1, 2);
                    return complete(new VersionCommand(
                            tokens.length == 2 ? Tokens.int32(tokens, 1, "opaque") : RequestCommand.NO_OPAQUE));
                case WireDescriptor.QUIT:
                    Tokens.requireArity(tokens, 1, 1);
                    return complete(QuitCommand.INSTANCE);
                case WireDescriptor.TRANSACTION:
                    return complete(transaction(tokens));
                case WireDescriptor.TXADMIN:
                    return complete(txAdmin(tokens));
                default:
                    break;
            }
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException(
                    Tokens.opaqueOf(tokens), "Invalid " + command + " command: " + e.getMessage());
        }
        throw new MalformedFrameException(
                MalformedFrame.UNKNOWN_OPAQUE,
                command.isEmpty() ? "Blank command line" : "Unknown command '" + Tokens.echo(command) + "'");
    }

    private static ParsedLine complete(RequestCommand command) {
        return new ParsedLine.Complete(command);
    }

    private static ParsedLine put(String[] t, int maxBodyBytes) {
        Tokens.requireArity(t, 6, 8);
        String topic = t[WireDescriptor.TOPIC];
        int partition = Tokens.int32(t, WireDescriptor.PUT_PARTITION, "partition");
        int length = Tokens.bodyLength(t, WireDescriptor.PUT_BODY_LENGTH, maxBodyBytes);
        int flag = Tokens.int32(t, WireDescriptor.PUT_FLAG, "flag");
        int opaque = Tokens.int32(t, t.length - 1, "opaque");
        int checksum = PutCommand.NO_CHECKSUM;
        TransactionId txKey = null;
        if (t.length == 7) {
            String slot = t[WireDescriptor.PUT_CHECKSUM];
            if (slot.isEmpty()) {
                throw new IllegalArgumentException("empty checksum or transaction key");
            }
            if (Character.isDigit(slot.charAt(0)) || slot.charAt(0) == '-') {
                checksum = Tokens.int32(t, WireDescriptor.PUT_CHECKSUM, "checksum");
            } else {
                txKey = TransactionId.parse(slot);
            }
        } else if (t.length == 8) {
            checksum = Tokens.int32(t, WireDescriptor.PUT_CHECKSUM, "checksum");
            txKey = TransactionId.parse(t[WireDescriptor.PUT_TX_KEY]);
        }
        int finalChecksum = checksum;
        TransactionId finalTxKey = txKey;
        return new ParsedLine.AwaitingBody(
                length, body -> new PutCommand(topic, partition, flag, finalChecksum, finalTxKey, opaque, body));
    }

    private static ParsedLine sync(String[] t, int maxBodyBytes) {
        Tokens.requireArity(t, 7, 8);
        String topic = t[WireDescriptor.TOPIC];
        int partition = Tokens.int32(t, WireDescriptor.PUT_PARTITION, "partition");
        int length = Tokens.bodyLength(t, WireDescriptor.PUT_BODY_LENGTH, maxBodyBytes);
        int flag = Tokens.int32(t, WireDescriptor.PUT_FLAG, "flag");
        long messageId = Tokens.int64(t, WireDescriptor.SYNC_MESSAGE_ID, "message id");
        int checksum =
                t.length == 8 ? Tokens.int32(t, WireDescriptor.SYNC_CHECKSUM, "checksum") : PutCommand.NO_CHECKSUM;
        int opaque = Tokens.int32(t, t.length - 1, "opaque");
        return new ParsedLine.AwaitingBody(
                length, body -> new SyncCommand(topic, partition, flag, messageId, checksum, opaque, body));
    }

    /** The Imago batch extension; a body that is not exactly {@code count} entries is malformed. */
    private static ParsedLine putBatch(String[] t, int maxBodyBytes) {
        Tokens.requireArity(t, 6, 6);
        String topic = t[WireDescriptor.TOPIC];
        int partition = Tokens.int32(t, WireDescriptor.PUT_PARTITION, "partition");
        int count = Tokens.int32(t, WireDescriptor.PUTB_COUNT, "count");
        int length = Tokens.bodyLength(t, WireDescriptor.PUTB_BODY_LENGTH, maxBodyBytes);
        int opaque = Tokens.int32(t, WireDescriptor.PUTB_OPAQUE, "opaque");
        if (count < 1 || count > PutBatchCommand.MAX_COUNT) {
            throw new IllegalArgumentException("count " + count + " is outside 1.." + PutBatchCommand.MAX_COUNT);
        }
        if ((long) count * PutBatchCommand.ENTRY_HEADER_BYTES > length) {
            throw new IllegalArgumentException("body of " + length + " bytes cannot hold " + count + " entries");
        }
        return new ParsedLine.AwaitingBody(length, body -> {
            try {
                return new PutBatchCommand(topic, partition, count, opaque, body);
            } catch (IllegalArgumentException e) {
                body.release();
                return new MalformedFrame(opaque, "Invalid putb command: " + e.getMessage());
            }
        });
    }

    private static GetCommand get(String[] t) {
        Tokens.requireArity(t, 7, 8);
        int maxWaitMs = 0;
        if (t.length == 8) { // Imago's long poll: get topic group partition offset maxSize maxWaitMs opaque
            maxWaitMs = Tokens.int32(t, WireDescriptor.GET_MAX_WAIT, "max wait");
            if (maxWaitMs < 0) {
                throw new IllegalArgumentException("max wait must not be negative: " + maxWaitMs);
            }
        }
        return new GetCommand(
                t[WireDescriptor.TOPIC],
                t[WireDescriptor.GROUP],
                Tokens.int32(t, WireDescriptor.GET_PARTITION, "partition"),
                Tokens.int64(t, WireDescriptor.GET_OFFSET, "offset"),
                Tokens.int32(t, WireDescriptor.GET_MAX_SIZE, "max size"),
                maxWaitMs,
                Tokens.int32(t, t.length - 1, "opaque"));
    }

    private static OffsetCommand offset(String[] t) {
        Tokens.requireArity(t, 6, 6);
        return new OffsetCommand(
                t[WireDescriptor.TOPIC],
                t[WireDescriptor.GROUP],
                Tokens.int32(t, WireDescriptor.GET_PARTITION, "partition"),
                Tokens.int64(t, WireDescriptor.GET_OFFSET, "offset"),
                Tokens.int32(t, 5, "opaque"));
    }

    private static StatsCommand stats(String[] t) {
        Tokens.requireArity(t, 1, 3);
        String item = t.length >= 2 ? t[WireDescriptor.STATS_ITEM] : "";
        int opaque = t.length == 3 ? Tokens.int32(t, WireDescriptor.STATS_OPAQUE, "opaque") : RequestCommand.NO_OPAQUE;
        return new StatsCommand(item, opaque);
    }

    private static TxAdminCommand txAdmin(String[] t) {
        Tokens.requireArity(t, 3, 4);
        TxAdminCommand.Op op = TxAdminCommand.Op.parse(t[1]);
        return new TxAdminCommand(op, t.length == 4 ? t[2] : "", Tokens.int32(t, t.length - 1, "opaque"));
    }

    private static TransactionCommand transaction(String[] t) {
        Tokens.requireArity(t, 5, 7);
        TransactionId txKey = TransactionId.parse(t[WireDescriptor.TX_KEY]);
        TransactionType type = TransactionType.parse(t[WireDescriptor.TX_TYPE]);
        int timeout = 0;
        String qualifier = "";
        if (t.length == 7) {
            timeout = Tokens.int32(t, WireDescriptor.TX_TIMEOUT, "timeout");
            qualifier = t[WireDescriptor.TX_QUALIFIER];
        } else if (t.length == 6 && Tokens.isNumeric(t[WireDescriptor.TX_TIMEOUT])) {
            timeout = Tokens.int32(t, WireDescriptor.TX_TIMEOUT, "timeout");
        } else if (t.length == 6) {
            qualifier = t[WireDescriptor.TX_TIMEOUT];
        }
        return new TransactionCommand(
                txKey,
                t[WireDescriptor.TX_SESSION_ID],
                type,
                timeout,
                qualifier,
                Tokens.int32(t, t.length - 1, "opaque"));
    }
}
