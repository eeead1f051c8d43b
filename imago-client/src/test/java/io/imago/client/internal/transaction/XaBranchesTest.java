package io.imago.client.internal.transaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.client.internal.remoting.RemotingClient;
import io.imago.client.internal.remoting.RemotingConfig;
import io.imago.client.testing.ScriptedBroker;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One XA branch over two (scripted) brokers: the producer's resource prepares, commits and rolls
 * back both itself, and a commit a broker did not answer is retried until that broker has it.
 */
@Timeout(30)
class XaBranchesTest {
    static final Xid XID = new SimpleXid(1, new byte[] {1, 2}, new byte[] {3});
    static final String KEY = "XID:1:0102:03:uq";

    /** Per broker index, overrides of the replies by transaction type. */
    final Map<Integer, Map<String, Function<String, Optional<String>>>> overrides = new ConcurrentHashMap<>();

    ScriptedBroker a;
    ScriptedBroker b;
    RemotingClient remoting;
    XaBranches branches;

    ScriptedBroker broker(int index) throws Exception {
        overrides.put(index, new ConcurrentHashMap<>());
        return ScriptedBroker.start(0, line -> {
            String[] t = line.split(" ");
            if (t[0].equals("version")) {
                return Optional.of(ScriptedBroker.result(line, 200, "imago"));
            }
            if (!t[0].equals("transaction")) {
                return Optional.empty();
            }
            Function<String, Optional<String>> o = overrides.get(index).get(t[3]);
            if (o != null) {
                return o.apply(line);
            }
            return switch (t[3]) {
                case "END" -> Optional.empty();
                case "PREPARE" -> Optional.of(ScriptedBroker.result(line, 200, "0"));
                default -> Optional.of(ScriptedBroker.result(line, 200, ""));
            };
        });
    }

    @BeforeEach
    void start() throws Exception {
        a = broker(0);
        b = broker(1);
        remoting = new RemotingClient(RemotingConfig.defaults());
        remoting.start();
        branches = new XaBranches(
                new TransactionRequests(remoting, "sess-1"),
                () -> Set.of(a.url(), b.url()),
                () -> false,
                () -> 0,
                () -> 2_000L,
                "uq");
    }

    @AfterEach
    void stop() throws Exception {
        remoting.close();
        a.close();
        b.close();
    }

    /** Starts XID on the resource and "sends" to both brokers (their BEGINs), then ends it. */
    XAResource branchOnBoth() throws Exception {
        XAResource xa = branches.resource();
        xa.start(XID, XAResource.TMNOFLAGS);
        assertThat(branches.currentForSend().beforePut(a.url()).key()).isEqualTo(KEY);
        assertThat(branches.currentForSend().beforePut(b.url()).key()).isEqualTo(KEY);
        branches.currentForSend().beforePut(a.url()); // a second put to a: no second BEGIN
        xa.end(XID, XAResource.TMSUCCESS);
        assertThat(branches.currentForSend()).isNull();
        return xa;
    }

    static long count(ScriptedBroker broker, String type) {
        return broker.received().stream()
                .filter(l -> l.startsWith("transaction " + KEY + " sess-1 " + type + " "))
                .count();
    }

