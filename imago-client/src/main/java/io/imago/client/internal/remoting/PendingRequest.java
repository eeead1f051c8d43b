package io.imago.client.internal.remoting;

import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.zk.BrokerUrl;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request awaiting its reply: its future, its timeout and its in-flight slot. It is finished
 * exactly once, by the reply, the timeout, the loss of its connection or the client's close,
 * whichever comes first; finishing cancels the timeout, frees the slot and removes it from the
 * table of its channel. Thread-safe.
 */
final class PendingRequest implements TimerTask {
    private final int opaque;
    private final String what;
    private final BrokerUrl url;
    private final long timeoutMs;
    private final CompletableFuture<ResponseCommand> future;
    private final Semaphore slots;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile boolean written;
    private volatile Timeout timeout;
    private volatile Map<Integer, PendingRequest> table;

    /** A request named {@code what} (for messages) to {@code url} that times out after {@code timeoutMs}. */
    PendingRequest(
            int opaque,
            String what,
            BrokerUrl url,
            long timeoutMs,
            CompletableFuture<ResponseCommand> future,
            Semaphore slots) {
        this.opaque = opaque;
        this.what = what;
        this.url = url;
        this.timeoutMs = timeoutMs;
        this.future = future;
        this.slots = slots;
    }

    int opaque() {
        return opaque;
    }

    void timeout(Timeout t) {
        this.timeout = t;
    }

    /** Records the table it was entered in, so that finishing removes it. */
    void enteredIn(Map<Integer, PendingRequest> t) {
        this.table = t;
    }

    /** The request is about to be written to its channel: from here on the broker may act on it. */
    void writing() {
        written = true;
    }

    /** The timeout fired: before the request was written, the broker cannot have seen it. */
    @Override
    public void run(Timeout t) {
        boolean sent = written;
        fail(new RequestTimeoutException(
                what + " request to " + url + " timed out after " + timeoutMs + " ms"
                        + (sent ? "" : " before it was sent"),
                sent));
    }

    boolean isFinished() {
        return finished.get();
    }

    /** Completes with the reply; when already finished, the reply is released (dropped). */
    void succeed(ResponseCommand reply) {
        if (!finish() || !future.complete(reply)) {
            reply.release();
        }
    }

    /** Fails with {@code error} unless already finished. */
    void fail(Throwable error) {
        if (finish()) {
            future.completeExceptionally(error);
        }
    }

    private boolean finish() {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        Timeout t = timeout;
        if (t != null) {
            t.cancel();
        }
        Map<Integer, PendingRequest> m = table;
        if (m != null) {
            m.remove(opaque, this);
        }
        slots.release();
        return true;
    }
}
