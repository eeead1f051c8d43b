import com.taobao.metamorphosis.Message;
import com.taobao.metamorphosis.client.MessageSessionFactory;
import com.taobao.metamorphosis.client.MetaClientConfig;
import com.taobao.metamorphosis.client.MetaMessageSessionFactory;
import com.taobao.metamorphosis.client.producer.MessageProducer;
import com.taobao.metamorphosis.client.producer.SendResult;
import com.taobao.metamorphosis.utils.ZkUtils;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Workload W1 of bench compare on the unmodified MetaQ 1.4.6.2 client (a resource of imago-bench,
 * compiled at run time against the original client's class path and run in its own JVM by
 * io.imago.bench.compare.OriginalClientLoad; only the JDK and that class path are available here).
 *
 * <pre>
 * MetaqLoadDriver ZK_CONNECT TOPIC THREADS DURATION_SECONDS SIZE WARMUP_SECONDS LABEL [TX_SIZE]
 * </pre>
 *
 * One MetaMessageSessionFactory (ZooKeeper at ZK_CONNECT, root /meta), one producer publishing TOPIC,
 * THREADS threads each sending SIZE-byte messages with the synchronous sendMessage(Message) (the
 * client's default 3 s timeout) one after the other. The first WARMUP_SECONDS of sends are not counted
 * (connections, JIT); then each send started in the next DURATION_SECONDS is counted: a success adds a
 * record and its latency (send call to return), a failed result or exception an error. The measured
 * interval runs from the end of the warm-up to the return of the last counted send. A progress line
 * goes to stderr every 5 s; at the end one line "RESULT {json}" with the fields of
 * io.imago.bench.load.LoadResult goes to stdout (latencies in ms, nearest-rank percentiles of all
 * counted sends, null when there are none). Exit code 0 after the RESULT line, 1 on a failure to
 * start.
 *
 * With TX_SIZE > 0 (workload W6, transactions) each unit of work is a local transaction of the client:
 * beginTransaction(), TX_SIZE synchronous sends, commit(); a record of the result is a committed
 * transaction, its latency the commit call to its return, and a failed send (the transaction is rolled
 * back) or commit counts as an error.
 */
public final class MetaqLoadDriver {
    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int MAX_ERRORS_SHOWN = 10;

    private static final LongAdder SENT = new LongAdder();
    private static final LongAdder FAILED = new LongAdder();
    private static final AtomicInteger ERRORS_SHOWN = new AtomicInteger();

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0); // the original client leaves non-daemon threads behind after shutdown
    }

    private static void run(String[] args) throws Exception {
        if (args.length != 7 && args.length != 8) {
            throw new IllegalArgumentException("usage: MetaqLoadDriver ZK_CONNECT TOPIC THREADS DURATION_SECONDS SIZE"
                    + " WARMUP_SECONDS LABEL [TX_SIZE]");
        }
        String zk = args[0];
        String topic = args[1];
        int threads = Integer.parseInt(args[2]);
        long durationNanos = TimeUnit.MILLISECONDS.toNanos((long) (Double.parseDouble(args[3]) * 1000));
        int size = Integer.parseInt(args[4]);
        long warmupNanos = TimeUnit.MILLISECONDS.toNanos((long) (Double.parseDouble(args[5]) * 1000));
        String label = args[6];
        int txSize = args.length == 8 ? Integer.parseInt(args[7]) : 0;

        MetaClientConfig config = new MetaClientConfig();
        ZkUtils.ZKConfig zkConfig = new ZkUtils.ZKConfig(zk, 10000, 10000, 200);
        zkConfig.setZkRoot("/meta");
        config.setZkConfig(zkConfig);
        MessageSessionFactory factory = new MetaMessageSessionFactory(config);
        MessageProducer producer = factory.createProducer();
        producer.publish(topic);

        long start = System.nanoTime();
        long measureFrom = start + warmupNanos;
        long measureUntil = measureFrom + durationNanos;
        Sender[] senders = new Sender[threads];
        CountDownLatch done = new CountDownLatch(threads);
        for (int i = 0; i < threads; i++) {
            senders[i] = new Sender(producer, topic, size, txSize, measureFrom, measureUntil, done);
            Thread t = new Thread(senders[i], "sender-" + i);
            t.setDaemon(true);
            t.start();
        }
        long lastCount = 0;
        long lastTime = System.nanoTime();
        while (!done.await(Math.max(1, Math.min(PROGRESS_NANOS, lastTime + PROGRESS_NANOS - System.nanoTime())),
                TimeUnit.NANOSECONDS)) {
            long now = System.nanoTime();
            if (now - lastTime >= PROGRESS_NANOS) {
                long count = SENT.sum();
                System.err.printf(Locale.ROOT, "%s: %,d sent (%,.0f records/s), %,d errors%s%n", label, count,
                        (count - lastCount) / ((now - lastTime) / 1e9), FAILED.sum(),
                        now < measureFrom ? " [warm-up]" : "");
                lastCount = count;
                lastTime = now;
            }
        }

        long records = 0;
        long errors = 0;
        long lastReturn = measureFrom;
        for (Sender s : senders) {
            records += s.records;
            errors += s.errors;
            lastReturn = Math.max(lastReturn, s.lastReturn);
        }
        long[] all = new long[(int) records];
        int at = 0;
        for (Sender s : senders) {
            System.arraycopy(s.latencies, 0, all, at, s.records);
            at += s.records;
        }
        Arrays.sort(all);
        double seconds = (lastReturn - measureFrom) / 1e9;
        StringBuilder json = new StringBuilder("{");
        json.append("\"label\":").append(quote(label));
        json.append(",\"records\":").append(records);
        json.append(",\"bytes\":").append(records * size * Math.max(1, txSize));
        json.append(",\"seconds\":").append(seconds);
        json.append(",\"errors\":").append(errors);
        json.append(",\"p50Ms\":").append(percentileMs(all, 50));
        json.append(",\"p95Ms\":").append(percentileMs(all, 95));
        json.append(",\"p99Ms\":").append(percentileMs(all, 99));
        json.append(",\"p999Ms\":").append(percentileMs(all, 99.9));
        json.append(",\"maxMs\":").append(all.length == 0 ? "null" : Double.toString(all[all.length - 1] / 1e6));
        json.append('}');
        System.out.println("RESULT " + json);
        System.out.flush();
        producer.shutdown();
        factory.shutdown();
    }

    /** Nearest rank: the smallest latency with at least p% of them at or below it; "null" for none. */
    private static String percentileMs(long[] sorted, double p) {
        if (sorted.length == 0) {
            return "null";
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return Double.toString(sorted[Math.max(0, rank - 1)] / 1e6);
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** One sending thread; its fields are read by the main thread after {@code done} counts it down. */
    private static final class Sender implements Runnable {
        private final MessageProducer producer;
        private final String topic;
        private final byte[] payload;
        private final int txSize;
        private final long measureFrom;
        private final long measureUntil;
        private final CountDownLatch done;
        long[] latencies = new long[1 << 16];
        int records;
        long errors;
        long lastReturn;

        Sender(MessageProducer producer, String topic, int size, int txSize, long measureFrom, long measureUntil,
               CountDownLatch done) {
            this.producer = producer;
            this.txSize = txSize;
            this.topic = topic;
            this.payload = new byte[size];
            ThreadLocalRandom.current().nextBytes(payload);
            this.measureFrom = measureFrom;
            this.measureUntil = measureUntil;
            this.done = done;
        }

        @Override
        public void run() {
            try {
                for (long t0 = System.nanoTime(); t0 < measureUntil; t0 = System.nanoTime()) {
                    boolean ok = txSize > 0 ? sendTransaction() : send();
                    long t1 = System.nanoTime();
                    long from = txSize > 0 ? commitStarted : t0; // a transaction's latency is its commit's
                    if (ok) {
                        SENT.increment();
                    } else {
                        FAILED.increment();
                    }
                    if (t0 < measureFrom) {
                        continue;
                    }
                    lastReturn = t1;
                    if (ok) {
                        if (records == latencies.length) {
                            latencies = Arrays.copyOf(latencies, latencies.length * 2);
                        }
                        latencies[records++] = t1 - from;
                    } else {
                        errors++;
                    }
                }
            } finally {
                done.countDown();
            }
        }

        private long commitStarted;

        /** One transaction: begin, txSize sends, commit; on a failed send, rollback. Sets commitStarted. */
        private boolean sendTransaction() {
            commitStarted = System.nanoTime();
            try {
                producer.beginTransaction();
                for (int i = 0; i < txSize; i++) {
                    if (!send()) {
                        producer.rollback();
                        return false;
                    }
                }
                commitStarted = System.nanoTime();
                producer.commit();
                return true;
            } catch (Exception e) {
                showError(e.toString());
                return false;
            }
        }

        private boolean send() {
            try {
                SendResult result = producer.sendMessage(new Message(topic, payload));
                if (!result.isSuccess()) {
                    showError(result.getErrorMessage());
                }
                return result.isSuccess();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                showError(e.toString());
                return false;
            } catch (Exception e) {
                showError(e.toString());
                return false;
            }
        }

        private static void showError(String error) {
            if (ERRORS_SHOWN.getAndIncrement() < MAX_ERRORS_SHOWN) {
                System.err.println("send failed: " + error);
            }
        }
    }
}
