package io.imago.broker.server;

import io.imago.broker.tx.TransactionManager;
import io.imago.broker.tx.TxError;
import io.imago.broker.tx.TxView;
import io.imago.protocol.command.Replies;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.StatusCode;
import io.imago.protocol.command.TransactionCommand;
import io.imago.protocol.command.TxAdminCommand;
import io.netty.channel.Channel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code transaction} (spec section 1.4) and the operator's {@code txadmin} extension: hands each to
 * the {@link TransactionManager} and answers exactly as MetaQ 1.4.6.2 does — {@code result 200 0} for
 * BEGIN, COMMIT, ROLLBACK and FORGET, the vote for PREPARE, the CRLF list for RECOVER, nothing for END,
 * and {@code result 500} with {@code XAException:code=<n>,msg=<text>} or a bare text on refusal. A local
 * transaction's owner is its connection. Stateless; thread-safe.
 */
final class TransactionProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionProcessor.class);

    private final TransactionManager txs;

    TransactionProcessor(TransactionManager txs) {
        this.txs = txs;
    }

    @SuppressWarnings("FutureReturnValueIgnored") // void promise: a failed write reaches exceptionCaught
    void process(Channel channel, TransactionCommand tx) {
        int opaque = tx.opaque();
        CompletableFuture<String> reply;
        switch (tx.type()) {
            case END -> {
                return; // fire-and-forget: the original never answers it
            }
            case BEGIN -> {
                try {
                    txs.begin(tx.txKey(), channel, tx.timeoutSeconds());
                    reply = CompletableFuture.completedFuture(null);
                } catch (TxError e) {
                    reply = CompletableFuture.failedFuture(e);
                }
            }
            case PREPARE -> reply = txs.prepare(tx.txKey(), channel);
            case COMMIT_ONE_PHASE -> reply = txs.commit(tx.txKey(), channel, true);
            case COMMIT_TWO_PHASE -> reply = txs.commit(tx.txKey(), channel, false);
            case ROLLBACK -> reply = txs.rollback(tx.txKey(), channel);
            case FORGET -> reply = txs.forget(tx.txKey());
            case RECOVER -> {
                channel.writeAndFlush(
                        Replies.recovered(txs.recoverList(tx.uniqueQualifier()), opaque), channel.voidPromise());
                return;
            }
            default -> throw new IllegalStateException("unhandled transaction type " + tx.type());
        }
        reply.whenComplete((body, error) ->
                channel.writeAndFlush(answer(tx.type().name(), body, error, opaque), channel.voidPromise()));
    }

    @SuppressWarnings("FutureReturnValueIgnored") // void promise, as in process
    void admin(Channel channel, TxAdminCommand admin) {
        int opaque = admin.opaque();
        CompletableFuture<String> reply = switch (admin.op()) {
            case LIST -> CompletableFuture.completedFuture(listBody());
            case COMMIT -> txs.heuristicCommit(admin.key());
            case ROLLBACK -> txs.heuristicRollback(admin.key());
            case FORGET -> txs.operatorForget(admin.key());
        };
        reply.whenComplete((body, error) -> channel.writeAndFlush(
                answer("txadmin " + admin.op().token(), body, error, opaque), channel.voidPromise()));
    }

    private String listBody() {
        StringBuilder body = new StringBuilder();
        for (TxView v : txs.list()) {
            if (body.length() > 0) {
                body.append(Replies.CRLF);
            }
            body.append(v.key())
                    .append(' ')
                    .append(v.state())
                    .append(' ')
                    .append(v.ageMs())
                    .append(' ')
                    .append(v.messages());
        }
        return body.toString();
    }

    private static ResultCommand answer(String what, String body, Throwable error, int opaque) {
        if (error == null) {
            return body == null ? Replies.ok(opaque) : Replies.ok(body, opaque);
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof TxError e) {
            LOG.debug("{} refused: {}", what, e.replyText());
            return e.toReply(opaque);
        }
        LOG.warn("{} failed", what, cause);
        return ResultCommand.of(StatusCode.INTERNAL_SERVER_ERROR, String.valueOf(cause.getMessage()), opaque);
    }
}
