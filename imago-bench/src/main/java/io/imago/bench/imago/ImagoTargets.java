package io.imago.bench.imago;

import io.imago.Message;
import io.imago.bench.load.ConsumerTarget;
import io.imago.bench.load.LoadOptions;
import io.imago.bench.load.ProducerTarget;
import io.imago.bench.load.Targets;
import io.imago.bench.load.TransactionalProducer;
import io.imago.client.MetaClientConfig;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.MessageListener;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendMessageCallback;
import io.imago.client.producer.SendResult;
import io.imago.exception.MetaClientException;
import io.imago.protocol.zk.BrokerUrl;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imago through its own Java client: brokers found through ZooKeeper ({@code --zk}, {@code --zk-root}),
 * round-robin partition selection, a consumer group reading from the earliest offset. Topics need no
 * creating: the broker's {@code server.ini} (or its first put) defines them.
 */
public final class ImagoTargets implements Targets {
    private static final Logger LOG = LoggerFactory.getLogger(ImagoTargets.class);
    private static final int FETCH_MAX_SIZE = 1024 * 1024;
    /** As long as Kafka's producer waits by default (delivery.timeout.ms = 120 s is longer; 30 s is plenty here). */
    private static final long SEND_TIMEOUT_SECONDS = 30;

    @Override
    public ProducerTarget producer(LoadOptions options) throws MetaClientException {
        MetaMessageSessionFactory factory = new MetaMessageSessionFactory(clientConfig(options));
        MessageProducer producer = factory.createProducer();
        producer.publish(options.topic);
        String topic = options.topic;
        return new ProducerTarget() {
            @Override
            public void send(byte[] payload, Completion done) {
                producer.sendMessage(
                        new Message(topic, payload),
                        new SendMessageCallback() {
                            @Override
                            public void onMessageSent(SendResult result) {
                                done.completed(
                                        result.isSuccess()
                                                ? null
                                                : new IllegalStateException(result.getErrorMessage()));
                            }

                            @Override
                            public void onException(Throwable error) {
                                done.completed(error);
                            }
                        },
                        SEND_TIMEOUT_SECONDS,
                        TimeUnit.SECONDS);
            }

            @Override
            public void close() {
                shutdown(factory);
            }
        };
    }

    /**
     * One producer for every sending thread, as MetaQ's API has it: a local transaction is bound to the
     * thread that began it. A transaction is {@code beginTransaction}, synchronous {@code sendMessage}s,
     * {@code commit}; a failed send rolls it back.
     */
    @Override
    public TransactionalProducer transactionalProducer(LoadOptions options) throws MetaClientException {
        MetaMessageSessionFactory factory = new MetaMessageSessionFactory(clientConfig(options));
        MessageProducer producer = factory.createProducer();
        producer.publish(options.topic);
        String topic = options.topic;
        return new TransactionalProducer() {
            @Override
            public long transact(List<byte[]> payloads) throws Exception {
                producer.beginTransaction();
                try {
                    for (byte[] payload : payloads) {
                        SendResult result = producer.sendMessage(new Message(topic, payload));
                        if (!result.isSuccess()) {
                            throw new IllegalStateException(result.getErrorMessage());
                        }
                    }
                } catch (Exception e) {
                    producer.rollback();
                    throw e;
                }
                long t0 = System.nanoTime();
                producer.commit();
                return System.nanoTime() - t0;
            }

            @Override
            public void close() {
                shutdown(factory);
            }
        };
    }

    @Override
    public ConsumerTarget consumer(LoadOptions options, String group) throws MetaClientException {
        MetaMessageSessionFactory factory = new MetaMessageSessionFactory(clientConfig(options));
        ConsumerConfig config = new ConsumerConfig(group);
        config.setFetchRunnerCount(
                Math.max(1, Math.min(options.partitions, Runtime.getRuntime().availableProcessors())));
        MessageConsumer consumer = factory.createConsumer(config);
        return new ConsumerTarget() {
            @Override
            public void start(RecordSink sink) throws MetaClientException {
                consumer.subscribe(options.topic, FETCH_MAX_SIZE, new MessageListener() {
                    @Override
                    public void receiveMessages(Message message) {
                        sink.accept(message.getData());
                    }

                    @Override
                    public Executor getExecutor() {
                        return null;
                    }
                });
                consumer.completeSubscribe();
            }

            @Override
            public void close() {
                shutdown(factory);
            }
        };
    }

    private static MetaClientConfig clientConfig(LoadOptions options) {
        MetaClientConfig config = new MetaClientConfig();
        if (options.broker != null) {
            config.setServerUrl(BrokerUrl.SCHEME + options.broker);
            return config;
        }
        config.setZkConnect(options.zkConnect);
        config.setZkRoot(options.zkRoot);
        config.setZkConnectionTimeoutMs(10_000);
        return config;
    }

    private static void shutdown(MetaMessageSessionFactory factory) {
        try {
            factory.shutdown();
        } catch (MetaClientException e) {
            LOG.warn("shutting the client down: {}", e.getMessage());
        }
    }
}
