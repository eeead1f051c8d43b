package example;

import java.util.List;
import java.util.Properties;

import com.taobao.metamorphosis.Message;
import com.taobao.metamorphosis.client.MessageSessionFactory;
import com.taobao.metamorphosis.client.MetaClientConfig;
import com.taobao.metamorphosis.client.extension.OrderedMetaMessageSessionFactory;
import com.taobao.metamorphosis.client.extension.producer.OrderedMessagePartitionSelector;
import com.taobao.metamorphosis.client.producer.MessageProducer;
import com.taobao.metamorphosis.client.producer.SendResult;
import com.taobao.metamorphosis.cluster.Partition;

/**
 * Ordered messages: every message of one key goes to the partition its key hashes to, among the
 * partitions configured for the topic. Arguments: zkConnect topic brokerId partitions keys perKey.
 * Prints SENT key sequence partition offset.
 */
public class OrderedProducer {
    public static void main(String[] args) throws Exception {
        final String topic = args[1];
        MetaClientConfig metaClientConfig = new MetaClientConfig();
        metaClientConfig.setZkConnect(args[0]);
        Properties partitionsInfo = new Properties();
        partitionsInfo.put("topic.num." + topic, args[2] + ":" + args[3]);
        metaClientConfig.setPartitionsInfo(partitionsInfo);
        MessageSessionFactory sessionFactory = new OrderedMetaMessageSessionFactory(metaClientConfig);
        MessageProducer producer = sessionFactory.createProducer(new OrderedMessagePartitionSelector() {
            @Override
            protected Partition choosePartition(String topic, List<Partition> partitions, Message message) {
                String key = message.getAttribute();
                return partitions.get(Math.abs(key.hashCode()) % partitions.size());
            }
        });
        producer.publish(topic);
        int keys = Integer.parseInt(args[4]);
        int perKey = Integer.parseInt(args[5]);
        for (int seq = 0; seq < perKey; seq++) {
            for (int k = 0; k < keys; k++) {
                String key = "key" + k;
                SendResult result = producer.sendMessage(new Message(topic, (key + ":" + seq).getBytes(), key));
                if (!result.isSuccess()) {
                    System.err.println("send failed: " + result.getErrorMessage());
                    System.exit(1);
                }
                System.out.println("SENT\t" + key + "\t" + seq + "\t" + result.getPartition() + "\t" + result.getOffset());
            }
        }
        producer.shutdown();
        sessionFactory.shutdown();
        System.out.println("DONE");
    }
}
