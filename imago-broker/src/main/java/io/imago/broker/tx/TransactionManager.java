package io.imago.broker.tx;

import io.imago.broker.MessageIdGenerator;
import io.imago.broker.stats.BrokerStats;
import io.imago.protocol.command.TransactionId;
import io.imago.store.PartitionLog;
import io.imago.store.Record;
import io.imago.store.txlog.JournalTx;
import io.imago.store.txlog.PartitionStart;
import io.imago.store.txlog.TxJournal;
import io.imago.store.txlog.TxMessage;
import io.imago.store.txlog.TxState;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker side of MetaQ's local and XA transactions (spec section 1.4, {@code transaction} and a
 * {@code put} carrying a txKey) over the transaction journal ({@link TxJournal}).
 *
 * <p>State machine of one transaction: {@code ACTIVE} (begun; puts are journalled and get their message
 * id at once) → {@code PREPARED} (XA only; the prepare record is fsynced before the vote) → committed
 * (the commit record names where each partition's batch lands, then one batch per partition is appended
 * with the original ids, then the journal is told it is complete) or rolled back (discarded). A commit
 * whose appends fail after its commit record stays {@code COMMITTING}: a later COMMIT, or the next start,
 * appends exactly the messages still missing. An operator may commit or roll back a prepared XA
 * transaction heuristically; it then answers XA_HEURCOM / XA_HEURRB until it is forgotten.
 *
 * <p>XA transactions are broker-wide, keyed by XID; a local transaction belongs to the connection that
 * began it ({@code owner}) and is rolled back when that connection closes (MetaQ 1.4.6.2 keeps it until
 * its timeout). A client timeout is capped at {@code maxTxTimeoutInSeconds}; at most
 * {@code maxTxTimeoutTimerCapacity} timeouts are pending at once, and a BEGIN that would need one more
 * is refused. An expired transaction is rolled back unless it is prepared or being committed.
 *
 * <p>Thread-safe: each transaction's transitions are made under its own lock; journal and log
 * completions continue on their threads and only hand replies over.
 */
