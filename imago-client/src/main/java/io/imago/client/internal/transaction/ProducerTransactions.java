package io.imago.client.internal.transaction;

import io.imago.client.internal.cluster.TopicBrokers;
import io.imago.client.internal.remoting.RemotingException;
import io.imago.client.internal.remoting.RequestTimeoutException;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import io.imago.exception.TransactionInProgressException;
import io.imago.protocol.command.TransactionId;
import io.imago.protocol.command.TransactionType;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactions of one producer, as MetaQ's producer keeps them: a local transaction is bound to
 * the thread that began it; its key {@code TX:<sessionId>:<counter>} and its {@code BEGIN} come with
 * its first send, and that send's broker takes every later send of the transaction (the partition is
 * chosen among that broker's); {@code commit} sends {@code COMMIT_ONE_PHASE}, {@code rollback}
 * {@code ROLLBACK}, both unbinding the thread whatever the outcome. An XA producer also has
 * {@link XaBranches}, whose branch the thread's {@code XAResource} is associated with. Thread-safe.
 */
public final class ProducerTransactions {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerTransactions.class);
    /** MetaQ's default for {@code transaction} requests. */
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

    private final TransactionRequests requests;
    private final AtomicInteger localCounter = new AtomicInteger();

    @SuppressWarnings("ThreadLocalUsage") // a binding per producer and thread, as MetaQ's: not per class
    private final ThreadLocal<LocalTx> local = new ThreadLocal<>();

    private volatile XaBranches xa;
    private volatile int timeoutSeconds;
    private volatile long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;

    public ProducerTransactions(TransactionRequests requests) {
        this.requests = requests;
    }

    /** Adds the XA side (an XA producer's). */
    public void enableXa(XaBranches branches) {
        this.xa = branches;
    }

    public TransactionRequests requests() {
        return requests;
    }

    /** Whether the calling thread has a local transaction. */
    public boolean inLocalTransaction() {
        return local.get() != null;
    }

    /** The calling thread's transaction for a send: its local one, else its XA branch, else null. */
    public TxSend current() {
        LocalTx tx = local.get();
        if (tx != null) {
            return tx;
        }
        XaBranches x = xa;
        return x == null ? null : x.currentForSend();
    }

    /**
     * Binds a new local transaction to the calling thread (nothing is sent yet).
     *
     * @throws TransactionInProgressException when the thread has a transaction already
     */
    public void begin() throws MetaClientException {
        if (local.get() != null) {
            throw new TransactionInProgressException("A transaction has begun");
        }
        XaBranches x = xa;
        if (x != null && x.currentForSend() != null) {
            throw new TransactionInProgressException(
                    "Cannot start local transaction.  XA transaction is already in progress.");
        }
        local.set(new LocalTx());
    }

    /** Commits the calling thread's local transaction and unbinds it. */
    public void commit() throws MetaClientException {
        finish(TransactionType.COMMIT_ONE_PHASE, "Commit");
    }

    /** Rolls back the calling thread's local transaction and unbinds it. */
    public void rollback() throws MetaClientException {
        finish(TransactionType.ROLLBACK, "Rollback");
    }

    private void finish(TransactionType type, String what) throws MetaClientException {
        LocalTx tx = local.get();
        if (tx == null) {
            throw new MetaClientException("There is no transaction begun");
        }
        local.remove();
        if (tx.key == null) {
            // as MetaQ: a transaction that sent nothing was never started on a broker
            throw new MetaClientException("No transaction is started");
        }
        TransactionRequests.Reply reply;
        try {
            reply = requests.request(tx.url, requests.command(tx.key, type, 0, ""), requestTimeoutMs);
        } catch (RequestTimeoutException e) {
            throw new MetaClientException(
                    what + " transaction timeout,the transaction state is unknown,you must check it by yourself.", e);
        } catch (RemotingException e) {
            throw new MetaClientException(what + " of " + tx.key + " at " + tx.url + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetaClientException(what + " of " + tx.key + " interrupted; its outcome is unknown", e);
        }
        if (!reply.isSuccess()) {
            throw new MetaClientException(reply.text());
        }
        LOG.debug("{} of {} at {} done", what, tx.key, tx.url);
    }

    public void setTimeoutSeconds(int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("Illegal transaction timeout value");
        }
        timeoutSeconds = seconds;
    }

    public int timeoutSeconds() {
        return timeoutSeconds;
    }

    public void setRequestTimeout(long time, TimeUnit unit) {
        if (unit == null) {
            throw new IllegalArgumentException("Invalid time unit");
        }
        if (time <= 0) {
            throw new IllegalArgumentException("Illegal transaction request timeout " + time + " " + unit);
        }
        requestTimeoutMs = unit.toMillis(time);
    }

    public long requestTimeoutMs() {
        return requestTimeoutMs;
    }

    /** A local transaction; used only by the thread it is bound to. */
    private final class LocalTx implements TxSend {
        private TransactionId.Local key;
        private String url;

        @Override
        public List<Partition> partitions(TopicBrokers brokers) throws MetaClientException {
            if (url == null) {
                return brokers.partitions();
            }
            List<Partition> on = brokers.partitions().stream()
                    .filter(p -> url.equals(brokers.url(p).orElse(null)))
                    .toList();
            if (on.isEmpty()) {
                throw new MetaClientException("There is no partitions in `" + url + "` to send message with topic `"
                        + brokers.topic() + "` in a transaction");
            }
            return on;
        }

        @Override
        public TransactionId beforePut(String target) throws MetaClientException, InterruptedException {
            if (url != null) {
                if (!url.equals(target)) {
                    throw new IllegalStateException("a put of " + key + " to " + target + ", not to " + url);
                }
                return key;
            }
            key = new TransactionId.Local(requests.sessionId(), localCounter.incrementAndGet());
            url = Objects.requireNonNull(target, "url");
            TransactionRequests.Reply reply;
            try {
                reply = requests.request(
                        url, requests.command(key, TransactionType.BEGIN, timeoutSeconds, ""), requestTimeoutMs);
            } catch (RemotingException e) {
                throw new MetaClientException("Begin of " + key + " at " + url + " failed: " + e.getMessage(), e);
            }
            if (!reply.isSuccess()) {
                throw new MetaClientException(reply.text());
            }
            return key;
        }
    }
}
