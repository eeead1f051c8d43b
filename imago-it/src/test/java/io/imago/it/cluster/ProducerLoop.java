package io.imago.it.cluster;

import io.imago.Message;
import io.imago.client.MetaClientConfig;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import io.imago.exception.MetaClientException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An Imago producer ({@code imago-client}, default round-robin selector) that sends one small message
 * to a topic every {@code periodMs} on a background thread, as a running application would, and
 * records the outcome of every send: acknowledged (by message id, with partition and offset) or
 * failed (the error). A throwable other than a failed send is kept and rethrown by {@link #check()}.
 *
 * <p>Lifecycle: {@link #start} begins sending; {@link #stop()} (or {@link #close()}) stops the thread (waiting for it) and
 * shuts the producer down; idempotent. Thread-safe: the sender records, tests read from theirs.
 */
public final class ProducerLoop implements AutoCloseable {
    /** One acknowledged send. */
    public record Acked(long id, String partition, long offset, long sequence) {}

    private final String topic;
    private final MetaMessageSessionFactory factory;
    private final MessageProducer producer;
    private final ScheduledExecutorService sender;
    private final Map<Long, Acked> acked = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final AtomicReference<Throwable> broken = new AtomicReference<>();
    private long sequence;

    private ProducerLoop(String topic, MetaMessageSessionFactory factory, MessageProducer producer) {
        this.topic = topic;
        this.factory = factory;
        this.producer = producer;
        this.sender = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "producer-loop-" + topic));
    }

    /** Starts a producer of {@code topic} sending every {@code periodMs}. */
    @SuppressWarnings("FutureReturnValueIgnored") // sendOne records what stops it, read through broken
    public static ProducerLoop start(String zkConnect, String topic, long periodMs) throws MetaClientException {
        MetaClientConfig config = new MetaClientConfig();
        config.setZkConnect(zkConnect);
        MetaMessageSessionFactory factory = new MetaMessageSessionFactory(config);
        MessageProducer producer = factory.createProducer();
        producer.publish(topic);
        ProducerLoop loop = new ProducerLoop(topic, factory, producer);
        loop.sender.scheduleWithFixedDelay(loop::sendOne, 0, periodMs, TimeUnit.MILLISECONDS);
        return loop;
    }

    private void sendOne() {
        try {
            long seq;
            synchronized (acked) {
                seq = sequence++;
            }
            Message message = new Message(topic, ("message " + seq).getBytes(StandardCharsets.UTF_8), "seq-" + seq);
            SendResult result;
            try {
                result = producer.sendMessage(message, 2, TimeUnit.SECONDS);
            } catch (MetaClientException e) {
                result = new SendResult(false, null, -1, e.toString());
            }
            synchronized (acked) {
                if (result.isSuccess()) {
                    acked.put(
                            message.getId(),
                            new Acked(message.getId(), result.getPartition().toString(), result.getOffset(), seq));
                } else {
                    failures.add(seq + ": " + result.getErrorMessage());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            broken.compareAndSet(null, t);
            throw t;
        }
    }

    /** Every acknowledged send so far, by message id, in send order. */
    public Map<Long, Acked> acked() {
        synchronized (acked) {
            return new LinkedHashMap<>(acked);
        }
    }

    /** How many sends have completed, acknowledged or not. */
    public long attempts() {
        synchronized (acked) {
            return (long) acked.size() + failures.size();
        }
    }

    /** The errors of the sends that were not acknowledged, as {@code sequence: error}. */
    public List<String> failures() {
        synchronized (acked) {
            return List.copyOf(failures);
        }
    }

    /** The partitions that acknowledged a send numbered at least {@code fromSequence}. */
    public Set<String> partitionsUsedSince(long fromSequence) {
        Set<String> used = new HashSet<>();
        for (Acked a : acked().values()) {
            if (a.sequence() >= fromSequence) {
                used.add(a.partition());
            }
        }
        return used;
    }

    /** The next sequence number to be sent. */
    public long nextSequence() {
        synchronized (acked) {
            return sequence;
        }
    }

    /** Fails if the sending thread died of something other than a failed send. */
    public void check() {
        Throwable t = broken.get();
        if (t != null) {
            throw new AssertionError("the producer loop of " + topic + " died", t);
        }
    }

    /**
     * Stops sending and shuts the producer down; idempotent. A send in progress is left to finish (it is
     * not interrupted, so stopping is never recorded as a failed send).
     */
    public void stop() throws MetaClientException {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the producer loop of " + topic + " did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the producer loop of " + topic, e);
        } finally {
            factory.shutdown();
        }
    }

    /** {@link #stop()}. */
    @Override
    public void close() throws MetaClientException {
        stop();
    }
}
