package io.imago.client;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a check (or a step of load) at a fixed delay on its own thread until closed, counting the runs
 * and keeping the first failure, which stops it: what the churn tests use to sample ZooKeeper's owner
 * nodes while consumers come and go, and to pace a producer. Thread-safe.
 */
public final class PeriodicProbe implements AutoCloseable {
    /** A check that may throw (an assertion, a ZooKeeper read). */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    private final ScheduledExecutorService executor;
    private final AtomicInteger runs = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean abandoned;

    private PeriodicProbe(String name) {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts running {@code step} now and then {@code period} after each run ends. */
    @SuppressWarnings("FutureReturnValueIgnored") // the task records its failure, read through failure()
    public static PeriodicProbe every(Duration period, String name, Step step) {
        PeriodicProbe probe = new PeriodicProbe(name);
        probe.executor.scheduleWithFixedDelay(
                () -> {
                    try {
                        step.run();
                        probe.runs.incrementAndGet();
                    } catch (Throwable t) {
                        if (!probe.abandoned) {
                            probe.failure.compareAndSet(null, t);
                        }
                        throw new IllegalStateException(t); // ends the schedule
                    }
                },
                0,
                period.toNanos(),
                TimeUnit.NANOSECONDS);
        return probe;
    }

    /** Completed runs so far. */
    public int runs() {
        return runs.get();
    }

    /** The failure that stopped it, or null. */
    public Throwable failure() {
        return failure.get();
    }

    /**
     * Stops it: no run starts after this, and a run in progress is left to finish (bounded, 10 s) and is
     * never interrupted, so stopping is never reported as the step's failure (a failure of that last run
     * itself still is). A step still running after the bound is interrupted, and what it throws then is
     * not recorded.
     */
    @Override
    public void close() {
        executor.shutdown(); // cancels the schedule; a run in progress is not interrupted
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                abandoned = true;
                executor.shutdownNow();
                executor.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
