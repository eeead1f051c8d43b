package io.imago.broker.tx;

import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.StatusCode;

/**
 * A refused transaction request, answered {@code result 500}: with an XA code the body is
 * {@code XAException:code=<n>,msg=<text>} (the MetaQ client rebuilds an {@code XAException} with that
 * code from it), without one it is the bare text (the client's local-transaction error). The codes are
 * {@code javax.transaction.xa.XAException}'s. Immutable.
 */
public final class TxError extends Exception {
    private static final long serialVersionUID = 1L;

    /** The XA branch was rolled back for an unspecified reason. */
    public static final int XA_RBOTHER = 100;
    /** Heuristic: the branch was committed. */
    public static final int XA_HEURCOM = 7;
    /** Heuristic: the branch was rolled back. */
    public static final int XA_HEURRB = 6;
    /** Heuristic: the branch may have been completed. */
    public static final int XA_HEURHAZ = 8;
    /** The resource manager failed (it may come back); the transaction is unchanged. */
    public static final int XAER_RMFAIL = -7;
    /** Resource manager error. */
    public static final int XAER_RMERR = -3;
    /** Unknown XID. */
    public static final int XAER_NOTA = -4;
    /** The request came in the wrong state. */
    public static final int XAER_PROTO = -6;

    private final boolean xa;
    private final int code;

    private TxError(boolean xa, int code, String message, Throwable cause) {
        super(message, cause, false, false);
        this.xa = xa;
        this.code = code;
    }

    /** An XA error with {@code code}. */
    public static TxError xa(int code, String message) {
        return new TxError(true, code, message, null);
    }

    /** An XA error with {@code code} caused by {@code cause}. */
    public static TxError xa(int code, String message, Throwable cause) {
        return new TxError(true, code, message, cause);
    }

    /** An error answered with its bare text. */
    public static TxError plain(String message) {
        return new TxError(false, 0, message, null);
    }

    /** Whether the error carries an XA code. */
    public boolean isXa() {
        return xa;
    }

    /** The XA code (meaningless when {@link #isXa()} is false). */
    public int code() {
        return code;
    }

    /** The reply body: {@code XAException:code=<n>,msg=<text>} or the bare text. */
    public String replyText() {
        return xa ? "XAException:code=" + code + ",msg=" + getMessage() : getMessage();
    }

    /** The {@code result 500} reply. */
    public ResultCommand toReply(int opaque) {
        return ResultCommand.of(StatusCode.INTERNAL_SERVER_ERROR, replyText(), opaque);
    }
}
