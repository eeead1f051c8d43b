package io.imago.client.tx;

import io.imago.Message;
import io.imago.client.MessageSessionFactory;
import io.imago.client.TopicBrowser;
import io.imago.client.producer.PartitionSelector;
import io.imago.client.producer.XAMessageProducer;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAResource;

/** Helpers of the transaction integration tests. */
final class TxTesting {
    private TxTesting() {}

    static Message message(String topic, String data) {
        return new Message(topic, data.getBytes(StandardCharsets.UTF_8));
    }

    /** A message the {@link #byBroker()} selector sends to broker {@code brokerId}. */
    static Message toBroker(String topic, String data, int brokerId) {
        return new Message(topic, data.getBytes(StandardCharsets.UTF_8), String.valueOf(brokerId));
    }

    /** Sends a message to a partition of the broker its attribute names. */
    static PartitionSelector byBroker() {
        return (topic, partitions, message) -> {
            int broker = Integer.parseInt(message.getAttribute());
            return partitions.stream()
                    .filter(p -> p.getBrokerId() == broker)
                    .findFirst()
                    .orElseThrow(
                            () -> new MetaClientException("no partition of broker " + broker + " in " + partitions));
        };
    }

    /** The data of every message stored in {@code topic} now (every partition of every broker). */
    static List<String> stored(MessageSessionFactory factory, String topic) {
        List<String> all = new ArrayList<>();
        TopicBrowser browser = factory.createTopicBrowser(topic, 64 * 1024, 5, TimeUnit.SECONDS);
        try {
            browser.iterator().forEachRemaining(m -> all.add(new String(m.getData(), StandardCharsets.UTF_8)));
        } finally {
            browser.shutdown();
        }
        return all;
    }

    /** The calling thread's resource of {@code producer} (its checked exception cannot happen). */
    static XAResource resource(XAMessageProducer producer) {
        try {
            return producer.getXAResource();
        } catch (MetaClientException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The branches {@code producer} is still finishing. */
    static int branches(XAMessageProducer producer) {
        return SimpleXAMessageProducerAccess.liveBranches(producer);
    }

    static List<Partition> partitions(MessageSessionFactory factory, String topic) {
        return factory.getPartitionsForTopic(topic);
    }
}
