package io.imago.client.examples;

import io.imago.Message;
import io.imago.client.MessageSessionFactory;
import io.imago.client.MetaClientConfig;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendMessageCallback;
import io.imago.client.producer.SendResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** docs/client.md, "Asynchronous sends": 10 000 sends with a callback, then one with a CompletableFuture. */
public final class AsyncSendExample {
    private AsyncSendExample() {}

    /** {@code args[0]}: {@code meta://host:port} or a ZooKeeper connect string; args[1]: topic. */
    public static void main(String[] args) throws Exception {
        String where = args.length > 0 ? args[0] : "meta://127.0.0.1:8123";
        String topic = args.length > 1 ? args[1] : "example";
        MetaClientConfig config = new MetaClientConfig();
        if (where.startsWith("meta://")) {
            config.setServerUrl(where);
        } else {
            config.setZkConnect(where);
        }
        MessageSessionFactory factory = new MetaMessageSessionFactory(config);
        try {
            MessageProducer producer = factory.createProducer();
            producer.publish(topic);
            int count = 10_000;
            CountDownLatch done = new CountDownLatch(count);
            AtomicLong failed = new AtomicLong();
            for (int i = 0; i < count; i++) {
                producer.sendMessage(
                        new Message(topic, new byte[100]),
                        new SendMessageCallback() {
                            @Override
                            public void onMessageSent(SendResult result) { // exactly one of the two is called
                                if (!result.isSuccess()) {
                                    failed.incrementAndGet();
                                }
                                done.countDown();
                            }

                            @Override
                            public void onException(Throwable error) { // no reply: timeout, no connection
                                failed.incrementAndGet();
                                done.countDown();
                            }
                        },
                        10,
                        TimeUnit.SECONDS);
            }
            done.await();
            System.out.println(count + " sent, " + failed.get() + " failed");

            CompletableFuture<SendResult> future = producer.sendMessageAsync(new Message(topic, new byte[100]));
            System.out.println("future: " + future.get(10, TimeUnit.SECONDS));
        } finally {
            factory.shutdown();
        }
    }
}
