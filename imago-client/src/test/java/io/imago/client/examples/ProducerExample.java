package io.imago.client.examples;

import io.imago.Message;
import io.imago.client.MessageSessionFactory;
import io.imago.client.MetaClientConfig;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import java.nio.charset.StandardCharsets;

/** docs/client.md, "A producer": sends ten messages and prints where each one went. */
public final class ProducerExample {
    private ProducerExample() {}

    /** {@code args[0]}: {@code meta://host:port} (direct mode) or a ZooKeeper connect string; args[1]: topic. */
    public static void main(String[] args) throws Exception {
        String where = args.length > 0 ? args[0] : "meta://127.0.0.1:8123";
        String topic = args.length > 1 ? args[1] : "example";
        MetaClientConfig config = new MetaClientConfig();
        if (where.startsWith("meta://")) {
            config.setServerUrl(where); // direct mode: one broker, no ZooKeeper
        } else {
            config.setZkConnect(where); // discovery through ZooKeeper, e.g. 127.0.0.1:2181
        }
        MessageSessionFactory factory = new MetaMessageSessionFactory(config);
        try {
            MessageProducer producer = factory.createProducer();
            producer.publish(topic); // before the first send to the topic
            for (int i = 0; i < 10; i++) {
                Message message = new Message(topic, ("hello " + i).getBytes(StandardCharsets.UTF_8), "greeting");
                SendResult result = producer.sendMessage(message);
                if (result.isSuccess()) {
                    System.out.println("sent id " + message.getId() + " to " + result.getPartition() + " at offset "
                            + result.getOffset());
                } else {
                    System.out.println("refused by the broker: " + result.getErrorMessage());
                }
            }
        } finally {
            factory.shutdown(); // closes the producer, the connections and ZooKeeper
        }
    }
}
