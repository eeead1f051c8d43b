package example;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import com.taobao.metamorphosis.Message;
import com.taobao.metamorphosis.client.MessageSessionFactory;
import com.taobao.metamorphosis.client.MetaClientConfig;
import com.taobao.metamorphosis.client.MetaMessageSessionFactory;
import com.taobao.metamorphosis.client.consumer.ConsumerConfig;
import com.taobao.metamorphosis.client.consumer.MessageConsumer;
import com.taobao.metamorphosis.client.consumer.MessageListener;
import com.taobao.metamorphosis.consumer.ConsumerMessageFilter;
import com.taobao.metamorphosis.utils.ZkUtils;

/**
 * A consumer group with MetaQ's misspelled listener method and a client-side filter that drops messages
 * whose attribute is "skip". Arguments: zkConnect topic group expected. Prints RECEIVED body partition.
 */
public class GroupConsumer {
    public static void main(String[] args) throws Exception {
        MetaClientConfig metaClientConfig = new MetaClientConfig();
        ZkUtils.ZKConfig zkConfig = new ZkUtils.ZKConfig(args[0], 30000, 30000, 5000);
        metaClientConfig.setZkConfig(zkConfig);
        MessageSessionFactory sessionFactory = new MetaMessageSessionFactory(metaClientConfig);
        ConsumerConfig consumerConfig = new ConsumerConfig(args[2]);
        consumerConfig.setMaxDelayFetchTimeInMills(200);
        MessageConsumer consumer = sessionFactory.createConsumer(consumerConfig);
        final CountDownLatch latch = new CountDownLatch(Integer.parseInt(args[3]));
        consumer.subscribe(args[1], 1024 * 1024, new MessageListener() {
            @Override
            public void recieveMessages(Message message) {
                System.out.println("RECEIVED\t" + new String(message.getData()) + "\t" + message.getPartition());
                latch.countDown();
            }

            @Override
            public Executor getExecutor() {
                return null;
            }
        }, new ConsumerMessageFilter() {
            @Override
            public boolean accept(String group, Message message) {
                return !"skip".equals(message.getAttribute());
            }
        });
        consumer.completeSubscribe();
        if (!latch.await(60, TimeUnit.SECONDS)) {
            System.err.println("messages missing: " + latch.getCount());
            System.exit(1);
        }
        consumer.shutdown();
        sessionFactory.shutdown();
        System.out.println("DONE");
    }
}
