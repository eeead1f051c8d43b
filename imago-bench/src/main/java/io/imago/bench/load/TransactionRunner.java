package io.imago.bench.load;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code bench transactions}: {@code --threads} threads, each running transactions of {@code txSize}
 * messages of {@code --size} bytes one after the other (begin, synchronous sends, commit): first one
 * transaction each that is not counted (connections, a Kafka producer's {@code initTransactions}), then,
 * once every thread has run it, for {@code --warmup} (not counted) and then {@code --duration}. The result counts transactions as its
 * records (so records/s is transactions/s), the bytes of their messages, and the commit latency (commit
 * call to return) as its latency. A failed transaction counts as an error; more than
 * {@value #GIVE_UP_AFTER_ERRORS} errors end the run with an exception. Not thread-safe; one run per
 * instance.
 */
public final class TransactionRunner {
    private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int GIVE_UP_AFTER_ERRORS = 1_000;
    private static final int ERRORS_SHOWN = 10;
    private static final long START_TIMEOUT_SECONDS = 120;

    private final Targets targets;
    private final LoadOptions options;
    private final int txSize;
    private final PrintStream progress;

    public TransactionRunner(Targets targets, LoadOptions options, int txSize, PrintStream progress) {
        options.validate();
        if (txSize < 1) {
            throw new IllegalArgumentException("--tx-size must be at least 1: " + txSize);
        }
        if (options.messages != null) {
            throw new IllegalArgumentException("bench transactions runs for --duration; --messages is not supported");
        }
        this.targets = targets;
        this.options = options;
        this.txSize = txSize;
        this.progress = progress;
    }

    /** Runs the warm-up and the measured period and returns what was measured. */
    public LoadResult run() throws Exception {
        targets.createTopic(options);
        Recorder commitLatency = new Recorder(MAX_LATENCY_NANOS, 3);
        Histogram total = new Histogram(MAX_LATENCY_NANOS, 3);
        LongAdder committed = new LongAdder();
        LongAdder errors = new LongAdder();
        AtomicInteger shown = new AtomicInteger();
        try (TransactionalProducer producer = targets.transactionalProducer(options)) {
            // every thread first runs one transaction that is not measured (connections, a Kafka producer's
            // initTransactions); the clock starts once all have
            CountDownLatch ready = new CountDownLatch(options.threads);
            CountDownLatch go = new CountDownLatch(1);
            long[] window = new long[2]; // measureFrom, measureUntil: written before go opens
            long[] lastReturn = new long[options.threads];
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < options.threads; t++) {
                int index = t;
                Thread thread = new Thread(
                        () -> {
                            List<byte[]> payloads = payloads();
                            try {
                                producer.transact(payloads);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            } catch (Exception e) {
                                if (shown.getAndIncrement() < ERRORS_SHOWN) {
                                    progress.println("first transaction failed: " + e);
                                }
                            } finally {
                                ready.countDown();
                            }
                            try {
                                go.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                            long measureFrom = window[0];
                            long measureUntil = window[1];
                            for (long t0 = System.nanoTime(); t0 < measureUntil; t0 = System.nanoTime()) {
                                boolean counted = t0 >= measureFrom;
                                try {
                                    long commitNanos = producer.transact(payloads);
                                    if (counted) {
                                        committed.increment();
                                        commitLatency.recordValue(Math.min(commitNanos, MAX_LATENCY_NANOS));
                                    }
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    return;
                                } catch (Exception e) {
                                    if (shown.getAndIncrement() < ERRORS_SHOWN) {
                                        progress.println("transaction failed: " + e);
                                    }
                                    if (counted) {
                                        errors.increment();
                                    }
                                    if (errors.sum() > GIVE_UP_AFTER_ERRORS) {
                                        return;
                                    }
                                }
                                if (counted) {
                                    lastReturn[index] = System.nanoTime();
                                }
                            }
                        },
                        "bench-tx-" + t);
                thread.setDaemon(true);
                threads.add(thread);
            }
            threads.forEach(Thread::start);
            if (!ready.await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(
                        "the first transactions did not end within " + START_TIMEOUT_SECONDS + " s");
            }
            if (!options.warmup.isZero()) {
                progress.println("warming up for " + options.warmup.toSeconds() + " s");
            }
            window[0] = System.nanoTime() + options.warmup.toNanos();
            window[1] = window[0] + options.duration.toNanos();
            long measureFrom = window[0];
            try (LoadRunner.Progress p = LoadRunner.Progress.start(
                    progress, options.reportInterval, "transactions committed", committed, commitLatency, total)) {
                go.countDown();
                for (Thread thread : threads) {
                    thread.join();
                }
                p.stop();
            }
            if (errors.sum() > GIVE_UP_AFTER_ERRORS) {
                throw new IllegalStateException("more than " + GIVE_UP_AFTER_ERRORS + " transactions failed");
            }
            total.add(commitLatency.getIntervalHistogram());
            long end = measureFrom;
            for (long r : lastReturn) {
                end = Math.max(end, r);
            }
            long n = committed.sum();
            return LoadResult.of(
                    options.label.isEmpty()
                            ? String.format(
                                    Locale.ROOT,
                                    "transactions %s %dx(%dx%dB+commit)",
                                    options.target,
                                    options.threads,
                                    txSize,
                                    options.size)
                            : options.label,
                    n,
                    n * txSize * options.size,
                    (end - measureFrom) / 1e9,
                    errors.sum(),
                    total);
        }
    }

    private List<byte[]> payloads() {
        List<byte[]> payloads = new ArrayList<>(txSize);
        for (int i = 0; i < txSize; i++) {
            byte[] p = new byte[options.size];
            ThreadLocalRandom.current().nextBytes(p);
            payloads.add(p);
        }
        return payloads;
    }
}
