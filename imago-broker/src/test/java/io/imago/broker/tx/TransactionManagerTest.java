package io.imago.broker.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.broker.MessageIdGenerator;
import io.imago.broker.stats.BrokerStats;
import io.imago.protocol.command.TransactionId;
import io.imago.store.LogConfig;
import io.imago.store.PartitionLog;
import io.imago.store.fs.FileChannelStorageIo;
import io.imago.store.txlog.TxJournal;
import io.imago.store.txlog.TxJournalConfig;
import io.imago.store.txlog.TxState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transaction state machine over a real journal and a real partition log (one partition, "t-0"):
 * each transition and each refusal with its code, timeouts and their capacity, and start-up recovery.
 */
@Timeout(60)
class TransactionManagerTest {
    private static final Object CONN = new Object();

    @TempDir
    Path dir;

    private TxJournal journal;
    private PartitionLog log;
    private TransactionManager txs;

    @BeforeEach
    void open() throws Exception {
        log = PartitionLog.open(
                dir.resolve("t-0"), LogConfig.defaults(), new FileChannelStorageIo(), Clock.systemUTC());
        start(10);
    }

    private void start(int timerCapacity) throws Exception {
        journal = TxJournal.open(
                dir.resolve("transactions"), TxJournalConfig.defaults(), new FileChannelStorageIo(), Clock.systemUTC());
        txs = new TransactionManager(
                journal,
                (topic, partition) -> CompletableFuture.completedFuture(log),
                new MessageIdGenerator(1, Clock.systemUTC()),
                new BrokerStats(Clock.systemUTC()),
                Clock.systemUTC(),
                1,
                timerCapacity);
        txs.recover();
    }

    private void restart(int timerCapacity) throws Exception {
        txs.close();
        journal.close();
        start(timerCapacity);
    }

    @AfterEach
    void close() {
        txs.close();
        journal.close();
        log.close();
    }

    private static TransactionId id(String key) {
        return TransactionId.parse(key);
    }

    private long put(String key, String body) throws TxError {
        return txs.put(id(key), CONN, "t", 0, 0, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), -1);
    }

    private static TxError failure(CompletableFuture<String> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return (TxError) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a failure");
    }

    private static String ok(CompletableFuture<String> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void xaStateMachine() throws Exception {
        String x = "XID:1:01:01:q";
        txs.begin(id(x), CONN, 0);
        put(x, "a");
        assertThat(txs.stateOf(x)).contains(TransactionManager.State.ACTIVE);
        assertThat(failure(txs.commit(id(x), CONN, false)).code()).isEqualTo(TxError.XAER_PROTO);
        assertThat(ok(txs.prepare(id(x), CONN))).isEqualTo("0");
        assertThat(journal.get(x).orElseThrow().state()).isEqualTo(TxState.PREPARED);
        assertThat(failure(txs.prepare(id(x), CONN)).replyText())
                .isEqualTo("XAException:code=-6,msg=Cannot call prepare now.");
        assertThatThrownBy(() -> put(x, "late"))
                .isInstanceOf(TxError.class)
                .hasMessageContaining("takes no more messages");
        long before = log.maxOffset();
        assertThat(ok(txs.commit(id(x), CONN, false))).isNull();
        assertThat(log.maxOffset()).isGreaterThan(before);
        assertThat(journal.live()).doesNotContainKey(x);
        assertThat(failure(txs.rollback(id(x), CONN)).code()).isEqualTo(TxError.XAER_NOTA);
    }

    @Test
    void readOnlyVoteFinishesTheBranchWithoutTouchingTheJournal() throws Exception {
        String x = "XID:1:01:02:q";
        txs.begin(id(x), CONN, 0);
        assertThat(ok(txs.prepare(id(x), CONN))).isEqualTo("3");
        assertThat(txs.stateOf(x)).isEmpty();
        assertThat(journal.live()).isEmpty();
    }

    @Test
    void localTransactionRules() throws Exception {
        String l = "TX:s:1";
        txs.begin(id(l), CONN, 0);
        assertThatThrownBy(() -> txs.begin(id(l), new Object(), 0))
                .isInstanceOf(TxError.class)
                .hasMessage("Local transaction 'TX:s:1' belongs to another connection.");
        assertThat(failure(txs.prepare(id(l), CONN)).code()).isEqualTo(TxError.XAER_RMERR);
        put(l, "x");
        txs.connectionClosed(new Object()); // another connection: no effect
        assertThat(txs.stateOf(l)).contains(TransactionManager.State.ACTIVE);
        txs.connectionClosed(CONN);
        await().atMost(Duration.ofSeconds(10)).until(() -> txs.stateOf(l).isEmpty());
        assertThat(journal.live()).isEmpty();
    }

    @Test
    void timeoutsAreCappedAndBoundedInNumber() throws Exception {
        restart(1);
        String a = "TX:s:10";
        String b = "TX:s:11";
        txs.begin(id(a), CONN, 3600); // capped at 1 s
        assertThatThrownBy(() -> txs.begin(id(b), CONN, 5))
                .isInstanceOf(TxError.class)
                .hasMessage("Transaction 'TX:s:11' refused: 1 transaction timeouts are pending"
                        + " (maxTxTimeoutTimerCapacity).");
        assertThat(txs.stateOf(b)).as("a refused BEGIN leaves nothing behind").isEmpty();
        txs.begin(id(b), CONN, 0); // no timeout needs no timer
        put(a, "x");
        await().atMost(Duration.ofSeconds(10)).until(() -> txs.stateOf(a).isEmpty());
        assertThat(journal.live()).doesNotContainKey(a);
        assertThat(txs.stateOf(b)).contains(TransactionManager.State.ACTIVE);
    }

    @Test
    void aPreparedBranchOutlivesItsTimeout() throws Exception {
        String x = "XID:1:01:03:q";
        txs.begin(id(x), CONN, 1);
        put(x, "x");
        ok(txs.prepare(id(x), CONN));
        // the timer would have fired after 1 s (its tick is 100 ms); it was cancelled by the prepare
        Thread.sleep(1_500);
        assertThat(txs.stateOf(x)).contains(TransactionManager.State.PREPARED);
    }

    @Test
    void recoveryKeepsPreparedAndHeuristicAndRollsBackActive() throws Exception {
        String prepared = "XID:1:02:01:q";
        String heuristic = "XID:1:02:02:q";
        String active = "XID:1:02:03:q";
        for (String x : new String[] {prepared, heuristic, active}) {
            txs.begin(id(x), CONN, 0);
            put(x, x);
        }
        ok(txs.prepare(id(prepared), CONN));
        ok(txs.prepare(id(heuristic), CONN));
        ok(txs.heuristicRollback(heuristic));
        restart(10);
        assertThat(txs.stateOf(prepared)).contains(TransactionManager.State.PREPARED);
        assertThat(txs.stateOf(heuristic)).contains(TransactionManager.State.HEURISTIC_ROLLED_BACK);
        assertThat(txs.stateOf(active)).isEmpty();
        assertThat(journal.live()).doesNotContainKey(active);
        assertThat(txs.recoverList("q")).extracting(TransactionId::key).containsExactly(prepared, heuristic);
        assertThat(txs.recoverList("other")).isEmpty();
        assertThat(failure(txs.commit(id(heuristic), CONN, false)).code()).isEqualTo(TxError.XA_HEURRB);
        assertThat(txs.preparedCount()).isEqualTo(1);
        assertThat(txs.list()).extracting(TxView::state).containsExactly("PREPARED", "HEURISTIC_ROLLED_BACK");
    }
}
