package io.imago.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner's lifecycle, duties, session repair and close, with an agent that keeps one ephemeral
 * node in a real ZooKeeper (Curator's TestingServer on 127.0.0.1). Sessions are ended on the server,
 * as an expiry does, so nothing waits for a session timeout; every wait is bounded.
 */
@Timeout(60)
class ZooKeeperAgentRunnerTest {
    private static final String ROLE = "imago-test-agent";
    private static final String NODE = "/agents/test";
    private static final int SESSION_TIMEOUT_MS = 10_000;
    private static final Duration BOUND = Duration.ofSeconds(20);
    /** Short pauses, so that retries come quickly; the tests check only that they are not shorter. */
    private static final BackOff BACK_OFF = new BackOff(50, 200);

    @TempDir
    static Path dataDir;

    private static TestingServer server;

    private CuratorFramework client;
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final RecordingAgent agent = new RecordingAgent();
    private ZooKeeperAgentRunner runner;

    @BeforeAll
    static void startZooKeeper() throws Exception {
        InstanceSpec spec = new InstanceSpec(
                dataDir.toFile(),
                unusedPort(),
                -1,
                -1,
                true,
                -1,
                100,
                -1,
                Map.of("clientPortAddress", "127.0.0.1"),
                "127.0.0.1");
        server = new TestingServer(spec, true);
    }

    @AfterAll
    static void stopZooKeeper() throws IOException {
        server.close();
    }

    @BeforeEach
    void connect() throws InterruptedException {
        client = CuratorFrameworkFactory.builder()
                .connectString(server.getConnectString())
                .sessionTimeoutMs(SESSION_TIMEOUT_MS)
                .connectionTimeoutMs(SESSION_TIMEOUT_MS)
                .retryPolicy(new RetryOneTime(50))
                .ensembleTracker(false)
                .build();
        // blockUntilConnected can return before the first CONNECTED has reached the state listeners: wait
        // for that too, so that a runner started afterwards never hears of the connection it started in
        CountDownLatch connectedDelivered = new CountDownLatch(1);
        ConnectionStateListener probe = (c, state) -> {
            if (state == ConnectionState.CONNECTED) {
                connectedDelivered.countDown();
            }
        };
        client.getConnectionStateListenable().addListener(probe);
        client.start();
        assertThat(client.blockUntilConnected(SESSION_TIMEOUT_MS, TimeUnit.MILLISECONDS))
                .isTrue();
        assertThat(connectedDelivered.await(SESSION_TIMEOUT_MS, TimeUnit.MILLISECONDS))
                .isTrue();
        client.getConnectionStateListenable().removeListener(probe);
        runner = runner(ClosePolicy.letFinish());
    }

    @AfterEach
    void closeAll() {
        runner.close();
        client.close();
        await("the agent's thread to end").atMost(BOUND).until(() -> liveThreads(ROLE) == 0);
    }

    private ZooKeeperAgentRunner runner(ClosePolicy closePolicy) {
        return new ZooKeeperAgentRunner(agent, BACK_OFF, closePolicy, errors::add);
    }

    @Test
    void startRunsOnStartOnTheAgentsThreadAndRecordsItsSession() throws Exception {
        runner.start(client);

        assertThat(agent.calls).containsExactly("onStart on " + ROLE);
        assertThat(runner.registeredSessionId()).isNotZero().isEqualTo(runner.currentSessionId());
        assertThat(runner.isRegisteredInCurrentSession()).isTrue();
        assertThat(owner(NODE)).isEqualTo(runner.registeredSessionId());
    }

    @Test
    void aFailingOnStartFailsStartAndClosesTheRunner() {
        Exception failure = new KeeperException.NoAuthException();
        agent.startFailure = failure;

        assertThatThrownBy(() -> runner.start(client))
                .isInstanceOf(ExecutionException.class)
                .hasCause(failure);

        assertThat(runner.isClosing()).isTrue();
        assertThat(agent.calls)
                .containsExactly(
                        "onStart on " + ROLE,
                        "onClose on " + Thread.currentThread().getName());
        assertThat(runner.submit(() -> {})).isCompletedExceptionally();
    }

    @Test
    void startTwiceIsRefused() throws Exception {
        runner.start(client);

        assertThatThrownBy(() -> runner.start(client))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(ROLE);
    }

    @Test
    void dutiesRunInOrderOnTheAgentsThread() throws Exception {
        runner.start(client);
        List<String> ran = new CopyOnWriteArrayList<>();

        CompletableFuture<Void> first =
                runner.submit(() -> ran.add("first on " + Thread.currentThread().getName()));
        CompletableFuture<Void> second = runner.submit(
                () -> ran.add("second on " + Thread.currentThread().getName()));

        second.get(10, TimeUnit.SECONDS);
        assertThat(first).isCompleted();
        assertThat(ran).containsExactly("first on " + ROLE, "second on " + ROLE);
    }

    @Test
    void aDutySubmittedBeforeStartIsLeftToOnStart() {
        List<String> ran = new CopyOnWriteArrayList<>();

        assertThat(runner.submit(() -> ran.add("ran"))).isCompleted();

        assertThat(ran).isEmpty();
    }

    @Test
    void aFailedDutyFailsItsFutureAndHasTheRegistrationRepaired() throws Exception {
        runner.start(client);
        Exception failure = new KeeperException.ConnectionLossException();

        CompletableFuture<Void> future = runner.submit(() -> {
            throw failure;
        });

        await().atMost(BOUND).until(() -> agent.calls.contains("onRepair 1"));
        assertThatThrownBy(future::join).hasCause(failure);
        assertThat(errors).containsExactly(failure);
        assertThat(runner.errorCount()).isEqualTo(1);
    }

    @Test
    void aNewSessionIsRegisteredAgainBeforeTheAgentHearsOfTheConnection() throws Exception {
        runner.start(client);
        long oldSession = runner.registeredSessionId();

        endSessionOnServer();

        await("registered in the new session")
                .atMost(BOUND)
                .until(() -> runner.registeredSessionId() != oldSession && runner.isRegisteredInCurrentSession());
        assertThat(owner(NODE)).isEqualTo(runner.registeredSessionId());
        await().atMost(BOUND).until(() -> agent.calls.contains("state RECONNECTED"));
        assertThat(agent.calls).containsSubsequence("state LOST", "onRepair 1", "state RECONNECTED");
        assertThat(errors).isEmpty();
    }

    @Test
    void aFailedRepairIsReportedAndRetriedAfterTheBackOff() throws Exception {
        runner.start(client);
        long oldSession = runner.registeredSessionId();
        agent.repairsToFail.set(2);

        endSessionOnServer();

        await("registered in the new session")
                .atMost(BOUND)
                .until(() -> runner.registeredSessionId() != oldSession && runner.isRegisteredInCurrentSession());
        assertThat(agent.calls)
                .filteredOn(call -> call.startsWith("onRepair"))
                .containsExactly("onRepair 1", "onRepair 2", "onRepair 3");
        assertThat(errors).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(KeeperException.class));
        assertThat(runner.errorCount()).isEqualTo(2);
        // the attempts are at least the back-off apart (a loaded machine makes them later, never sooner)
        assertThat(agent.repairNanos.get(1) - agent.repairNanos.get(0))
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(BACK_OFF.delayMs(1)));
        assertThat(agent.repairNanos.get(2) - agent.repairNanos.get(1))
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(BACK_OFF.delayMs(2)));
        // the connection of the new session came while the registration failed: onRepair told the agent instead
        assertThat(agent.calls).doesNotContain("state RECONNECTED");
    }

    @Test
    void aDutyRunsOnlyOnceTheRegistrationIsCurrent() throws Exception {
        runner.start(client);
        long oldSession = runner.registeredSessionId();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        var unused = runner.submit(
                () -> { // its outcome is not what this test looks at
                    entered.countDown();
                    release.await();
                });
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        endSessionOnServer();
        await("a new session")
                .atMost(BOUND)
                .until(() -> runner.currentSessionId() != 0 && runner.currentSessionId() != oldSession);
        CompletableFuture<Void> duty = runner.submit(() -> agent.calls.add("duty"));
        release.countDown();

        duty.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(agent.calls).containsSubsequence("onRepair 1", "duty");
        assertThat(runner.isRegisteredInCurrentSession()).isTrue();
    }

    @Test
    void closeLetsTheRunningDutyFinishThenCallsOnClose() throws Exception {
        runner.start(client);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> running = runner.submit(() -> {
            entered.countDown();
            release.await();
            agent.calls.add("duty done");
        });
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        Thread closer = new Thread(runner::close, "closer");
        closer.start();
        await().atMost(BOUND).until(() -> closer.getState() == Thread.State.TIMED_WAITING);
        assertThat(agent.calls).doesNotContain("onClose on closer");
        release.countDown();
        closer.join(BOUND.toMillis());

        assertThat(closer.isAlive()).isFalse();
        assertThat(running).isCompleted();
        assertThat(agent.calls).endsWith("duty done", "onClose on closer");
        assertThat(exists(NODE)).isFalse();
    }

    @Test
    void closeInterruptsTheRunningDutyAndFailsTheQueuedOnes() throws Exception {
        runner = runner(ClosePolicy.interruptAndWaitUpTo(BOUND.toMillis()));
        runner.start(client);
        CountDownLatch entered = new CountDownLatch(1);
        CompletableFuture<Void> running = runner.submit(() -> {
            entered.countDown();
            new CountDownLatch(1).await();
        });
        CompletableFuture<Void> queued = runner.submit(() -> agent.calls.add("queued duty"));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        runner.close();

        assertThatThrownBy(running::join).hasCauseInstanceOf(InterruptedException.class);
        assertThatThrownBy(queued::join).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(agent.calls)
                .doesNotContain("queued duty")
                .endsWith("onClose on " + Thread.currentThread().getName());
        assertThat(errors).isEmpty();
    }

    @Test
    void closeEndsAPauseTakenWithAwaitClose() throws Exception {
        runner.start(client);
        CountDownLatch entered = new CountDownLatch(1);
        var unused = runner.submit(
                () -> { // the pause's end is recorded in agent.calls
                    entered.countDown();
                    agent.calls.add("pause ended by close: " + runner.awaitClose(TimeUnit.HOURS.toMillis(1)));
                });
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        runner.close();

        assertThat(agent.calls).contains("pause ended by close: true");
    }

    @Test
    void closeDropsScheduledDuties() throws Exception {
        runner.start(client);
        assertThat(runner.schedule(() -> agent.calls.add("scheduled duty"), TimeUnit.HOURS.toMillis(1)))
                .isTrue();

        runner.close();

        assertThat(agent.calls).doesNotContain("scheduled duty");
        assertThat(runner.schedule(() -> agent.calls.add("too late"), 0)).isFalse();
    }

    @Test
    void aPeriodicDutyGoesOnAfterAFailure() throws Exception {
        runner.start(client);
        AtomicInteger runs = new AtomicInteger();
        IllegalStateException failure = new IllegalStateException("first run fails");

        runner.scheduleWithFixedDelay(
                () -> {
                    if (runs.incrementAndGet() == 1) {
                        throw failure;
                    }
                },
                10);

        await().atMost(BOUND).until(() -> runs.get() >= 3);
        assertThat(errors).containsExactly(failure);
    }

    @Test
    void aFailingErrorHandlerIsLoggedAndTheFailureStillCounted() throws Exception {
        runner = new ZooKeeperAgentRunner(agent, BACK_OFF, ClosePolicy.letFinish(), error -> {
            throw new IllegalStateException("handler fails");
        });
        runner.start(client);

        runner.report(new IllegalArgumentException("reported"));

        assertThat(runner.errorCount()).isEqualTo(1);
    }

    @Test
    void closeTwiceIsHarmlessAndClosingBeforeStartCallsNoOnClose() throws Exception {
        ZooKeeperAgentRunner neverStarted = runner(ClosePolicy.letFinish());
        neverStarted.close();
        assertThat(agent.calls).isEmpty();
        assertThat(neverStarted.submit(() -> {})).isCompletedExceptionally();

        runner.start(client);
        runner.close();
        runner.close();

        assertThat(agent.calls).filteredOn(call -> call.startsWith("onClose")).hasSize(1);
    }

    @Test
    void closeRestoresTheCallersInterrupt() throws Exception {
        runner.start(client);

        Thread.currentThread().interrupt();
        runner.close();

        assertThat(Thread.interrupted()).isTrue();
        assertThat(agent.calls).endsWith("onClose on " + Thread.currentThread().getName());
    }

    /** Ends the client's session on the server, as an expiry does: a twin handle joins the session, closes it. */
    private void endSessionOnServer() throws Exception {
        ZooKeeper handle = client.getZookeeperClient().getZooKeeper();
        ZooKeeper twin = new ZooKeeper(
                server.getConnectString(),
                SESSION_TIMEOUT_MS,
                event -> {},
                handle.getSessionId(),
                handle.getSessionPasswd());
        try {
            await().atMost(BOUND).until(() -> twin.getState().isConnected());
        } finally {
            twin.close();
        }
    }

    private long owner(String path) throws Exception {
        Stat stat = client.checkExists().forPath(path);
        assertThat(stat).as(path).isNotNull();
        return stat.getEphemeralOwner();
    }

    private boolean exists(String path) throws Exception {
        return client.checkExists().forPath(path) != null;
    }

    private static long liveThreads(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().equals(name))
                .count();
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    /** Keeps the ephemeral node {@link #NODE}, records what it is told and on which thread. */
    private final class RecordingAgent implements ZooKeeperAgent {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<Long> repairNanos = new CopyOnWriteArrayList<>();
        final AtomicInteger repairsToFail = new AtomicInteger();
        volatile Exception startFailure;

        @Override
        public String roleName() {
            return ROLE;
        }

        @Override
        public long onStart() throws Exception {
            calls.add("onStart on " + Thread.currentThread().getName());
            if (startFailure != null) {
                throw startFailure;
            }
            return writeNode();
        }

        @Override
        public long onRepair(int attempt) throws Exception {
            calls.add("onRepair " + attempt);
            repairNanos.add(System.nanoTime());
            if (repairsToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new KeeperException.ConnectionLossException();
            }
            return writeNode();
        }

        @Override
        public void onStateChanged(ConnectionState state) {
            calls.add("state " + state);
        }

        @Override
        public void onClose() {
            try {
                Stat stat = client.checkExists().forPath(NODE);
                if (stat != null && stat.getEphemeralOwner() == runner.currentSessionId()) {
                    client.delete().forPath(NODE);
                }
            } catch (Exception e) {
                runner.report(e);
            }
            calls.add("onClose on " + Thread.currentThread().getName());
        }

        private long writeNode() throws Exception {
            long session = client.getZookeeperClient().getZooKeeper().getSessionId();
            client.create()
                    .orSetData()
                    .creatingParentsIfNeeded()
                    .withMode(CreateMode.EPHEMERAL)
                    .forPath(NODE, "up".getBytes(StandardCharsets.UTF_8));
            return session;
        }
    }
}
