package example;

import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.taobao.metamorphosis.Message;
import com.taobao.metamorphosis.client.MessageSessionFactory;
import com.taobao.metamorphosis.client.MetaClientConfig;
import com.taobao.metamorphosis.client.MetaMessageSessionFactory;
import com.taobao.metamorphosis.client.StatsResult;
import com.taobao.metamorphosis.client.TopicBrowser;
import com.taobao.metamorphosis.client.consumer.ConsumerConfig;
import com.taobao.metamorphosis.client.consumer.MessageConsumer;
import com.taobao.metamorphosis.cluster.Partition;
import com.taobao.metamorphosis.consumer.MessageIterator;
import com.taobao.metamorphosis.exception.MetaClientException;
import com.taobao.metamorphosis.utils.ZkUtils.ZKConfig;

/**
 * Pull consumption at an offset of every partition, a topic browser and the brokers' statistics.
 * Small fetches, so that a partition takes several. Arguments: zkConnect topic group. Prints PARTITION id, PULLED body, BROWSED body, STATS address pid.
 */
public class PullAndBrowse {
    public static void main(String[] args) throws Exception {
        MetaClientConfig metaClientConfig = new MetaClientConfig();
        metaClientConfig.setZkConfig(new ZKConfig("/meta", args[0], 30000, 30000, 5000, true));
        MessageSessionFactory sessionFactory = new MetaMessageSessionFactory(metaClientConfig);
        String topic = args[1];
        List<Partition> partitions = sessionFactory.getPartitionsForTopic(topic);
        MessageConsumer consumer = sessionFactory.createConsumer(new ConsumerConfig(args[2]));
        for (Partition partition : partitions) {
            System.out.println("PARTITION\t" + partition);
            long offset = 0;
            while (true) {
                MessageIterator it = consumer.get(topic, partition, offset, 128); // a few messages per fetch
                if (it == null || !it.hasNext()) {
                    break;
                }
                while (it.hasNext()) {
                    try {
                        Message message = it.next();
                        System.out.println("PULLED\t" + new String(message.getData()));
                    } catch (MetaClientException e) {
                        System.err.println("invalid message: " + e.getMessage());
                        System.exit(1);
                    }
                }
                offset += it.getOffset();
            }
        }
        TopicBrowser browser = sessionFactory.createTopicBrowser(topic);
        Iterator<Message> all = browser.iterator();
        while (all.hasNext()) {
            System.out.println("BROWSED\t" + new String(all.next().getData()));
        }
        browser.shutdown();
        Map<InetSocketAddress, StatsResult> stats = sessionFactory.getStats();
        for (Map.Entry<InetSocketAddress, StatsResult> e : stats.entrySet()) {
            System.out.println("STATS\t" + e.getKey() + "\t" + e.getValue().getValue("pid"));
        }
        consumer.shutdown();
        sessionFactory.shutdown();
        System.out.println("DONE");
    }
}
