package io.imago.client.internal.producer;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a session factory's send callbacks, {@code sendMessageAsync} futures and the listeners of
 * batched results run: {@code threads} daemon threads named {@code imago-client-callback-<n>}, never a
 * network thread. It is bounded by admission, not by its queue: an asynchronous send takes a ticket
 * ({@link #admit}) on the sending thread before anything is sent and gives it back ({@link #release})
 * once its outcome has been handed to the application, so at most {@code maxWaiting} outcomes are ever
 * pending here and a full queue can never make the completing (network) thread run a callback itself
 * or drop one. A send beyond waits for a ticket up to its timeout; a network or timer thread does not
 * wait.
 *
 * <p>Lifecycle: the constructor creates the pool, whose threads start with the first task;
 * {@link #shutdown()} then {@link #awaitTermination}. A task handed over after shutdown runs on the
 * thread that hands it over: the factory shuts this down after its connections, whose network threads
 * have then stopped. Thread-safe.
 */
public final class CallbackExecutor implements Executor {
    /** The thread name prefix. */
    public static final String THREAD_PREFIX = "imago-client-callback-";

    private final ThreadPoolExecutor pool;
    private final Semaphore tickets;
    private final int maxWaiting;

    /**
     * @param threads callback threads
     * @param maxWaiting asynchronous sends whose outcome may be pending at once
     */
    public CallbackExecutor(int threads, int maxWaiting) {
        this.maxWaiting = maxWaiting;
        this.tickets = new Semaphore(maxWaiting);
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, THREAD_PREFIX + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                (task, executor) -> task.run()); // only after shutdown: see the class comment
    }

    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }

    /**
     * Takes a ticket for one asynchronous send's outcome, waiting up to {@code timeoutMs} for one (not
     * on a network or timer thread, which only tries); whether it got one.
     */
    boolean admit(long timeoutMs) {
        if (tickets.tryAcquire()) {
            return true;
        }
        if (Thread.currentThread() instanceof FastThreadLocalThread) {
            return false;
        }
        try {
            return tickets.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Gives back the ticket of a send whose outcome was handed over. */
    void release() {
        tickets.release();
    }

    int maxWaiting() {
        return maxWaiting;
    }

    /** Runs the tasks already handed over, then stops the threads. */
    public void shutdown() {
        pool.shutdown();
    }

    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitTermination(timeout, unit);
    }
}
