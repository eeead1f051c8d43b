package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.Message;
import io.imago.broker.BrokerHarness;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageListener;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import io.imago.exception.MetaClientException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/** Helpers of the consumer integration tests: configurations, sending, and a listener that counts. */
public final class ConsumerTesting {
    private ConsumerTesting() {}

    /** A client of the ZooKeeper at {@code zkConnect} with the short timeouts the tests use. */
    public static MetaClientConfig zkClient(String zkConnect) {
        MetaClientConfig c = new MetaClientConfig();
        c.setZkConnect(zkConnect);
        c.setZkSessionTimeoutMs(5_000);
        c.setZkConnectionTimeoutMs(5_000);
        c.setZkSyncTimeMs(500);
        return c;
    }

    /** Shuts the factory down, then the broker (either may be null when start-up failed). */
    static void shutdown(MessageSessionFactory factory, BrokerHarness harness) throws MetaClientException {
        try {
            shutdown(factory);
        } finally {
            if (harness != null) {
                harness.close();
            }
        }
    }

    /** Shuts the factory down; it may be null when start-up failed. */
    static void shutdown(MessageSessionFactory factory) throws MetaClientException {
        if (factory != null) {
            factory.shutdown();
        }
    }

    /** A consumer configuration with short delays, recover files under {@code dir}. */
    static ConsumerConfig consumerConfig(String group, Path dir) {
        ConsumerConfig c = new ConsumerConfig(group);
        c.setFetchRunnerCount(2);
        c.setMaxDelayFetchTimeInMills(200);
        c.setCommitOffsetPeriodInMills(500);
        c.setFetchTimeoutInMills(3_000);
        c.setRecoverThreadCount(1);
        c.setRecoverMessageIntervalInMills(300);
        c.setRecoverDirectory(dir.resolve("recover").toString());
        return c;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends {@code count} messages {@code prefix-i}; returns their ids. */
    static List<Long> send(MessageProducer producer, String topic, String prefix, int count) throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Message m = new Message(topic, bytes(prefix + "-" + i));
            SendResult r = producer.sendMessage(m);
            assertThat(r.isSuccess()).as(r.toString()).isTrue();
            ids.add(m.getId());
        }
        return ids;
    }

    /** Counts deliveries by message id. Thread-safe. */
    static class Counting implements MessageListener {
        final Map<Long, AtomicInteger> seen = new ConcurrentHashMap<>();
        final List<Message> messages = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void receiveMessages(Message message) throws Exception {
            seen.computeIfAbsent(message.getId(), id -> new AtomicInteger()).incrementAndGet();
            messages.add(message);
        }

        @Override
        public Executor getExecutor() {
            return null;
        }

        int duplicates() {
            return seen.values().stream().mapToInt(n -> n.get() - 1).sum();
        }
    }
}
