package io.imago.it.client;

import io.imago.Message;
import io.imago.client.MessageSessionFactory;
import io.imago.client.MetaClientConfig;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.MessageListener;
import io.imago.client.extension.OrderedMetaMessageSessionFactory;
import io.imago.client.producer.MessageProducer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * An application that uses every kind of client thread (connections, ZooKeeper, a group consumer with
 * its coordinator, commit timer, fetch and recover threads, an ordered producer with its resender) and
 * returns from {@code main} without calling {@code shutdown()}. Arguments: zkConnect topic. Prints
 * RECEIVED once its message came back, then RETURNING as main ends.
 */
public final class ForgetsShutdown {
    private ForgetsShutdown() {}

    public static void main(String[] args) throws Exception {
        MetaClientConfig config = new MetaClientConfig();
        config.setZkConnect(args[0]);
        MessageSessionFactory factory = new OrderedMetaMessageSessionFactory(config);
        MessageProducer producer = factory.createProducer();
        producer.publish(args[1]);
        ConsumerConfig consumerConfig = new ConsumerConfig("forgets-shutdown");
        consumerConfig.setMaxDelayFetchTimeInMills(100);
        MessageConsumer consumer = factory.createConsumer(consumerConfig);
        CountDownLatch received = new CountDownLatch(1);
        consumer.subscribe(args[1], 64 * 1024, new MessageListener() {
                    @Override
                    public void recieveMessages(Message message) {
                        received.countDown();
                    }

                    @Override
                    public Executor getExecutor() {
                        return null;
                    }
                })
                .completeSubscribe();
        producer.sendMessage(new Message(args[1], "hello".getBytes(StandardCharsets.UTF_8)));
        if (!received.await(60, TimeUnit.SECONDS)) {
            System.exit(3);
        }
        System.out.println("RECEIVED");
        System.out.println("RETURNING");
    }
}
