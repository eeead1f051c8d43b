package example;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.taobao.metamorphosis.Message;
import com.taobao.metamorphosis.client.MetaClientConfig;
import com.taobao.metamorphosis.client.consumer.ConsumerConfig;
import com.taobao.metamorphosis.client.consumer.MessageConsumer;
import com.taobao.metamorphosis.client.consumer.MessageListener;
import com.taobao.metamorphosis.client.extension.BroadcastMessageSessionFactory;
import com.taobao.metamorphosis.client.extension.MetaBroadcastMessageSessionFactory;
import com.taobao.metamorphosis.utils.ZkUtils.ZKConfig;

/**
 * Broadcast consumption, the listener running on its own executor. Arguments: zkConnect topic group
 * expected. Prints RECEIVED body.
 */
public class BroadcastConsumer {
    public static void main(String[] args) throws Exception {
        MetaClientConfig metaClientConfig = new MetaClientConfig();
        ZKConfig zkConfig = new ZKConfig();
        zkConfig.zkConnect = args[0];
        metaClientConfig.setZkConfig(zkConfig);
        BroadcastMessageSessionFactory sessionFactory = new MetaBroadcastMessageSessionFactory(metaClientConfig);
        ConsumerConfig consumerConfig = new ConsumerConfig(args[2]);
        consumerConfig.setMaxDelayFetchTimeInMills(200);
        MessageConsumer consumer = sessionFactory.createBroadcastConsumer(consumerConfig);
        final ExecutorService executor = Executors.newSingleThreadExecutor();
        final CountDownLatch latch = new CountDownLatch(Integer.parseInt(args[3]));
        consumer.subscribe(args[1], 1024 * 1024, new MessageListener() {
            public void recieveMessages(Message message) throws InterruptedException {
                System.out.println("RECEIVED\t" + new String(message.getData()));
                latch.countDown();
            }

            public Executor getExecutor() {
                return executor;
            }
        }).completeSubscribe();
        if (!latch.await(60, TimeUnit.SECONDS)) {
            System.err.println("messages missing: " + latch.getCount());
            System.exit(1);
        }
        consumer.shutdown();
        executor.shutdown();
        sessionFactory.shutdown();
        System.out.println("DONE");
    }
}
