package io.imago.bench.load;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs the three load shapes against any system's {@link Targets}: produce (send→acknowledgement
 * latency), consume (records/s reading from the earliest offset) and end to end (send→receipt latency
 * at a fixed offered load). Prints a progress line every {@code --report-interval} on {@code progress}.
 *
 * <p>Every payload starts with the send time ({@link System#nanoTime()}, 8 bytes) and a run id
 * (8 bytes), so an end-to-end run measures only its own records, whatever else the topic holds. With
 * {@code --rate}, each thread sends on a fixed schedule and latency is measured from the scheduled time,
 * not the actual one, so a stall counts against the system (no coordinated omission).
 *
 * <p>Not thread-safe; one run at a time per instance.
 */
public final class LoadRunner {
    private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);
    private static final int HEADER = 16;
    private static final long GIVE_UP_AFTER_ERRORS = 1_000;
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Targets targets;
    private final LoadOptions options;
    private final PrintStream progress;

    public LoadRunner(Targets targets, LoadOptions options, PrintStream progress) {
        options.validate();
        if (options.size < HEADER) {
            throw new IllegalArgumentException("--size must be at least " + HEADER + ": " + options.size);
        }
        this.targets = targets;
        this.options = options;
        this.progress = progress;
    }

    /** {@code bench produce}: sends for {@code --duration} or {@code --messages}; latency is send→ack. */
    public LoadResult produce() throws Exception {
        targets.createTopic(options);
        try (ProducerTarget producer = targets.producer(options)) {
            warmUp(producer, ThreadLocalRandom.current().nextLong());
            Sending sending = new Sending(producer, ThreadLocalRandom.current().nextLong());
            Recorder latency = sending.ackLatency;
            Histogram total = new Histogram(MAX_LATENCY_NANOS, 3);
            try (Progress p = Progress.start(progress, options.reportInterval, "sent", sending.acked, latency, total)) {
                sending.run();
                p.stop();
            }
            sending.failIfHopeless();
            total.add(latency.getIntervalHistogram());
            return LoadResult.of(
                    label("produce"),
                    sending.acked.sum(),
                    sending.acked.sum() * options.size,
                    sending.seconds(),
                    sending.errors.sum(),
                    total);
        }
    }

    /** {@code bench consume}: reads {@code --messages} records (or for {@code --duration}) from the earliest offset. */
    public LoadResult consume() throws Exception {
        LongAdder received = new LongAdder();
        AtomicLong firstNanos = new AtomicLong();
        AtomicLong lastNanos = new AtomicLong();
        long target = options.messages == null ? Long.MAX_VALUE : options.messages;
        Object done = new Object();
        String group = options.group != null ? options.group : "bench-" + Long.toHexString(System.nanoTime());
        long started = System.nanoTime();
        long deadline = started + (options.messages == null ? options.duration.toNanos() : DRAIN_TIMEOUT_NANOS * 5);
        try (ConsumerTarget consumer = targets.consumer(options, group);
                Progress p = Progress.start(progress, options.reportInterval, "received", received, null, null)) {
            consumer.start(payload -> {
                long now = System.nanoTime();
                firstNanos.compareAndSet(0, now);
                received.increment();
                lastNanos.set(now);
                if (received.sum() >= target) {
                    synchronized (done) {
                        done.notifyAll();
                    }
                }
            });
            long lastCount = -1;
            long lastProgress = System.nanoTime();
            synchronized (done) {
                while (received.sum() < target && System.nanoTime() < deadline) {
                    long now = System.nanoTime();
                    if (received.sum() != lastCount) {
                        lastCount = received.sum();
                        lastProgress = now;
                    } else if (options.messages != null && now - lastProgress > STALL_NANOS) {
                        break; // nothing new for a while: the topic holds fewer records than asked
                    }
                    done.wait(Math.max(
                            1,
                            TimeUnit.NANOSECONDS.toMillis(
                                    Math.min(deadline - now, TimeUnit.MILLISECONDS.toNanos(100)))));
                }
            }
            p.stop();
        }
        long n = Math.min(received.sum(), target);
        if (options.messages != null && n < target) {
            throw new IllegalStateException("received " + n + " of " + target + " records, then nothing for "
                    + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS) + " s: does the topic hold that many?");
        }
        double seconds = firstNanos.get() == 0 ? 0 : (lastNanos.get() - firstNanos.get()) / 1e9;
        return LoadResult.of(label("consume"), n, n * options.size, seconds, 0, null);
    }

    /**
     * {@code bench e2e}: one producer and one consumer (fresh group, from the earliest offset) in this
     * process; latency is from the (scheduled) send to the receipt. Waits until the consumer receives a
     * probe before measuring, so the consumer's start-up is not counted.
     */
    public LoadResult endToEnd() throws Exception {
        targets.createTopic(options);
        long runId = ThreadLocalRandom.current().nextLong() | 1; // never 0: probes use 0 in the high bit
        Recorder e2e = new Recorder(MAX_LATENCY_NANOS, 3);
        LongAdder received = new LongAdder();
        AtomicBoolean probeSeen = new AtomicBoolean();
        long probeId = runId ^ Long.MIN_VALUE;
        String group = options.group != null ? options.group : "bench-e2e-" + Long.toHexString(System.nanoTime());
        try (ConsumerTarget consumer = targets.consumer(options, group);
                ProducerTarget producer = targets.producer(options)) {
            consumer.start(payload -> {
                long now = System.nanoTime();
                ByteBuffer b = ByteBuffer.wrap(payload);
                long sentAt = b.getLong(0);
                long id = b.getLong(8);
                if (id == runId) {
                    e2e.recordValue(Math.min(MAX_LATENCY_NANOS, Math.max(0, now - sentAt)));
                    received.increment();
                } else if (id == probeId) {
                    probeSeen.set(true);
                }
            });
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!probeSeen.get()) {
                if (System.nanoTime() > waitUntil) {
                    throw new IllegalStateException("the consumer received nothing within 60 s");
                }
                producer.send(payload(options.size, System.nanoTime(), probeId), error -> {});
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            warmUp(producer, probeId); // the consumer counts only this run's id: warm-up records pass uncounted
            e2e.reset();
            Histogram total = new Histogram(MAX_LATENCY_NANOS, 3);
            Sending sending = new Sending(producer, runId);
            try (Progress p = Progress.start(progress, options.reportInterval, "received", received, e2e, total)) {
                sending.run();
                long drainUntil = System.nanoTime() + DRAIN_TIMEOUT_NANOS;
                while (received.sum() < sending.acked.sum() && System.nanoTime() < drainUntil) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                p.stop();
            }
            sending.failIfHopeless();
            total.add(e2e.getIntervalHistogram());
            return LoadResult.of(
                    label("e2e"),
                    received.sum(),
                    received.sum() * options.size,
                    sending.seconds(),
                    sending.errors.sum() + Math.max(0, sending.acked.sum() - received.sum()),
                    total);
        }
    }

    /** Sends for {@code --warmup} at the configured rate with a run id nobody counts; waits for its acknowledgements. */
    private void warmUp(ProducerTarget producer, long runId) throws InterruptedException {
        if (options.warmup.isZero()) {
            return;
        }
        if (progress != null) {
            progress.println("warming up for " + options.warmup.toSeconds() + " s");
        }
        Sending warm = new Sending(producer, runId, null, options.warmup);
        warm.run();
        warm.failIfHopeless();
    }

    private String label(String shape) {
        return options.label.isEmpty() ? options.target + " " + shape : options.label;
    }

    static byte[] payload(int size, long sentAt, long runId) {
        byte[] payload = new byte[size];
        ByteBuffer b = ByteBuffer.wrap(payload);
        b.putLong(sentAt).putLong(runId);
        for (int i = HEADER; i < size; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        return payload;
    }

    /** The sending half shared by produce and end to end: threads, window, rate, stop condition. */
    private final class Sending {
        final ProducerTarget producer;
        final long runId;
        final Recorder ackLatency = new Recorder(MAX_LATENCY_NANOS, 3);
        final LongAdder acked = new LongAdder();
        final LongAdder errors = new LongAdder();
        final AtomicLong toSend;
        final AtomicLong inFlight = new AtomicLong();
        final java.util.concurrent.atomic.AtomicReference<Throwable> firstError =
                new java.util.concurrent.atomic.AtomicReference<>();
        volatile long startNanos;
        volatile long endNanos;

        private final Long messages;
        private final java.time.Duration duration;

        Sending(ProducerTarget producer, long runId) {
            this(producer, runId, options.messages, options.duration);
        }

        /** Sends {@code messages} records, or for {@code duration} when {@code messages} is null. */
        Sending(ProducerTarget producer, long runId, Long messages, java.time.Duration duration) {
            this.producer = producer;
            this.runId = runId;
            this.messages = messages;
            this.duration = duration;
            this.toSend = new AtomicLong(messages == null ? Long.MAX_VALUE : messages);
        }

        void run() throws InterruptedException {
            int window = options.mode == LoadOptions.Mode.sync ? 1 : options.window;
            long periodNanos =
                    options.rate == 0 ? 0 : Math.max(1, TimeUnit.SECONDS.toNanos(1) * options.threads / options.rate);
            startNanos = System.nanoTime();
            long stopAt = messages == null ? startNanos + duration.toNanos() : Long.MAX_VALUE;
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < options.threads; t++) {
                long offset = periodNanos * t / options.threads;
                Thread thread = new Thread(
                        () -> sendLoop(window, periodNanos, startNanos + offset, stopAt), "bench-sender-" + t);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            long drainUntil = System.nanoTime() + DRAIN_TIMEOUT_NANOS;
            while (inFlight.get() > 0 && System.nanoTime() < drainUntil) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            if (inFlight.get() > 0) {
                errors.add(inFlight.get());
            }
            endNanos = System.nanoTime();
        }

        private void sendLoop(int window, long periodNanos, long firstAt, long stopAt) {
            java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(window);
            long next = firstAt;
            while (toSend.getAndDecrement() > 0) {
                long now = System.nanoTime();
                if (now >= stopAt || hopeless()) {
                    break;
                }
                long scheduled = now;
                if (periodNanos > 0) {
                    while (now < next) {
                        LockSupport.parkNanos(next - now);
                        now = System.nanoTime();
                    }
                    scheduled = next;
                    next += periodNanos;
                }
                permits.acquireUninterruptibly();
                inFlight.incrementAndGet();
                long sentAt = scheduled;
                producer.send(payload(options.size, sentAt, runId), error -> {
                    if (error == null) {
                        ackLatency.recordValue(Math.min(MAX_LATENCY_NANOS, Math.max(0, System.nanoTime() - sentAt)));
                        acked.increment();
                    } else {
                        errors.increment();
                        firstError.compareAndSet(null, error);
                    }
                    inFlight.decrementAndGet();
                    permits.release();
                });
            }
        }

        /** Nothing acknowledged and many failures: the target is unreachable or refuses, no point going on. */
        boolean hopeless() {
            return acked.sum() == 0 && errors.sum() >= GIVE_UP_AFTER_ERRORS;
        }

        /** Throws the first send error when no send succeeded at all. */
        void failIfHopeless() {
            if (acked.sum() == 0 && errors.sum() > 0) {
                Throwable e = firstError.get();
                throw new IllegalStateException(
                        "no record was acknowledged (" + errors.sum() + " failed); first error: "
                                + (e == null ? "unknown" : e.getMessage()),
                        e);
            }
        }

        double seconds() {
            return (endNanos - startNanos) / 1e9;
        }
    }

    /** Prints a progress line on a daemon thread every interval; closes quietly. */
    static final class Progress implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stopped;

        private Progress(
                PrintStream out, long intervalNanos, String verb, LongAdder count, Recorder latency, Histogram total) {
            this.thread = new Thread(
                    () -> {
                        long last = 0;
                        long lastAt = System.nanoTime();
                        while (!stopped) {
                            LockSupport.parkNanos(intervalNanos);
                            if (stopped) {
                                break;
                            }
                            long now = System.nanoTime();
                            long n = count.sum();
                            double rate = (n - last) * 1e9 / Math.max(1, now - lastAt);
                            String line = String.format(Locale.ROOT, "%,d records %s, %,.0f records/s", n, verb, rate);
                            if (latency != null) {
                                Histogram interval = latency.getIntervalHistogram();
                                total.add(interval);
                                if (interval.getTotalCount() > 0) {
                                    line += String.format(
                                            Locale.ROOT,
                                            ", latency ms p50 %.2f, p99 %.2f, max %.2f",
                                            interval.getValueAtPercentile(50) / 1e6,
                                            interval.getValueAtPercentile(99) / 1e6,
                                            interval.getMaxValue() / 1e6);
                                }
                            }
                            out.println(line);
                            last = n;
                            lastAt = now;
                        }
                    },
                    "bench-progress");
            thread.setDaemon(true);
        }

        static Progress start(
                PrintStream out,
                java.time.Duration interval,
                String verb,
                LongAdder count,
                Recorder latency,
                Histogram total) {
            Progress p = new Progress(
                    out, interval.isZero() ? Long.MAX_VALUE : interval.toNanos(), verb, count, latency, total);
            if (!interval.isZero() && out != null) {
                p.thread.start();
            }
            return p;
        }

        /** Stops printing and waits for the printer, so no interval is drained twice. */
        void stop() throws InterruptedException {
            stopped = true;
            thread.interrupt();
            if (thread.isAlive()) {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
        }

        @Override
        public void close() {
            stopped = true;
            thread.interrupt();
        }
    }
}
