package io.imago.bench.kafka;

import io.imago.bench.load.ConsumerTarget;
import io.imago.bench.load.LoadOptions;
import io.imago.bench.load.ProducerTarget;
import io.imago.bench.load.Targets;
import io.imago.bench.load.TransactionalProducer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka through its own Java client ({@code kafka-clients}), reached at {@code --bootstrap}.
 *
 * <p><b>Producer</b>: one {@link KafkaProducer} of byte arrays with {@code acks=1} (the leader's
 * acknowledgement, like an Imago or MetaQ broker's) and idempotence off (it needs {@code acks=all}).
 * Everything else is Kafka's default, batching included: {@code linger.ms=5} (the default since Kafka
 * 4.0), {@code batch.size=16384}, {@code buffer.memory=32 MiB}, {@code max.in.flight.requests.per.connection=5},
 * no compression. Records have no key, so the default partitioner spreads them over the partitions
 * (sticky: one partition per batch). A send completes its {@link ProducerTarget.Completion} from the
 * producer's callback (its I/O thread).
 *
 * <p><b>Consumer</b>: one {@link KafkaConsumer} that {@code assign()}s every partition of the topic and
 * seeks to the beginning, without a consumer group (no group coordination, no commits, so its start-up
 * is not a rebalance; the {@code group} argument is not used). Fetch settings are Kafka's defaults
 * ({@code max.poll.records=500}, {@code max.partition.fetch.bytes=1 MiB}). A daemon thread polls and hands
 * each record's value to the sink until the target is closed.
 *
 * <p><b>Transactional producer</b> ({@code bench transactions}): one {@link KafkaProducer} per sending
 * thread (a Kafka producer runs one transaction at a time) with its own {@code transactional.id}, which
 * implies idempotence and {@code acks=all} (one node here, so the leader's write); a transaction is
 * {@code beginTransaction}, each record sent and waited for ({@code send().get()}, synchronous like the
 * MetaQ client's sends, with {@code linger.ms=0}: a waited-for send has nothing to batch with), then
 * {@code commitTransaction}; a consumer with
 * {@code isolation.level=read_committed} would see the records only then (the bench does not read them).
 *
 * <p>{@link #createTopic} creates the topic with {@code --partitions} partitions, replication factor 1,
 * through the Admin client if it does not exist, and waits until every partition has a leader.
 *
 * <p>Thread-safe: holds no state; each producer target may be used from several threads (as
 * {@link KafkaProducer} is), each consumer target is started and closed once.
 */
public final class KafkaTargets implements Targets {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTargets.class);
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public ProducerTarget producer(LoadOptions options) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "imago-bench-producer");
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        String topic = options.topic;
        return new ProducerTarget() {
            @Override
            @SuppressWarnings("FutureReturnValueIgnored") // Kafka tells the outcome to the callback as well
            public void send(byte[] payload, Completion done) {
                try {
                    producer.send(new ProducerRecord<>(topic, payload), (metadata, error) -> done.completed(error));
                } catch (RuntimeException e) {
                    // Thrown before the record was queued (no callback follows): e.g. no buffer space within
                    // max.block.ms, or the producer is closed.
                    done.completed(e);
                }
            }

            @Override
            public void close() {
                producer.close(CLOSE_TIMEOUT);
            }
        };
    }

    @Override
    public TransactionalProducer transactionalProducer(LoadOptions options) {
        String topic = options.topic;
        String prefix = "imago-bench-tx-" + UUID.randomUUID() + "-";
        Map<Thread, KafkaProducer<byte[], byte[]>> producers = new ConcurrentHashMap<>();
        return new TransactionalProducer() {
            @Override
            public long transact(List<byte[]> payloads) throws Exception {
                KafkaProducer<byte[], byte[]> producer = producers.computeIfAbsent(
                        Thread.currentThread(), t -> transactional(options, prefix + t.getName()));
                producer.beginTransaction();
                try {
                    for (byte[] payload : payloads) {
                        producer.send(new ProducerRecord<>(topic, payload)).get();
                    }
                } catch (ExecutionException | RuntimeException e) {
                    producer.abortTransaction();
                    throw e;
                }
                long t0 = System.nanoTime();
                producer.commitTransaction();
                return System.nanoTime() - t0;
            }

            @Override
            public void close() {
                producers.values().forEach(p -> p.close(CLOSE_TIMEOUT));
            }
        };
    }

    private static KafkaProducer<byte[], byte[]> transactional(LoadOptions options, String transactionalId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        // each send is waited for before the next, so nothing can batch behind it: lingering (5 ms by
        // default since Kafka 4.0) would only add its wait to every send
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId);
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }

    @Override
    public ConsumerTarget consumer(LoadOptions options, String group) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "imago-bench-consumer");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        return new KafkaConsumerTarget(consumer, options.topic);
    }

    @Override
    public void createTopic(LoadOptions options) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap))) {
            ensureTopic(admin, options.topic, options.partitions, TOPIC_TIMEOUT);
        }
    }

    /**
     * Creates {@code topic} with {@code partitions} partitions and replication factor 1 unless it exists,
     * then waits until every partition has a leader. An existing topic with another partition count is
     * kept as it is (with a warning).
     *
     * @throws TimeoutException when the partitions have no leader within {@code timeout}
     */
    public static void ensureTopic(Admin admin, String topic, int partitions, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> names = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!names.contains(topic)) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                        .all()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        while (true) {
            try {
                TopicDescription d = admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .get(topic);
                if (d.partitions().stream()
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    if (d.partitions().size() != partitions) {
                        LOG.warn(
                                "topic {} exists with {} partitions, not {}; using it as it is",
                                topic,
                                d.partitions().size(),
                                partitions);
                    }
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the partitions of topic " + topic + " have no leader after " + timeout);
            }
            Thread.sleep(50); // polling the broker's metadata; nothing to wait on in the Admin API
        }
    }

    /** Polls on its own thread, which alone touches the consumer once started (KafkaConsumer is not thread-safe). */
    private static final class KafkaConsumerTarget implements ConsumerTarget {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final String topic;
        private volatile boolean closed;
        private Thread poller;

        KafkaConsumerTarget(KafkaConsumer<byte[], byte[]> consumer, String topic) {
            this.consumer = consumer;
            this.topic = topic;
        }

        @Override
        public synchronized void start(RecordSink sink) throws TimeoutException, InterruptedException {
            if (poller != null) {
                throw new IllegalStateException("the consumer of " + topic + " is already started");
            }
            List<TopicPartition> partitions = partitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            poller = new Thread(() -> poll(sink), "bench-kafka-poll");
            poller.setDaemon(true);
            poller.start();
        }

        private List<TopicPartition> partitions() throws TimeoutException, InterruptedException {
            long deadline = System.nanoTime() + TOPIC_TIMEOUT.toNanos();
            while (true) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic);
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
                }
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException(
                            "topic " + topic + " does not exist (no partitions after " + TOPIC_TIMEOUT + ")");
                }
                Thread.sleep(100); // the topic may be moments from existing (e2e creates it just before)
            }
        }

        private void poll(RecordSink sink) {
            try {
                while (!closed) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                        sink.accept(record.value());
                    }
                }
            } catch (WakeupException e) {
                // close() woke the poll up
            } catch (RuntimeException e) {
                LOG.error("consuming {} failed; the consumer stops: {}", topic, e.toString());
            } finally {
                consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
            }
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (poller == null) {
                consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
                return;
            }
            consumer.wakeup();
            try {
                poller.join(CLOSE_TIMEOUT.toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