public final class TransactionManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionManager.class);
    private static final long TIMER_TICK_MS = 100;
    private static final long RECOVERY_STEP_TIMEOUT_S = 120;

    /** A transaction's runtime state (the journal's {@link TxState} plus the transient ones). */
    enum State {
        ACTIVE,
        PREPARING,
        PREPARED,
        /** A commit is under way (its record may or may not be written yet). */
        COMMITTING,
        /** The commit record is written but some appends failed: a later COMMIT or the next start completes it. */
        COMMIT_INCOMPLETE,
        ROLLING_BACK,
        HEURISTIC_COMMITTED,
        HEURISTIC_ROLLED_BACK,
        HEURISTIC_MIXED
    }

    /** One transaction; guarded by its own monitor. */
    static final class Tx {
        final String key;
        final boolean xa;
        final String uniqueQualifier;
        final Object owner;
        final long seq;
        final long startedMs;
        State state = State.ACTIVE;
        int messages;
        /** Whether the journal knows the transaction (it has a message, or it came back at start). */
        boolean journalled;
        /** Whether the commit record is durable (its appends may then only be completed, never undone). */
        boolean commitRecorded;

        List<PartitionStart> starts = List.of();
        /** The state a commit under way came from, restored when it fails before its commit record. */
        State beforeCommit = State.ACTIVE;

        Timeout timeout;

        Tx(String key, TransactionId id, Object owner, long seq, long startedMs) {
            this.key = key;
            this.xa = id instanceof TransactionId.Xa;
            this.uniqueQualifier = id instanceof TransactionId.Xa x ? x.uniqueQualifier() : "";
            this.owner = owner;
            this.seq = seq;
            this.startedMs = startedMs;
        }

        boolean isHeuristic() {
            return state == State.HEURISTIC_COMMITTED
                    || state == State.HEURISTIC_ROLLED_BACK
                    || state == State.HEURISTIC_MIXED;
        }

        void cancelTimeout() {
            if (timeout != null) {
                timeout.cancel();
                timeout = null;
            }
        }
    }

    private final TxJournal journal;
    private final TxPartitions partitions;
    private final MessageIdGenerator ids;
    private final BrokerStats stats;
    private final Clock clock;
    private final int maxTimeoutSeconds;
    private final int timerCapacity;
    private final Timer timer;
    private final Map<String, Tx> txs = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();

    /**
     * A manager over an open journal. {@link #recover()} must run before the first request.
     *
     * @param maxTimeoutSeconds the cap on a client's timeout (the broker's maxTxTimeoutInSeconds)
     * @param timerCapacity the most timeouts pending at once (maxTxTimeoutTimerCapacity)
     */
    public TransactionManager(
            TxJournal journal,
            TxPartitions partitions,
            MessageIdGenerator ids,
            BrokerStats stats,
            Clock clock,
            int maxTimeoutSeconds,
            int timerCapacity) {
        this.journal = journal;
        this.partitions = partitions;
        this.ids = ids;
        this.stats = stats;
        this.clock = clock;
        this.maxTimeoutSeconds = maxTimeoutSeconds;
        this.timerCapacity = timerCapacity;
        this.timer = new HashedWheelTimer(
                r -> {
                    Thread t = new Thread(r, "imago-tx-timeout");
                    t.setDaemon(true);
                    return t;
                },
                TIMER_TICK_MS,
                TimeUnit.MILLISECONDS,
                512,
                true,
                timerCapacity);
    }

    // ---- start --------------------------------------------------------------------------------

    /**
     * Takes over what the journal recovered, before the broker accepts connections: an unfinished
     * (ACTIVE) transaction is rolled back; a COMMITTING one is completed (only its messages not yet in
     * their partitions are appended); PREPARED and heuristically completed XA transactions stay, for
     * RECOVER and the operator.
     *
     * @throws IOException when the journal cannot record a rollback (the broker must not start)
     */
    public void recover() throws IOException, InterruptedException {
        List<JournalTx> live = new ArrayList<>(journal.live().values());
        live.sort(Comparator.comparingLong(JournalTx::firstRecordMs));
        int rolledBack = 0;
        int completed = 0;
        int kept = 0;
        for (JournalTx jt : live) {
            TransactionId id;
            try {
                id = TransactionId.parse(jt.key());
            } catch (IllegalArgumentException e) {
                throw new IOException("transaction journal holds an unreadable key '" + jt.key() + "'", e);
            }
            Tx tx = new Tx(jt.key(), id, null, seq.incrementAndGet(), jt.firstRecordMs());
            tx.journalled = true;
            tx.messages = jt.messages().size();
            switch (jt.state()) {
                case ACTIVE -> {
                    await(journal.rollback(jt.key()), "roll back unfinished transaction " + jt.key());
                    rolledBack++;
                }
                case COMMITTING -> {
                    tx.state = State.COMMITTING;
                    tx.commitRecorded = true;
                    tx.starts = jt.starts();
                    txs.put(tx.key, tx);
                    try {
                        completeAppends(tx, jt.messages(), true).get(RECOVERY_STEP_TIMEOUT_S, TimeUnit.SECONDS);
                        journal.completed(tx.key);
                        txs.remove(tx.key);
                        completed++;
                    } catch (ExecutionException | TimeoutException e) {
                        synchronized (tx) {
                            tx.state = State.COMMIT_INCOMPLETE;
                        }
                        LOG.error(
                                "Committed transaction {} could not be completed at start ({}); a COMMIT of it or the"
                                        + " next start completes it",
                                tx.key,
                                cause(e).toString());
                    }
                }
                case PREPARED -> {
                    tx.state = State.PREPARED;
                    txs.put(tx.key, tx);
                    kept++;
                }
                case HEURISTIC_COMMITTED, HEURISTIC_ROLLED_BACK, HEURISTIC_MIXED -> {
                    tx.state = State.valueOf(jt.state().name());
                    txs.put(tx.key, tx);
                    kept++;
                }
            }
        }
        if (!live.isEmpty()) {
            LOG.info(
                    "Transactions at start: {} unfinished rolled back, {} committed completed, {} prepared or"
                            + " heuristic kept",
                    rolledBack,
                    completed,
                    kept);
        }
    }

    private static void await(CompletableFuture<Void> f, String what) throws IOException, InterruptedException {
        try {
            f.get(RECOVERY_STEP_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("could not " + what, cause(e));
        }
    }

    // ---- requests -----------------------------------------------------------------------------

    /** BEGIN: creates the transaction, or does nothing when it exists (idempotent). */
    public void begin(TransactionId id, Object owner, int timeoutSeconds) throws TxError {
        String key = id.key();
        requireTxKey(id);
        boolean xa = id instanceof TransactionId.Xa;
        if (xa) {
            stats.txXaBegin();
        } else {
            stats.txBegin();
        }
        Tx fresh = new Tx(key, id, xa ? null : owner, seq.incrementAndGet(), clock.millis());
        Tx existing = txs.putIfAbsent(key, fresh);
        if (existing != null) {
            synchronized (existing) {
                if (xa) {
                    heuristicCheck(existing);
                } else if (existing.owner != owner) {
                    throw TxError.plain("Local transaction '" + key + "' belongs to another connection.");
                }
            }
            return;
        }
        if (timeoutSeconds > 0) {
            int seconds = Math.min(timeoutSeconds, maxTimeoutSeconds);
            synchronized (fresh) {
                try {
                    fresh.timeout = timer.newTimeout(t -> expire(fresh), seconds, TimeUnit.SECONDS);
                } catch (RejectedExecutionException e) {
                    txs.remove(key, fresh);
                    throw TxError.plain("Transaction '" + key + "' refused: " + timerCapacity
                            + " transaction timeouts are pending (maxTxTimeoutTimerCapacity).");
                }
            }
        }
    }

    /**
     * Whether a {@code put} may join the transaction it names: the original's "has not been started"
     * (as bare text, also for XA) or heuristic error when not.
     */
    public void checkPut(TransactionId id, Object owner) throws TxError {
        lookup(id, owner, false);
    }

    /**
     * A {@code put} inside a transaction: journals the message and returns its id, given now.
     *
     * @param payload the put's body; copied
     */
    public long put(
            TransactionId id, Object owner, String topic, int partition, int flag, ByteBuffer payload, int checksum)
            throws TxError {
        Tx tx = lookup(id, owner, false);
        ByteBuffer copy = ByteBuffer.allocate(payload.remaining());
        copy.put(payload.duplicate()).flip();
        synchronized (tx) {
            if (tx.state != State.ACTIVE) {
                throw TxError.plain("Transaction '" + tx.key + "' is " + tx.state + ": it takes no more messages.");
            }
            long messageId = ids.nextId();
            try {
                journal.put(
                        tx.key, new TxMessage(topic, partition, messageId, flag, copy.asReadOnlyBuffer(), checksum));
            } catch (RuntimeException e) {
                throw TxError.plain("Transaction journal failed: " + e.getMessage());
            }
            tx.messages++;
            tx.journalled = true;
            return messageId;
        }
    }

    /** PREPARE: the vote, {@code "0"} (XA_OK, once the prepare record is fsynced) or {@code "3"} (XA_RDONLY). */
    public CompletableFuture<String> prepare(TransactionId id, Object owner) {
        try {
            Tx tx = lookup(id, owner, true);
            if (!tx.xa) {
                throw TxError.xa(TxError.XAER_RMERR, "Prepare not implemented on Local Transactions.");
            }
            synchronized (tx) {
                if (tx.state != State.ACTIVE) {
                    throw TxError.xa(TxError.XAER_PROTO, "Cannot call prepare now.");
                }
                tx.cancelTimeout();
                if (tx.messages == 0) {
                    txs.remove(tx.key, tx);
                    return CompletableFuture.completedFuture("3");
                }
                tx.state = State.PREPARING;
            }
            return journalCall(() -> journal.prepare(tx.key)).handle((v, e) -> {
                synchronized (tx) {
                    if (e != null) {
                        tx.state = State.ACTIVE;
                        throw new CompletionException(TxError.xa(
                                TxError.XAER_RMFAIL,
                                "Prepare of '" + tx.key + "' failed: " + cause(e).getMessage(),
                                cause(e)));
                    }
                    tx.state = State.PREPARED;
                    return "0";
                }
            });
        } catch (TxError e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** COMMIT_ONE_PHASE ({@code onePhase}) or COMMIT_TWO_PHASE; completes once every message is appended. */
    public CompletableFuture<String> commit(TransactionId id, Object owner, boolean onePhase) {
        stats.txCommit();
        try {
            Tx tx = lookup(id, owner, true);
            synchronized (tx) {
                switch (tx.state) {
                    case ACTIVE -> {
                        if (tx.xa && !onePhase) {
                            throw TxError.xa(
                                    TxError.XAER_PROTO,
                                    "Cannot do 2 phase commit if the transaction has not been prepared.");
                        }
                        if (tx.messages == 0) {
                            tx.cancelTimeout();
                            txs.remove(tx.key, tx);
                            return CompletableFuture.completedFuture(null);
                        }
                    }
                    case PREPARED, COMMIT_INCOMPLETE -> {
                        // a prepared transaction commits in one phase too (as in MetaQ); an incomplete one is finished
                    }
                    default ->
                        throw tx.xa
                                ? TxError.xa(TxError.XAER_PROTO, "Cannot call commit now.")
                                : TxError.xa(TxError.XAER_PROTO, "Prepare cannot be called now.");
                }
                tx.cancelTimeout();
                tx.beforeCommit = tx.state;
                tx.state = State.COMMITTING;
            }
            return commitNow(tx, false);
        } catch (TxError e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** ROLLBACK: discards the transaction (not one whose commit is under way or recorded). */
    public CompletableFuture<String> rollback(TransactionId id, Object owner) {
        stats.txRollback();
        try {
            Tx tx = lookup(id, owner, true);
            return rollbackNow(tx, false);
        } catch (TxError e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** FORGET: drops a heuristically completed XA transaction; a no-op for any other XID (as MetaQ). */
    public CompletableFuture<String> forget(TransactionId id) {
        if (!(id instanceof TransactionId.Xa)) {
            return CompletableFuture.failedFuture(TxError.xa(TxError.XAER_NOTA, id.key() + " is not a valid xid"));
        }
        Tx tx = txs.get(id.key());
        if (tx == null) {
            return CompletableFuture.completedFuture(null);
        }
        synchronized (tx) {
            if (!tx.isHeuristic()) {
                return CompletableFuture.completedFuture(null);
            }
        }
        return forgetNow(tx);
    }

    /**
     * RECOVER: the keys of the prepared and heuristically completed XA transactions whose unique
     * qualifier is {@code uniqueQualifier}, or of all of them when it is blank; oldest first.
     */
    public List<TransactionId> recoverList(String uniqueQualifier) {
        boolean all = uniqueQualifier == null || uniqueQualifier.isBlank();
        List<Tx> found = new ArrayList<>();
        for (Tx tx : txs.values()) {
            synchronized (tx) {
                if (tx.xa
                        && (tx.state == State.PREPARED || tx.isHeuristic())
                        && (all || tx.uniqueQualifier.equals(uniqueQualifier))) {
                    found.add(tx);
                }
            }
        }
        found.sort(Comparator.comparingLong(t -> t.seq));
        List<TransactionId> keys = new ArrayList<>(found.size());
        for (Tx tx : found) {
            keys.add(TransactionId.parse(tx.key));
        }
        return keys;
    }

    /** A connection closed: its ACTIVE local transactions are rolled back (an Imago difference from MetaQ). */
    @SuppressWarnings("FutureReturnValueIgnored") // whenComplete logs the outcome; nobody waits for it
    public void connectionClosed(Object owner) {
        for (Tx tx : txs.values()) {
            if (tx.owner != null && tx.owner == owner) {
                boolean active;
                synchronized (tx) {
                    active = tx.state == State.ACTIVE;
                }
                if (active) {
                    LOG.debug("Rolling back local transaction {}: its connection closed", tx.key);
                    rollbackNow(tx, true).whenComplete((v, e) -> {
                        if (e != null) {
                            LOG.warn(
                                    "Rolling back {} after its connection closed failed: {}",
                                    tx.key,
                                    cause(e).toString());
                        }
                    });
                }
            }
        }
    }

    // ---- operator -----------------------------------------------------------------------------

    /** Every transaction the broker holds, oldest first. */
    public List<TxView> list() {
        long now = clock.millis();
        List<Tx> all = new ArrayList<>(txs.values());
        all.sort(Comparator.comparingLong(t -> t.seq));
        List<TxView> views = new ArrayList<>(all.size());
        for (Tx tx : all) {
            synchronized (tx) {
                String state = switch (tx.state) {
                    case PREPARING -> State.ACTIVE.name();
                    case COMMIT_INCOMPLETE -> State.COMMITTING.name();
                    case ROLLING_BACK -> State.ACTIVE.name();
                    default -> tx.state.name();
                };
                views.add(new TxView(tx.key, state, Math.max(0, now - tx.startedMs), tx.messages));
            }
        }
        return views;
    }

    /** How many XA transactions are prepared (awaiting their transaction manager). */
    public int preparedCount() {
        int n = 0;
        for (Tx tx : txs.values()) {
            synchronized (tx) {
                if (tx.state == State.PREPARED) {
                    n++;
                }
            }
        }
        return n;
    }

    /** How many transactions the broker holds in each state (as {@link #list()} names them). */
    public Map<String, Integer> countsByState() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (TxView v : list()) {
            counts.merge(v.state(), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * Heuristic commit of a prepared XA transaction: its messages are appended, and it answers XA_HEURCOM
     * until forgotten.
     */
    public CompletableFuture<String> heuristicCommit(String key) {
        try {
            Tx tx = preparedForOperator(key);
            synchronized (tx) {
                tx.beforeCommit = tx.state;
                tx.state = State.COMMITTING;
            }
            return commitNow(tx, true);
        } catch (TxError e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Heuristic rollback of a prepared XA transaction: discarded; it answers XA_HEURRB until forgotten. */
    public CompletableFuture<String> heuristicRollback(String key) {
        try {
            Tx tx = preparedForOperator(key);
            synchronized (tx) {
                tx.state = State.ROLLING_BACK;
            }
            return journalCall(() -> journal.heuristic(key, TxState.HEURISTIC_ROLLED_BACK))
                    .handle((v, e) -> {
                        synchronized (tx) {
                            if (e != null) {
                                tx.state = State.PREPARED;
                                throw new CompletionException(TxError.plain(
                                        "Heuristic rollback of '" + key + "' failed: " + cause(e).getMessage()));
                            }
                            tx.state = State.HEURISTIC_ROLLED_BACK;
                            LOG.warn("Transaction {} rolled back heuristically by the operator", key);
                            return null;
                        }
                    });
        } catch (TxError e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Forgets a heuristically completed transaction (the operator's FORGET). */
    public CompletableFuture<String> operatorForget(String key) {
        Tx tx = txs.get(key);
        if (tx == null) {
            return CompletableFuture.failedFuture(TxError.plain("No transaction '" + key + "'."));
        }
        synchronized (tx) {
            if (!tx.isHeuristic()) {
                return CompletableFuture.failedFuture(
                        TxError.plain("Transaction '" + key + "' is " + tx.state + ", not heuristically completed."));
            }
        }
        return forgetNow(tx);
    }

    private Tx preparedForOperator(String key) throws TxError {
        Tx tx = txs.get(key);
        if (tx == null) {
            throw TxError.plain("No transaction '" + key + "'.");
        }
        synchronized (tx) {
            if (tx.state != State.PREPARED) {
                throw TxError.plain("Transaction '" + key + "' is " + tx.state + ", not PREPARED.");
            }
        }
        return tx;
    }

    // ---- internals ----------------------------------------------------------------------------

    private static void requireTxKey(TransactionId id) throws TxError {
        if (id instanceof TransactionId.Null) {
            throw TxError.plain("Transaction id 'null' is not a transaction.");
        }
    }

    /** The transaction a request names, or the original's "not started" / heuristic error. */
    private Tx lookup(TransactionId id, Object owner, boolean xaCodes) throws TxError {
        requireTxKey(id);
        String key = id.key();
        Tx tx = txs.get(key);
        if (id instanceof TransactionId.Xa) {
            if (tx == null) {
                throw xaOrPlain(xaCodes, TxError.XAER_NOTA, "XA transaction '" + key + "' has not been started.");
            }
            synchronized (tx) {
                try {
                    heuristicCheck(tx);
                } catch (TxError e) {
                    throw xaCodes ? e : TxError.plain(e.getMessage());
                }
            }
            return tx;
        }
        if (tx == null || tx.owner != owner) {
            throw TxError.plain("Local transaction '" + key + "' has not been started.");
        }
        return tx;
    }

    private static TxError xaOrPlain(boolean xa, int code, String message) {
        return xa ? TxError.xa(code, message) : TxError.plain(message);
    }

    /** Throws the heuristic outcome of a heuristically completed transaction (caller holds its lock). */
    private static void heuristicCheck(Tx tx) throws TxError {
        switch (tx.state) {
            case HEURISTIC_COMMITTED ->
                throw TxError.xa(
                        TxError.XA_HEURCOM, "XA transaction '" + tx.key + "' has been heuristically committed.");
            case HEURISTIC_ROLLED_BACK ->
                throw TxError.xa(
                        TxError.XA_HEURRB, "XA transaction '" + tx.key + "' has been heuristically rolled back.");
            case HEURISTIC_MIXED ->
                throw TxError.xa(
                        TxError.XA_HEURHAZ, "XA transaction '" + tx.key + "' has been heuristically completed.");
            default -> {
                // not heuristic
            }
        }
    }

    private interface JournalCall {
        CompletableFuture<Void> run();
    }

    /** A journal call whose synchronous failure (an offline journal) becomes a failed future. */
    private static CompletableFuture<Void> journalCall(JournalCall call) {
        try {
            return call.run();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<String> rollbackNow(Tx tx, boolean onlyIfActive) {
        State before;
        synchronized (tx) {
            before = tx.state;
            if (onlyIfActive ? before != State.ACTIVE : before != State.ACTIVE && before != State.PREPARED) {
                return CompletableFuture.failedFuture(TxError.xa(TxError.XAER_PROTO, "Cannot call rollback now."));
            }
            tx.cancelTimeout();
            tx.state = State.ROLLING_BACK;
            if (!tx.journalled) {
                txs.remove(tx.key, tx);
                return CompletableFuture.completedFuture(null);
            }
        }
        return journalCall(() -> journal.rollback(tx.key)).handle((v, e) -> {
            synchronized (tx) {
                if (e != null) {
                    tx.state = before;
                    throw new CompletionException(rmfail(tx, "Rollback", e));
                }
                txs.remove(tx.key, tx);
                return null;
            }
        });
    }

    private CompletableFuture<String> forgetNow(Tx tx) {
        return journalCall(() -> journal.forget(tx.key)).handle((v, e) -> {
            if (e != null) {
                throw new CompletionException(rmfail(tx, "Forget", e));
            }
            txs.remove(tx.key, tx);
            return null;
        });
    }

    private static TxError rmfail(Tx tx, String what, Throwable e) {
        String text = what + " of transaction '" + tx.key + "' failed: " + cause(e).getMessage();
        return tx.xa ? TxError.xa(TxError.XAER_RMFAIL, text, cause(e)) : TxError.plain(text);
    }

    /** An expired transaction: rolled back unless it is prepared, being committed or already gone. */
    @SuppressWarnings("FutureReturnValueIgnored") // whenComplete logs the outcome; nobody waits for it
    private void expire(Tx tx) {
        synchronized (tx) {
            if (tx.state != State.ACTIVE || txs.get(tx.key) != tx) {
                return;
            }
            tx.timeout = null;
        }
        LOG.warn("Transaction {} timed out; it is rolled back", tx.key);
        rollbackNow(tx, true).whenComplete((v, e) -> {
            if (e != null) {
                LOG.warn("Rolling back timed-out transaction {} failed: {}", tx.key, cause(e).toString());
            }
        });
    }

    /**
     * Commits a transaction in state COMMITTING: records the decision (unless it already is), appends
     * what is missing, then tells the journal it is complete ({@code heuristic}: that it was committed
     * heuristically, and keeps it).
     */
    private CompletableFuture<String> commitNow(Tx tx, boolean heuristic) {
        List<TxMessage> messages = journal.get(tx.key).map(JournalTx::messages).orElse(List.of());
        boolean recorded;
        synchronized (tx) {
            recorded = tx.commitRecorded;
        }
        CompletableFuture<Void> appended;
        if (recorded) {
            appended = completeAppends(tx, messages, true);
        } else {
            Map<Placement, List<TxMessage>> groups = group(messages);
            Map<Placement, CompletableFuture<PartitionLog>> opens = open(groups.keySet());
            appended = CompletableFuture.allOf(opens.values().toArray(CompletableFuture[]::new))
                    .thenCompose(v -> {
                        List<PartitionStart> starts = new ArrayList<>();
                        opens.forEach((p, log) -> starts.add(new PartitionStart(
                                p.topic, p.partition, log.join().maxOffset())));
                        return journalCall(() -> journal.commit(tx.key, starts)).thenApply(x -> {
                            synchronized (tx) {
                                tx.commitRecorded = true;
                                tx.starts = List.copyOf(starts);
                            }
                            return (Void) null;
                        });
                    })
                    .thenCompose(v -> appendAll(groups, opens));
        }
        return appended.handle((v, e) -> {
                    if (e != null) {
                        boolean decided;
                        synchronized (tx) {
                            decided = tx.commitRecorded;
                            tx.state = decided ? State.COMMIT_INCOMPLETE : tx.beforeCommit;
                        }
                        LOG.warn(
                                "Commit of transaction {} failed{}: {}",
                                tx.key,
                                decided
                                        ? " after its commit record (a later COMMIT or the next start completes it)"
                                        : "",
                                cause(e).toString());
                        if (heuristic) {
                            throw new CompletionException(TxError.plain(
                                    "Heuristic commit of '" + tx.key + "' failed: " + cause(e).getMessage()));
                        }
                        throw new CompletionException(rmfail(tx, "Commit", e));
                    }
                    return null;
                })
                .thenCompose(v -> {
                    if (heuristic) {
                        return journalCall(() -> journal.heuristic(tx.key, TxState.HEURISTIC_COMMITTED))
                                .handle((x, e) -> {
                                    synchronized (tx) {
                                        tx.state = State.HEURISTIC_COMMITTED;
                                    }
                                    if (e != null) {
                                        throw new CompletionException(TxError.plain("Transaction '" + tx.key
                                                + "' was committed, but recording the heuristic outcome failed: "
                                                + cause(e).getMessage()));
                                    }
                                    LOG.warn("Transaction {} committed heuristically by the operator", tx.key);
                                    return (String) null;
                                });
                    }
                    try {
                        journal.completed(tx.key);
                    } catch (RuntimeException e) {
                        // the commit is durable and applied; the journal only lost the note that it is complete
                        LOG.warn("Recording transaction {} as complete failed: {}", tx.key, e.toString());
                    }
                    txs.remove(tx.key, tx);
                    return CompletableFuture.completedFuture((String) null);
                });
    }

    /**
     * Appends the messages of a COMMITTING transaction its partitions do not hold yet ({@code scan}:
     * looks for them at or after each partition's recorded start; otherwise appends all).
     */
    private CompletableFuture<Void> completeAppends(Tx tx, List<TxMessage> messages, boolean scan) {
        Map<Placement, List<TxMessage>> groups = group(messages);
        Map<Placement, CompletableFuture<PartitionLog>> opens = open(groups.keySet());
        Map<Placement, Long> starts = new HashMap<>();
        synchronized (tx) {
            for (PartitionStart s : tx.starts) {
                starts.put(new Placement(s.topic(), s.partition()), s.startOffset());
            }
        }
        return CompletableFuture.allOf(opens.values().toArray(CompletableFuture[]::new))
                .thenCompose(v -> {
                    Map<Placement, List<TxMessage>> missing = new LinkedHashMap<>();
                    for (Map.Entry<Placement, List<TxMessage>> g : groups.entrySet()) {
                        List<TxMessage> todo = g.getValue();
                        if (scan) {
                            PartitionLog log = opens.get(g.getKey()).join();
                            Set<Long> wanted = new HashSet<>();
                            todo.forEach(m -> wanted.add(m.messageId()));
                            Set<Long> present = log.findMessageIds(starts.getOrDefault(g.getKey(), 0L), wanted);
                            if (!present.isEmpty()) {
                                LOG.info(
                                        "Transaction {}: {} of its {} messages are already in {}-{}; appending the rest",
                                        tx.key,
                                        present.size(),
                                        todo.size(),
                                        g.getKey().topic,
                                        g.getKey().partition);
                            }
                            todo = todo.stream()
                                    .filter(m -> !present.contains(m.messageId()))
                                    .toList();
                        }
                        if (!todo.isEmpty()) {
                            missing.put(g.getKey(), todo);
                        }
                    }
                    return appendAll(missing, opens);
                });
    }

    private CompletableFuture<Void> appendAll(
            Map<Placement, List<TxMessage>> groups, Map<Placement, CompletableFuture<PartitionLog>> opens) {
        List<CompletableFuture<long[]>> appends = new ArrayList<>();
        for (Map.Entry<Placement, List<TxMessage>> g : groups.entrySet()) {
            PartitionLog log = opens.get(g.getKey()).join();
            List<Record> records = new ArrayList<>(g.getValue().size());
            for (TxMessage m : g.getValue()) {
                records.add(new Record(m.messageId(), m.flag(), m.payload().duplicate(), m.checksum()));
            }
            try {
                appends.add(log.appendBatch(records));
            } catch (RuntimeException e) {
                appends.add(CompletableFuture.failedFuture(e));
            }
        }
        return CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new));
    }

    private record Placement(String topic, int partition) {}

    /** The messages by partition, in put order, partitions in the order first put to. */
    private static Map<Placement, List<TxMessage>> group(List<TxMessage> messages) {
        Map<Placement, List<TxMessage>> groups = new LinkedHashMap<>();
        for (TxMessage m : messages) {
            groups.computeIfAbsent(new Placement(m.topic(), m.partition()), p -> new ArrayList<>())
                    .add(m);
        }
        return groups;
    }

    private Map<Placement, CompletableFuture<PartitionLog>> open(Set<Placement> placements) {
        Map<Placement, CompletableFuture<PartitionLog>> opens = new LinkedHashMap<>();
        for (Placement p : placements) {
            CompletableFuture<PartitionLog> f;
            try {
                f = partitions.open(p.topic, p.partition);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            opens.put(p, f);
        }
        return opens;
    }

    private static Throwable cause(Throwable e) {
        Throwable c = e;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** The transaction state of {@code key}, for tests and diagnostics. */
    Optional<State> stateOf(String key) {
        Tx tx = txs.get(key);
        if (tx == null) {
            return Optional.empty();
        }
        synchronized (tx) {
            return Optional.of(tx.state);
        }
    }

    /** Stops the timeout timer; transactions stay in the journal. Idempotent. */
    @Override
    public void close() {
        timer.stop();
    }
}
