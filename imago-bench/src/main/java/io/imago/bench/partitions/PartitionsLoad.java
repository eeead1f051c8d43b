package io.imago.bench.partitions;

import io.imago.protocol.codec.WireDescriptor;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.ValueCommand;
import io.imago.protocol.message.MessageSetIterator;
import io.imago.protocol.message.StoredMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load of {@code bench partitions}: one distinct message put into each partition of a topic, and
 * each read back byte for byte. Partition {@code p} goes over connection {@code p % connections}; each
 * connection is driven by a thread of its own with at most {@code window} requests in flight. Counts
 * progress in the given counters. Immutable; its methods may run one after the other.
 */
final class PartitionsLoad {
    static final String GROUP = "bench-partitions";
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(20);
    private static final int MAX_FETCH_BYTES = 64 * 1024;

    private final String topic;
    private final int partitions;
    private final int connections;
    private final int window;
    private final int payloadBytes;

    PartitionsLoad(String topic, int partitions, int connections, int window, int payloadBytes) {
        this.topic = topic;
        this.partitions = partitions;
        this.connections = connections;
        this.window = window;
        this.payloadBytes = payloadBytes;
    }

    /** Puts one message into each partition; every put must be acknowledged at offset 0 of its partition. */
    void putAll(int port, AtomicInteger acknowledged, Duration deadline) throws Exception {
        onConnections(port, deadline, (conn, share) -> putEach(conn, share, acknowledged));
    }

    /**
     * Reads offset 0 of each partition until each has given back its message; a partition answered
     * with anything but a {@code value} is asked again ({@code retried} counts those) until the deadline.
     */
    void readAll(int port, AtomicInteger read, AtomicInteger retried, Duration deadline) throws Exception {
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        onConnections(port, deadline, (conn, share) -> readEach(conn, share, read, retried, deadlineNanos));
    }

    private void putEach(PipelinedConnection conn, List<Integer> share, AtomicInteger acknowledged) throws IOException {
        Deque<Integer> toSend = new ArrayDeque<>(share);
        Map<Integer, Integer> inFlight = new HashMap<>();
        while (!toSend.isEmpty() || !inFlight.isEmpty()) {
            while (!toSend.isEmpty() && inFlight.size() < window) {
                int p = toSend.poll();
                inFlight.put(conn.put(topic, p, payload(p)), p);
            }
            ResponseCommand reply = conn.read();
            try {
                Integer p = inFlight.remove(reply.opaque());
                if (p == null) {
                    throw new IOException("a reply to no put in flight: " + reply);
                }
                checkPutAck(reply, p);
                acknowledged.incrementAndGet();
            } finally {
                release(reply);
            }
        }
    }

    private static void checkPutAck(ResponseCommand reply, int partition) throws IOException {
        if (!(reply instanceof ResultCommand result) || !result.isSuccess()) {
            throw new IOException("put to partition " + partition + " failed: " + reply);
        }
        // <messageId> <partition> <offset> (spec section 1.4)
        String[] t = result.text().split(WireDescriptor.SEPARATOR);
        if (t.length != 3 || !t[1].equals(Integer.toString(partition)) || !t[2].equals("0")) {
            throw new IOException("put to partition " + partition + " was not acknowledged at its offset 0: '"
                    + result.text() + "' (is the data directory fresh?)");
        }
    }

    private void readEach(
            PipelinedConnection conn, List<Integer> share, AtomicInteger read, AtomicInteger retried, long deadline)
            throws IOException, InterruptedException {
        Deque<Integer> toSend = new ArrayDeque<>(share);
        List<Integer> again = new ArrayList<>();
        Map<Integer, Integer> inFlight = new HashMap<>();
        while (!toSend.isEmpty() || !inFlight.isEmpty() || !again.isEmpty()) {
            if (toSend.isEmpty() && inFlight.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(again.size() + " partitions still unreadable, e.g. " + again.get(0));
                }
                TimeUnit.NANOSECONDS.sleep(RETRY_PAUSE.toNanos());
                toSend.addAll(again);
                again.clear();
            }
            while (!toSend.isEmpty() && inFlight.size() < window) {
                int p = toSend.poll();
                inFlight.put(conn.get(topic, GROUP, p, 0, MAX_FETCH_BYTES), p);
            }
            ResponseCommand reply = conn.read();
            try {
                Integer p = inFlight.remove(reply.opaque());
                if (p == null) {
                    throw new IOException("a reply to no get in flight: " + reply);
                }
                if (reply instanceof ValueCommand value) {
                    checkReadBack(value, p);
                    read.incrementAndGet();
                } else {
                    retried.incrementAndGet();
                    again.add(p);
                }
            } finally {
                release(reply);
            }
        }
    }

    private void checkReadBack(ValueCommand value, int partition) throws IOException {
        MessageSetIterator records = new MessageSetIterator(value.body(), 0);
        if (!records.hasNext()) {
            throw new IOException("partition " + partition + " answered a value without a complete record");
        }
        StoredMessage first = records.next();
        if (!Arrays.equals(first.payload().data(), payload(partition)) || records.hasNext()) {
            throw new IOException("partition " + partition + " does not hold exactly its one message (got "
                    + first.payloadLength() + " bytes at offset 0" + (records.hasNext() ? " and more" : "") + ")");
        }
    }

    /** The message of partition {@code p}: its number, then filler, {@code payloadBytes} long in all. */
    byte[] payload(int p) {
        byte[] head = ("partition " + p + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] payload = new byte[Math.max(payloadBytes, head.length)];
        System.arraycopy(head, 0, payload, 0, head.length);
        for (int i = head.length; i < payload.length; i++) {
            payload[i] = (byte) ('a' + (p + i) % 26);
        }
        return payload;
    }

    private static void release(ResponseCommand reply) {
        reply.release();
    }

    /** What one connection does with its share of the partitions. */
    @FunctionalInterface
    private interface ConnectionWork {
        void run(PipelinedConnection conn, List<Integer> share) throws Exception;
    }

    private void onConnections(int port, Duration deadline, ConnectionWork work) throws Exception {
        List<List<Integer>> shares = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            shares.add(new ArrayList<>());
        }
        for (int p = 0; p < partitions; p++) {
            shares.get(p % connections).add(p);
        }
        ExecutorService pool = Executors.newFixedThreadPool(connections, r -> {
            Thread t = new Thread(r, "bench-partitions-connection");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> done = new ArrayList<>();
            for (List<Integer> share : shares) {
                done.add(pool.submit(() -> {
                    try (PipelinedConnection conn = PipelinedConnection.open(port, REPLY_TIMEOUT)) {
                        work.run(conn, share);
                    }
                    return null;
                }));
            }
            long end = System.nanoTime() + deadline.toNanos();
            for (Future<?> f : done) {
                f.get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }
}
