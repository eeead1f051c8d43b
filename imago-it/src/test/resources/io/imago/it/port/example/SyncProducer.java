package example;

import com.taobao.metamorphosis.Message;
import com.taobao.metamorphosis.client.MessageSessionFactory;
import com.taobao.metamorphosis.client.MetaClientConfig;
import com.taobao.metamorphosis.client.MetaMessageSessionFactory;
import com.taobao.metamorphosis.client.producer.MessageProducer;
import com.taobao.metamorphosis.client.producer.SendResult;
import com.taobao.metamorphosis.exception.MetaClientException;
import com.taobao.metamorphosis.utils.ZkUtils.ZKConfig;

/**
 * A MetaQ 1.4.6.2 producer as its users write it: ZKConfig's public fields, a session factory, publish,
 * synchronous sends. Arguments: zkConnect topic count prefix [attribute]. Prints SENT body partition offset.
 */
public class SyncProducer {
    public static void main(String[] args) throws MetaClientException, InterruptedException {
        MetaClientConfig metaClientConfig = new MetaClientConfig();
        ZKConfig zkConfig = new ZKConfig();
        zkConfig.zkConnect = args[0];
        zkConfig.zkRoot = "/meta";
        metaClientConfig.setZkConfig(zkConfig);
        MessageSessionFactory sessionFactory = new MetaMessageSessionFactory(metaClientConfig);
        MessageProducer producer = sessionFactory.createProducer();
        String topic = args[1];
        producer.publish(topic);
        int count = Integer.parseInt(args[2]);
        for (int i = 0; i < count; i++) {
            String body = args[3] + "-" + i;
            String attribute = args.length > 4 ? args[4] : "sync";
            SendResult sendResult = producer.sendMessage(new Message(topic, body.getBytes(), attribute));
            if (!sendResult.isSuccess()) {
                System.err.println("Send message failed,error message:" + sendResult.getErrorMessage());
                System.exit(1);
            }
            System.out.println("SENT\t" + body + "\t" + sendResult.getPartition() + "\t" + sendResult.getOffset());
        }
        producer.shutdown();
        sessionFactory.shutdown();
        System.out.println("DONE");
    }
}
