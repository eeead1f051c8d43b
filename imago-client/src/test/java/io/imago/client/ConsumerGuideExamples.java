package io.imago.client;

import io.imago.Message;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.MessageListener;
import io.imago.client.consumer.storage.LocalOffsetStorage;
import io.imago.client.consumer.storage.MysqlOffsetStorage;
import io.imago.client.consumer.storage.OffsetStorage;
import io.imago.client.extension.OrderedMetaMessageSessionFactory;
import io.imago.client.extension.producer.OrderedMessagePartitionSelector;
import io.imago.client.producer.MessageProducer;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * The consumer examples of docs/client-consumer.md. Each region between {@code // begin:<name>} and
 * {@code // end:<name>} appears verbatim (dedented) in the guide ({@link ClientGuideExamplesTest}
 * checks it) and is run against a real broker by {@link ConsumerGuideExamplesIT}.
 */
final class ConsumerGuideExamples {
    private ConsumerGuideExamples() {}

    // begin:consumer
    /** Joins group "orders-audit" and hands every message of {@code topic} to {@code received}. */
    static MessageConsumer groupConsumer(
            MessageSessionFactory factory, String topic, Path recoverDir, List<String> received)
            throws MetaClientException {
        ConsumerConfig config = new ConsumerConfig("orders-audit");
        config.setRecoverDirectory(recoverDir.toString()); // default ~/.meta_recover
        MessageConsumer consumer = factory.createConsumer(config); // positions in ZooKeeper
        consumer.subscribe(
                topic,
                1024 * 1024,
                new MessageListener() { // up to 1 MiB per fetch
                    @Override
                    public void receiveMessages(Message message) {
                        received.add(new String(message.getData(), java.nio.charset.StandardCharsets.UTF_8));
                    }

                    @Override
                    public Executor getExecutor() {
                        return null; // called on the fetch thread, one message at a time per partition
                    }
                });
        consumer.completeSubscribe(); // registers in the group, takes partitions, starts fetching
        return consumer; // consumer.shutdown() commits the positions and leaves the group
    }
    // end:consumer

    // begin:broadcast
    /** Every host running this gets every message: its group is "cache-flush-<its IP>". */
    static MessageConsumer broadcastConsumer(
            MessageSessionFactory factory, String topic, Path offsetsFile, Path recoverDir, MessageListener listener)
            throws MetaClientException {
        ConsumerConfig config = new ConsumerConfig("cache-flush");
        config.setRecoverDirectory(recoverDir.toString());
        MessageConsumer consumer = factory.createBroadcastConsumer(config, new LocalOffsetStorage(offsetsFile));
        consumer.subscribe(topic, 64 * 1024, listener);
        consumer.completeSubscribe();
        return consumer;
    }
    // end:broadcast

    // begin:recover
    /** A listener that may fail: 2 retries, then the message waits in the recover store. */
    static MessageConsumer consumerWithRecovery(
            MessageSessionFactory factory, String topic, Path recoverDir, MessageListener mayThrow)
            throws MetaClientException {
        ConsumerConfig config = new ConsumerConfig("billing");
        config.setMaxFetchRetries(2); // default 5
        config.setMaxDelayFetchTimeInMills(500); // back-off between retries grows to this
        config.setRecoverDirectory(recoverDir.toString()); // <dir>/<topic>@billing.recover
        config.setRecoverMessageIntervalInMills(1_000); // redelivery rounds; default 5 minutes
        MessageConsumer consumer = factory.createConsumer(config);
        consumer.subscribe(topic, 64 * 1024, mayThrow);
        consumer.completeSubscribe();
        return consumer;
    }
    // end:recover

    // begin:transactional
    /** Stores messages in batches; a batch the store refuses is consumed again. */
    static final class BatchingListener implements MessageListener {
        private final int batchSize;
        private final Predicate<List<Message>> store;
        private final Map<Partition, List<Message>> batches = new HashMap<>(); // ack and rollback are per partition

        BatchingListener(int batchSize, Predicate<List<Message>> store) {
            this.batchSize = batchSize;
            this.store = store;
        }

        @Override
        public synchronized void receiveMessages(Message message) {
            Partition partition = message.getPartition();
            partition.setAutoAck(false);
            List<Message> batch = batches.computeIfAbsent(partition, p -> new ArrayList<>());
            batch.add(message);
            if (batch.size() == batchSize) {
                if (store.test(batch)) {
                    partition.ack(); // the position moves past the whole batch
                } else {
                    partition.rollback(); // the batch is delivered again
                }
                batch.clear();
            }
        }

        @Override
        public Executor getExecutor() {
            return null;
        }
    }
    // end:transactional

    // begin:ordered
    /** Orders of one customer (the attribute) always go to one partition, in order, even across a broker outage. */
    static MessageProducer orderedProducer(String zkConnect, Path localMessageDir) throws MetaClientException {
        MetaClientConfig config = new MetaClientConfig();
        config.setZkConnect(zkConnect);
        Properties partitions = new Properties();
        partitions.setProperty("topic.num.orders", "0:4;1:4"); // every partition, whether its broker is up or not
        config.setPartitionsInfo(partitions);
        MessageSessionFactory factory = new OrderedMetaMessageSessionFactory(config, localMessageDir);
        MessageProducer producer = factory.createProducer(new OrderedMessagePartitionSelector() {
            @Override
            protected Partition choosePartition(String topic, List<Partition> candidates, Message message) {
                return candidates.get(Math.floorMod(message.getAttribute().hashCode(), candidates.size()));
            }
        });
        producer.publish("orders");
        return producer; // a send while its partition is down returns success with offset -1: kept on disk
    }
    // end:ordered

    // begin:mysql
    /** Positions in a MySQL/MariaDB table created with the DDL of docs/offset-storage.md. */
    static MessageConsumer consumerWithMysqlOffsets(
            MessageSessionFactory factory,
            String topic,
            DataSource dataSource,
            String table,
            Path recoverDir,
            MessageListener listener)
            throws MetaClientException {
        ConsumerConfig config = new ConsumerConfig("reports");
        config.setRecoverDirectory(recoverDir.toString());
        OffsetStorage offsets = new MysqlOffsetStorage(dataSource, table); // or (dataSource): the default table
        MessageConsumer consumer = factory.createConsumer(config, offsets);
        consumer.subscribe(topic, 64 * 1024, listener);
        consumer.completeSubscribe();
        return consumer; // the caller closes 'offsets' after consumer.shutdown()
    }
    // end:mysql
}