    @Test
    void twoPhaseCommitReachesEveryBrokerTheBranchBeganOn() throws Exception {
        XAResource xa = branchOnBoth();
        assertThat(count(a, "BEGIN")).isEqualTo(1);
        assertThat(xa.prepare(XID)).isEqualTo(XAResource.XA_OK);
        xa.commit(XID, false);
        for (ScriptedBroker broker : new ScriptedBroker[] {a, b}) {
            assertThat(count(broker, "BEGIN")).isEqualTo(1);
            assertThat(count(broker, "PREPARE")).isEqualTo(1);
            assertThat(count(broker, "COMMIT_TWO_PHASE")).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> count(broker, "END") == 1);
        }
        assertThat(branches.liveBranches()).isZero();
    }

    @Test
    void aOnePhaseCommitOverTwoBrokersPreparesBothFirst() throws Exception {
        XAResource xa = branchOnBoth();
        xa.commit(XID, true);
        for (ScriptedBroker broker : new ScriptedBroker[] {a, b}) {
            assertThat(count(broker, "PREPARE")).isEqualTo(1);
            assertThat(count(broker, "COMMIT_TWO_PHASE")).isEqualTo(1);
            assertThat(count(broker, "COMMIT_ONE_PHASE")).isZero();
        }
    }

    @Test
    void aPrepareThatFailsOnOneBrokerRollsBackBoth() throws Exception {
        overrides.get(1).put("PREPARE", line -> Optional.of(ScriptedBroker.result(line, 500, "no room")));
        XAResource xa = branchOnBoth();
        assertThatThrownBy(() -> xa.prepare(XID))
                .isInstanceOfSatisfying(
                        XAException.class, e -> assertThat(e.errorCode).isEqualTo(XAException.XA_RBOTHER))
                .hasMessageContaining("no room");
        assertThat(count(a, "ROLLBACK")).isEqualTo(1);
        assertThat(count(b, "ROLLBACK")).isEqualTo(1);
        assertThat(branches.liveBranches()).isZero();
        // the TM's rollback afterwards finds nothing left: XAER_NOTA, which it accepts
        overrides
                .get(0)
                .put("ROLLBACK", line -> Optional.of(ScriptedBroker.result(line, 500, "XAException:code=-4,msg=gone")));
        overrides
                .get(1)
                .put("ROLLBACK", line -> Optional.of(ScriptedBroker.result(line, 500, "XAException:code=-4,msg=gone")));
        assertThatThrownBy(() -> xa.rollback(XID))
                .isInstanceOfSatisfying(
                        XAException.class, e -> assertThat(e.errorCode).isEqualTo(XAException.XAER_NOTA));
    }

    @Test
    void aBrokerThatDoesNotAnswerTheCommitMakesItRetryableAndTheRetryFinishesIt() throws Exception {
        XAResource xa = branchOnBoth();
        assertThat(xa.prepare(XID)).isEqualTo(XAResource.XA_OK);
        // b applies the commit but its reply is lost
        overrides.get(1).put("COMMIT_TWO_PHASE", line -> Optional.empty());
        assertThatThrownBy(() -> xa.commit(XID, false))
                .isInstanceOfSatisfying(
                        XAException.class, e -> assertThat(e.errorCode).isEqualTo(XAException.XA_RETRY))
                .hasMessageContaining(b.url());
        assertThat(branches.liveBranches()).isOne();
        // the retry goes to b only; b no longer knows the branch: committed at the first attempt
        overrides
                .get(1)
                .put(
                        "COMMIT_TWO_PHASE",
                        line -> Optional.of(ScriptedBroker.result(
                                line,
                                500,
                                "XAException:code=-4,msg=XA transaction '" + KEY + "' has not been started.")));
        xa.commit(XID, false);
        assertThat(count(a, "COMMIT_TWO_PHASE")).isEqualTo(1);
        assertThat(count(b, "COMMIT_TWO_PHASE")).isEqualTo(2);
        assertThat(branches.liveBranches()).isZero();
    }

    @Test
    void aRecoveredBranchIsCommittedOnEveryBrokerAndRetriedWhileOneIsDown() throws Exception {
        overrides.get(0).put("RECOVER", line -> Optional.of(ScriptedBroker.result(line, 200, KEY)));
        overrides
                .get(1)
                .put("RECOVER", line -> Optional.of(ScriptedBroker.result(line, 200, KEY + "\r\nXID:9:09:09:other")));
        XAResource xa = branches.resource();
        assertThat(xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)).containsExactly(XID);
        overrides.get(1).put("COMMIT_TWO_PHASE", line -> Optional.empty());
        assertThatThrownBy(() -> xa.commit(XID, false))
                .isInstanceOfSatisfying(
                        XAException.class, e -> assertThat(e.errorCode).isEqualTo(XAException.XA_RETRY));
        overrides
                .get(0)
                .put(
                        "COMMIT_TWO_PHASE",
                        line -> Optional.of(ScriptedBroker.result(line, 500, "XAException:code=-4,msg=gone")));
        overrides.get(1).remove("COMMIT_TWO_PHASE");
        xa.commit(XID, false);
        assertThat(count(b, "COMMIT_TWO_PHASE")).isEqualTo(2);
    }

    @Test
    void aBranchMarkedFailedIsRolledBackAtPrepare() throws Exception {
        XAResource xa = branches.resource();
        xa.start(XID, XAResource.TMNOFLAGS);
        branches.currentForSend().beforePut(a.url());
        xa.end(XID, XAResource.TMFAIL);
        assertThatThrownBy(() -> xa.prepare(XID))
                .isInstanceOfSatisfying(
                        XAException.class, e -> assertThat(e.errorCode).isEqualTo(XAException.XA_RBROLLBACK));
        assertThat(count(a, "ROLLBACK")).isEqualTo(1);
    }

    @Test
    void suspendAndResumeKeepTheBranch() throws Exception {
        XAResource xa = branches.resource();
        xa.start(XID, XAResource.TMNOFLAGS);
        branches.currentForSend().beforePut(a.url());
        xa.end(XID, XAResource.TMSUSPEND);
        assertThat(branches.currentForSend()).isNull();
        xa.start(XID, XAResource.TMRESUME);
        branches.currentForSend().beforePut(b.url());
        xa.end(XID, XAResource.TMSUCCESS);
        xa.commit(XID, true);
        assertThat(count(a, "COMMIT_TWO_PHASE")).isEqualTo(1);
        assertThat(count(b, "COMMIT_TWO_PHASE")).isEqualTo(1);
    }
}
