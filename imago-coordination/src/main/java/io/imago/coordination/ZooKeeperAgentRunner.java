package io.imago.coordination;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link ZooKeeperAgent} on one named thread, as Agrona's {@code AgentRunner} runs an agent: the
 * runner owns the thread, the lifecycle, the retries and the session bookkeeping, so that the broker's
 * registration and a consumer's group coordinator do not each hand-roll an executor, a lock and a
 * retry loop.
 *
 * <p><b>Lifecycle.</b> The constructor only assigns. {@link #start} starts the thread (named
 * {@link ZooKeeperAgent#roleName()}), runs {@link ZooKeeperAgent#onStart()} on it and waits for it;
 * from then on the runner follows the client's connection state. {@link #close()} is idempotent: it
 * stops taking work, drops what is queued or scheduled (the futures of dropped duties fail), interrupts
 * the running duty or lets it finish (as its {@link ClosePolicy} says), waits for the thread, and then
 * calls {@link ZooKeeperAgent#onClose()} on the closing thread.
 *
 * <p><b>Work.</b> Besides the agent's own calls, the thread runs duties: {@link #submit} (a write to
 * the registration, with a future), {@link #schedule} and {@link #scheduleWithFixedDelay}. Every
 * failure of background work goes to the one error handler and is counted ({@link #errorCount()}); an
 * interrupt ends the duty and is restored. Nothing is swallowed.
 *
 * <p><b>Sessions.</b> The runner records the session that {@code onStart}, or the last {@code onRepair}
 * that succeeded, registered in. When Curator reports a connection in another session (after
 * {@code LOST}, Curator 5's next {@code RECONNECTED} is a new session), it calls
 * {@link ZooKeeperAgent#onRepair} at once; so it does, after the back-off, when a submitted duty
 * failed. A failed repair is reported and retried after the {@link BackOff} (0 before the first
 * failure, then doubling), one pending at a time. A duty submitted while the registration is not
 * current runs after an {@code onRepair}.
 *
 * <p><b>Threading.</b> Thread-safe. Fields marked "agent thread" are touched by no other thread.
 */
public final class ZooKeeperAgentRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperAgentRunner.class);
    /** How often {@link #close()} says that it still waits for the agent's thread. */
    private static final long CLOSE_WARNING_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

    private final ZooKeeperAgent agent;
    private final BackOff retryBackOff;
    private final ClosePolicy closePolicy;
    private final Consumer<Throwable> errorHandler;
    private final ConnectionStateListener stateListener = this::onStateChanged;
    private final Set<CompletableFuture<Void>> pending = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicLong errors = new AtomicLong();
    private final Object lifecycleLock = new Object();

    /** Guarded by lifecycleLock. */
    private boolean started;
    /** Guarded by lifecycleLock. */
    private boolean closed;

    private volatile CuratorFramework client;
    private volatile ScheduledThreadPoolExecutor executor;
    /** Set on the agent thread when onStart is called; read by close after that thread ended. */
    private volatile boolean agentStarted;
    /** Written on the agent thread: the session of the last complete registration, 0 before. */
    private volatile long registeredSessionId;

    /** Agent thread. */
    private boolean repairScheduled;
    /** Agent thread: failed repairs since the last success. */
    private int failedRepairs;

    /**
     * @param agent what to run
     * @param retryBackOff the pauses between failed repairs
     * @param closePolicy what {@link #close()} does to a running duty
     * @param errorHandler receives every failure of background work
     */
    public ZooKeeperAgentRunner(
            ZooKeeperAgent agent, BackOff retryBackOff, ClosePolicy closePolicy, Consumer<Throwable> errorHandler) {
        this.agent = Objects.requireNonNull(agent, "agent");
        this.retryBackOff = Objects.requireNonNull(retryBackOff, "retryBackOff");
        this.closePolicy = Objects.requireNonNull(closePolicy, "closePolicy");
        this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
    }

    /**
     * Starts the agent's thread, runs {@link ZooKeeperAgent#onStart()} on it and waits for it. The
     * client's connection states are delivered on that thread from then on, after {@code onStart}.
     *
     * @param client the agent's Curator client, started or not ({@code onStart} may start it)
     * @throws ExecutionException with {@code onStart}'s failure as its cause; the runner is closed
     * @throws InterruptedException if the calling thread is interrupted while it waits; the runner is
     *     closed and the thread's interrupt status is set again
     * @throws IllegalStateException if the runner was started or closed before, or is closed meanwhile
     */
    public void start(CuratorFramework client) throws ExecutionException, InterruptedException {
        Objects.requireNonNull(client, "client");
        Future<?> first;
        synchronized (lifecycleLock) {
            if (started || closed) {
                throw new IllegalStateException(agent.roleName() + " can be started once");
            }
            started = true;
            this.client = client;
            executor = newExecutor();
            first = executor.submit(() -> {
                agentStarted = true;
                registeredSessionId = agent.onStart();
                return null;
            });
            // Queued behind onStart on the same thread, so a session change during it is seen after it.
            client.getConnectionStateListenable().addListener(stateListener, executor);
        }
        try {
            first.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw e;
        } catch (ExecutionException e) {
            close();
            throw e;
        } catch (CancellationException e) {
            throw new IllegalStateException(agent.roleName() + " was closed while it started", e);
        }
    }

    private ScheduledThreadPoolExecutor newExecutor() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, agent.roleName());
            t.setDaemon(true); // the agent never keeps the JVM alive; its ephemeral nodes end with the session
            return t;
        });
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        e.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        return e;
    }

    /**
     * Runs {@code duty} on the agent's thread, after {@link ZooKeeperAgent#onRepair} if the registration
     * is not current. The future completes when the duty is done; it fails with the duty's failure,
     * which also goes to the error handler and has the registration repaired (after the back-off).
     * Before {@link #start} the duty is not run and the future is complete ({@code onStart} writes the
     * whole registration); after {@link #close()}, and for a duty that close dropped, it fails with an
     * {@link IllegalStateException}.
     */
    public CompletableFuture<Void> submit(Duty duty) {
        Objects.requireNonNull(duty, "duty");
        CompletableFuture<Void> future = new CompletableFuture<>();
        synchronized (lifecycleLock) {
            if (closed) {
                future.completeExceptionally(new IllegalStateException(agent.roleName() + " is closed"));
            } else if (!started) {
                future.complete(null);
            } else {
                pending.add(future);
                executor.execute(() -> runDuty(duty, future));
            }
        }
        return future;
    }

    /** Agent thread. */
    @SuppressWarnings("CollectionUndefinedEquality") // identity is meant: each future removes itself
    private void runDuty(Duty duty, CompletableFuture<Void> future) {
        try {
            if (isClosing()) {
                future.completeExceptionally(droppedAtClose());
                return;
            }
            if (!isRegisteredInCurrentSession()) {
                registeredSessionId = agent.onRepair(failedRepairs + 1);
                failedRepairs = 0;
            }
            duty.run();
            future.complete(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.completeExceptionally(e);
        } catch (Throwable t) {
            future.completeExceptionally(t);
            report(t);
            scheduleRepair();
        } finally {
            pending.remove(future);
        }
    }

    /**
     * Runs {@code duty} on the agent's thread after {@code delayMs}; a failure goes to the error
     * handler. Returns false, scheduling nothing, before {@link #start} and once closing.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // guarded(): the duty reports its own failure
    public boolean schedule(Duty duty, long delayMs) {
        return whileRunning(e -> e.schedule(guarded(duty), delayMs, TimeUnit.MILLISECONDS));
    }

    /**
     * Runs {@code duty} on the agent's thread every {@code periodMs} (from the end of one run to the
     * start of the next), the first time after {@code periodMs}; a failure goes to the error handler and
     * the runs go on. Returns false, scheduling nothing, before {@link #start} and once closing.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // guarded(): each run reports its own failure
    public boolean scheduleWithFixedDelay(Duty duty, long periodMs) {
        return whileRunning(e -> e.scheduleWithFixedDelay(guarded(duty), periodMs, periodMs, TimeUnit.MILLISECONDS));
    }

    /** Hands work to the executor if it runs and close has not begun; false if it did not. */
    private boolean whileRunning(Consumer<ScheduledThreadPoolExecutor> handOver) {
        ScheduledThreadPoolExecutor e = executor;
        if (e == null || isClosing()) {
            return false;
        }
        try {
            handOver.accept(e);
            return true;
        } catch (RejectedExecutionException closedMeanwhile) {
            return false;
        }
    }

    private Runnable guarded(Duty duty) {
        return () -> {
            if (isClosing()) {
                return;
            }
            try {
                duty.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                report(t);
            }
        };
    }

    /** Agent thread (Curator delivers the events through the executor). */
    private void onStateChanged(CuratorFramework unused, ConnectionState state) {
        if (isClosing()) {
            return;
        }
        if (state.isConnected()
                && registeredSessionId != 0
                && registeredSessionId != currentSessionId()
                && (repairScheduled || !repair())) {
            return; // not registered in this session yet: the pending repair's onRepair comes instead
        }
        guarded(() -> agent.onStateChanged(state)).run();
    }

    /** Agent thread: one repair pending at a time, after the back-off. */
    @SuppressWarnings("FutureReturnValueIgnored") // repair() reports its own failure and schedules the next
    private void scheduleRepair() {
        if (!repairScheduled) {
            repairScheduled = whileRunning(e -> e.schedule(
                    () -> {
                        repairScheduled = false;
                        repair();
                    },
                    retryBackOff.delayMs(failedRepairs),
                    TimeUnit.MILLISECONDS));
        }
    }

    /** Agent thread: calls onRepair; on failure reports it, schedules the retry and answers false. */
    private boolean repair() {
        if (isClosing()) {
            return false;
        }
        try {
            registeredSessionId = agent.onRepair(failedRepairs + 1);
            failedRepairs = 0;
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failedRepairs++;
            report(t);
            scheduleRepair();
        }
        return false;
    }

    /**
     * Passes {@code failure} to the error handler and counts it; a failing handler is logged. For the
     * agent's own failures too (for example in {@link ZooKeeperAgent#onClose()}), so that every one is
     * counted. Any thread.
     */
    public void report(Throwable failure) {
        errors.incrementAndGet();
        try {
            errorHandler.accept(failure);
        } catch (RuntimeException handlerFailure) {
            handlerFailure.addSuppressed(failure);
            LOG.error("The error handler of {} failed", agent.roleName(), handlerFailure);
        }
    }

    /** Failures passed to the error handler so far. */
    public long errorCount() {
        return errors.get();
    }

    /** Whether {@link #close()} has begun; a duty that loops should stop. */
    public boolean isClosing() {
        return closing.getCount() == 0;
    }

    /**
     * Waits up to {@code timeoutMs} for {@link #close()} to begin: the pause of a duty between two
     * attempts, which close ends at once without an interrupt. True if closing.
     */
    public boolean awaitClose(long timeoutMs) throws InterruptedException {
        return closing.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** The client passed to {@link #start}, null before. */
    public CuratorFramework client() {
        return client;
    }

    /** The id of the client's current ZooKeeper session; 0 before start or while Curator has no handle. */
    public long currentSessionId() {
        CuratorFramework c = client;
        if (c == null) {
            return 0;
        }
        try {
            return c.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception noHandle) {
            return 0;
        }
    }

    /** The session of the last complete registration ({@code onStart} or {@code onRepair}), 0 before. */
    public long registeredSessionId() {
        return registeredSessionId;
    }

    /** Whether the last complete registration was made in the client's current session. */
    public boolean isRegisteredInCurrentSession() {
        long registered = registeredSessionId;
        return registered != 0 && registered == currentSessionId();
    }

    /**
     * Stops the agent's thread as described in the class comment, then calls
     * {@link ZooKeeperAgent#onClose()} on this thread if {@code onStart} was called. Idempotent. The
     * caller's interrupt does not cut the wait short; it is restored afterwards.
     */
    @Override
    public void close() {
        synchronized (lifecycleLock) {
            if (closed) {
                return;
            }
            closed = true;
            if (!started) {
                return;
            }
        }
        closing.countDown();
        client.getConnectionStateListenable().removeListener(stateListener);
        stopThread();
        for (CompletableFuture<Void> future : pending) {
            future.completeExceptionally(droppedAtClose());
        }
        if (agentStarted) {
            agent.onClose();
        }
    }

    private void stopThread() {
        if (closePolicy.interrupt()) {
            for (Runnable dropped : executor.shutdownNow()) {
                if (dropped instanceof Future<?> future) {
                    future.cancel(false);
                }
            }
        } else {
            executor.shutdown();
        }
        awaitThreadEnd();
    }

    /** Waits for the thread as the {@link ClosePolicy} says; the caller's interrupt is restored afterwards. */
    private void awaitThreadEnd() {
        boolean interrupted = false;
        long startNs = System.nanoTime();
        long maxWaitMs = closePolicy.maxWaitMs();
        long boundNs = maxWaitMs == 0 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        long warningAtNs = CLOSE_WARNING_INTERVAL_NS;
        try {
            while (true) {
                long waitedNs = System.nanoTime() - startNs;
                if (waitedNs >= boundNs) {
                    LOG.warn("{} did not end within {} ms of close; closing without it", agent.roleName(), maxWaitMs);
                    return;
                }
                if (waitedNs >= warningAtNs) {
                    LOG.warn("Closing {} still waits for its thread to end", agent.roleName());
                    warningAtNs += CLOSE_WARNING_INTERVAL_NS;
                }
                try {
                    if (executor.awaitTermination(Math.min(boundNs, warningAtNs) - waitedNs, TimeUnit.NANOSECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private IllegalStateException droppedAtClose() {
        return new IllegalStateException(agent.roleName() + " closed before the duty ran");
    }

    /** A piece of ZooKeeper work, run on the agent's thread. */
    @FunctionalInterface
    public interface Duty {
        void run() throws Exception;
    }
}
