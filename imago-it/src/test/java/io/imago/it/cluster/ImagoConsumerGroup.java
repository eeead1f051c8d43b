package io.imago.it.cluster;

import io.imago.Message;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.MessageListener;
import io.imago.exception.MetaClientException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * A consumer group of Imago's client ({@code imago-client}) in the test JVM: {@code n} consumers of
 * one topic, each with its own session factory (as separate applications would be), recording every
 * message they are handed. Fetches back off at most 200 ms and positions are committed every second,
 * so tests see deliveries and commits quickly.
 *
 * <p>Lifecycle: {@link #start} subscribes every consumer; {@link #close()} shuts them down (committing
 * their positions) and is idempotent. Thread-safe: listeners record on fetch threads, tests read the
 * records from theirs.
 */
public final class ImagoConsumerGroup implements AutoCloseable {
    /** One delivery: which consumer of the group got which message. */
    public record Received(int consumer, String partition, long id, long offset, String attribute, byte[] data) {}

    private final List<MetaMessageSessionFactory> factories = new ArrayList<>();
    private final List<Received> received = new ArrayList<>();

    private ImagoConsumerGroup() {}

    /** Starts {@code n} consumers of {@code group} on {@code topic}, each fetching up to {@code maxSize} bytes. */
    public static ImagoConsumerGroup start(
            String zkConnect, String topic, String group, int n, int maxSize, Path recoverDir)
            throws MetaClientException {
        ImagoConsumerGroup consumers = new ImagoConsumerGroup();
        try {
            for (int i = 0; i < n; i++) {
                consumers.add(zkConnect, topic, group, i, maxSize, recoverDir);
            }
        } catch (MetaClientException | RuntimeException e) {
            consumers.close();
            throw e;
        }
        return consumers;
    }

    private void add(String zkConnect, String topic, String group, int index, int maxSize, Path recoverDir)
            throws MetaClientException {
        ConsumerConfig config = new ConsumerConfig(group);
        config.setZkConnect(zkConnect);
        config.setMaxDelayFetchTimeInMills(200);
        config.setCommitOffsetPeriodInMills(1000);
        config.setRecoverDirectory(recoverDir.toString());
        MetaMessageSessionFactory factory = new MetaMessageSessionFactory(config);
        factories.add(factory);
        MessageConsumer consumer = factory.createConsumer(config);
        consumer.subscribe(topic, maxSize, new MessageListener() {
            @Override
            public void receiveMessages(Message m) {
                record(new Received(
                        index, m.getPartition().toString(), m.getId(), m.getOffset(), m.getAttribute(), m.getData()));
            }

            @Override
            public Executor getExecutor() {
                return null;
            }
        });
        consumer.completeSubscribe();
    }

    private void record(Received r) {
        synchronized (received) {
            received.add(r);
        }
    }

    /** Every delivery so far, in the order they happened. */
    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** The deliveries so far by message id (more than one = redelivered). */
    public Map<Long, List<Received>> byId() {
        Map<Long, List<Received>> byId = new HashMap<>();
        for (Received r : received()) {
            byId.computeIfAbsent(r.id(), id -> new ArrayList<>()).add(r);
        }
        return byId;
    }

    /** The ids of every message delivered so far. */
    public Set<Long> ids() {
        Set<Long> ids = new HashSet<>();
        for (Received r : received()) {
            ids.add(r.id());
        }
        return ids;
    }

    /** Shuts every consumer down (committing positions); idempotent. */
    @Override
    public void close() throws MetaClientException {
        MetaClientException first = null;
        for (MetaMessageSessionFactory factory : factories) {
            try {
                factory.shutdown();
            } catch (MetaClientException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        factories.clear();
        if (first != null) {
            throw first;
        }
    }
}
