package example;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.taobao.metamorphosis.Message;
import com.taobao.metamorphosis.client.MessageSessionFactory;
import com.taobao.metamorphosis.client.MetaClientConfig;
import com.taobao.metamorphosis.client.MetaMessageSessionFactory;
import com.taobao.metamorphosis.client.producer.MessageProducer;
import com.taobao.metamorphosis.client.producer.SendMessageCallback;
import com.taobao.metamorphosis.client.producer.SendResult;

/**
 * Asynchronous sends with a callback, the factory configured through MetaClientConfig's convenience
 * setters. Arguments: zkConnect topic count prefix. Prints SENT body partition, or FAILED body reason.
 */
public class AsyncProducer {
    public static void main(String[] args) throws Exception {
        MetaClientConfig config = new MetaClientConfig();
        config.setZkConnect(args[0]);
        config.setZkSessionTimeoutMs(30000);
        MessageSessionFactory sessionFactory = new MetaMessageSessionFactory(config);
        final MessageProducer producer = sessionFactory.createProducer();
        final String topic = args[1];
        producer.publish(topic);
        int count = Integer.parseInt(args[2]);
        final CountDownLatch latch = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            final String body = args[3] + "-" + i;
            producer.sendMessage(new Message(topic, body.getBytes()), new SendMessageCallback() {
                @Override
                public void onMessageSent(SendResult result) {
                    if (result.isSuccess()) {
                        System.out.println("SENT\t" + body + "\t" + result.getPartition());
                    } else {
                        System.out.println("FAILED\t" + body + "\t" + result.getErrorMessage());
                    }
                    latch.countDown();
                }

                @Override
                public void onException(Throwable e) {
                    System.out.println("FAILED\t" + body + "\t" + e);
                    latch.countDown();
                }
            }, 10, TimeUnit.SECONDS);
        }
        if (!latch.await(60, TimeUnit.SECONDS)) {
            System.err.println("callbacks missing");
            System.exit(1);
        }
        producer.shutdown();
        sessionFactory.shutdown();
        System.out.println("DONE");
    }
}
