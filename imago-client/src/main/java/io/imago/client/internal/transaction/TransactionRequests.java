package io.imago.client.internal.transaction;

import io.imago.client.internal.remoting.ConnectionException;
import io.imago.client.internal.remoting.OpaqueGenerator;
import io.imago.client.internal.remoting.RemotingClient;
import io.imago.client.internal.remoting.RemotingException;
import io.imago.client.internal.remoting.RequestTimeoutException;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.TransactionCommand;
import io.imago.protocol.command.TransactionId;
import io.imago.protocol.command.TransactionType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.transaction.xa.XAException;

/**
 * Sends the {@code transaction} requests of one producer session (spec section 1.4) and reads their
 * replies; rebuilds the {@link XAException} a broker reports as {@code XAException:code=<n>,msg=<text>}
 * the way MetaQ's client does (any other error text is {@code XAER_RMERR}). Thread-safe.
 */
public final class TransactionRequests {
    /** MetaQ's client pattern for an XA error reply. */
    static final Pattern XA_ERROR = Pattern.compile("code=(-?\\d+),msg=(.*)");

    private static final String XA_PREFIX = "XAException:";
    /** How much longer than the request's own timeout the caller waits for the future. */
    private static final long GRACE_MS = 1_000;

    private final RemotingClient remoting;
    private final String sessionId;

    public TransactionRequests(RemotingClient remoting, String sessionId) {
        this.remoting = remoting;
        this.sessionId = sessionId;
    }

    /** The producer session id written in every request. */
    public String sessionId() {
        return sessionId;
    }

    /** A broker's reply: its status code and body text. */
    public record Reply(int code, String text) {
        public boolean isSuccess() {
            return code == 200;
        }
    }

    /** The command one request writes (timeout only when positive, qualifier only when not blank). */
    public TransactionCommand command(TransactionId key, TransactionType type, int timeoutSeconds, String qualifier) {
        return new TransactionCommand(
                key,
                sessionId,
                type,
                Math.max(0, timeoutSeconds),
                qualifier == null ? "" : qualifier,
                OpaqueGenerator.next());
    }

    /**
     * Sends one request to {@code url} and waits for its reply.
     *
     * @throws RemotingException no reply: not connected, lost, or none within {@code timeoutMs}
     */
    public Reply request(String url, TransactionCommand command, long timeoutMs)
            throws RemotingException, InterruptedException {
        CompletableFuture<ResponseCommand> f = remoting.invoke(url, command, timeoutMs);
        ResponseCommand reply;
        try {
            reply = RemotingClient.await(f, timeoutMs + GRACE_MS);
        } catch (TimeoutException e) {
            throw new RequestTimeoutException("No reply to " + command.type() + " of " + command.txKey() + " from "
                    + url + " within " + timeoutMs + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof RemotingException r) {
                throw r;
            }
            throw new ConnectionException(
                    command.type() + " of " + command.txKey() + " to " + url + " failed: " + cause, cause, true);
        }
        try {
            if (reply instanceof ResultCommand result) {
                return new Reply(result.code(), result.text());
            }
            return new Reply(500, "unexpected reply " + reply.getClass().getSimpleName() + " to a transaction request");
        } finally {
            reply.release();
        }
    }

    /**
     * Writes a request the broker does not answer ({@code END}); false when there is no connection to
     * {@code url} now (then nothing was written).
     */
    public boolean sendOneWay(String url, TransactionCommand command) {
        return remoting.sendOneWay(url, command);
    }

    /** Whether a usable connection to {@code url} exists now. */
    public boolean isConnected(String url) {
        return remoting.isConnected(url);
    }

    /**
     * The exception an error reply stands for, as MetaQ rebuilds it: the code and message of an
     * {@code XAException:code=<n>,msg=<text>} body, else {@code XAER_RMERR} with the body as message.
     */
    public static XAException toXaException(Reply reply) {
        String text = reply.text();
        if (text.startsWith(XA_PREFIX)) {
            Matcher m = XA_ERROR.matcher(text);
            if (m.find()) {
                try {
                    return xaException(Integer.parseInt(m.group(1)), m.group(2), null);
                } catch (NumberFormatException e) {
                    // a code beyond int: treated as the unparsable reply below
                }
            }
        }
        return xaException(XAException.XAER_RMERR, text, null);
    }

    /** An {@link XAException} with a code, message and cause. */
    public static XAException xaException(int code, String message, Throwable cause) {
        XAException e = new XAException(message);
        e.errorCode = code;
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
