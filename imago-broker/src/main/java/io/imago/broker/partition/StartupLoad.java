package io.imago.broker.partition;

import io.imago.store.TopicPartition;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The progress of {@link PartitionRegistry#loadAll()}: the opens it started, how many have ended, the
 * failures, and whether the load has stopped at a failure (then the opens not started yet end at once
 * with a {@link CancellationException}, which is not a failure). The loading thread waits in
 * {@link #await}, which reports progress at INFO while it waits. Thread-safe: opens end on the opener
 * threads.
 */
final class StartupLoad {
    private static final Logger LOG = LoggerFactory.getLogger(StartupLoad.class);

    private final int total;
    private final long startNanos = System.nanoTime();
    private final CountDownLatch ended;
    private final AtomicInteger opened = new AtomicInteger();
    private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private volatile boolean stopped;

    StartupLoad(int total) {
        this.total = total;
        this.ended = new CountDownLatch(total);
    }

    /** Whether the load has stopped (a failure or an interrupt): opens not started yet are skipped. */
    boolean stopped() {
        return stopped;
    }

    /** Counts the end of the open of {@code tp} from {@code dir}, whatever its outcome. */
    @SuppressWarnings("FutureReturnValueIgnored") // the callback is the outcome's only handler; it does not throw
    void track(TopicPartition tp, Path dir, CompletableFuture<PartitionEntry> open) {
        open.whenComplete((entry, error) -> {
            if (error == null) {
                opened.incrementAndGet();
            } else if (!(error instanceof CancellationException)) {
                stopped = true;
                LOG.error("Opening partition {} from {} failed: {}", tp, dir, error.toString());
                failures.add(error);
            }
            ended.countDown();
        });
    }

    /**
     * Waits until every open has ended, with a progress line every {@code progressIntervalMs}.
     *
     * @return how many partitions were opened
     * @throws IOException the first failure, if it was one (the others are suppressed in it)
     * @throws InterruptedException if interrupted: the opens not started yet are skipped, the ones
     *     under way go on (closing the registry waits for them)
     */
    int await(long progressIntervalMs) throws IOException, InterruptedException {
        try {
            while (!ended.await(progressIntervalMs, TimeUnit.MILLISECONDS)) {
                LOG.info("Opened {} of {} partitions in {} s", opened.get(), total, elapsedMs() / 1000);
            }
        } catch (InterruptedException e) {
            stopped = true;
            throw e;
        }
        Throwable first = failures.poll();
        if (first == null) {
            LOG.info("Opened {} partitions in {} ms", opened.get(), elapsedMs());
            return opened.get();
        }
        failures.forEach(first::addSuppressed);
        if (first instanceof IOException io) {
            throw io;
        }
        if (first instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (first instanceof Error error) {
            throw error;
        }
        throw new IOException(first);
    }

    private long elapsedMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
