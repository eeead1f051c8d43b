package io.imago.client.internal.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.broker.BrokerHarness;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.broker.WireClient;
import io.imago.broker.partition.TopicLogs;
import io.imago.client.MessageSessionFactory;
import io.imago.client.MetaClientConfig;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.producer.HashPartitionSelector;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import io.imago.client.testing.StoredTexts;
import io.imago.cluster.Partition;
import io.imago.exception.MessageNotSentException;
import io.imago.exception.MetaClientException;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.zk.BrokerUrl;
import io.imago.protocol.zk.TopicRegistrationJson;
import io.imago.protocol.zk.ZnodeDescriptor;
import io.imago.store.fs.FaultInjectingStorageIo;
import io.imago.store.fs.FaultInjectingStorageIo.FsyncGate;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The producer under faults of a real broker (issue 12): a broker whose fsyncs are held back (so puts
 * wait for their replies) and a broker that crashed while its ZooKeeper registration lives on. What a
 * failed send reports must say whether the message may have been stored, and a failure must not
 * break the order of a partition or move a keyed message.
 */
@Timeout(90)
class ProducerFaultsIT {
    private static final String TOPIC = "faults";

    @RegisterExtension
    final BrokerHarnessExtension brokers = BrokerHarnessExtension.onDemand();

    private final List<MessageSessionFactory> factories = new ArrayList<>();
    private FsyncGate gate;

    @AfterEach
    void stop() throws Exception {
        if (gate != null) {
            gate.open(); // a held fsync would keep the broker from closing
        }
        for (MessageSessionFactory f : factories) {
            f.shutdown();
        }
    }

    private MessageSessionFactory factory(BrokerHarness broker, int maxInFlight) throws MetaClientException {
        return factory(broker, maxInFlight, c -> {});
    }

    private MessageSessionFactory factory(BrokerHarness broker, int maxInFlight, Consumer<MetaClientConfig> more)
            throws MetaClientException {
        MetaClientConfig c = new MetaClientConfig();
        c.setZkConnect(broker.zkConnect());
        c.setZkSessionTimeoutMs(5_000);
        c.setZkConnectionTimeoutMs(5_000);
        c.setZkSyncTimeMs(500);
        c.setPutBatchMaxInFlight(maxInFlight);
        more.accept(c);
        MessageSessionFactory f = new MetaMessageSessionFactory(c);
        factories.add(f);
        return f;
    }

    /** A broker of one partition of {@link #TOPIC} whose fsyncs the test can hold; a producer batching to it. */
    private MessageProducer batchingProducerOnAHoldableBroker(FaultInjectingStorageIo io) throws Exception {
        return batchingProducerOnAHoldableBroker(io, c -> {});
    }

    private MessageProducer batchingProducerOnAHoldableBroker(
            FaultInjectingStorageIo io, Consumer<MetaClientConfig> more) throws Exception {
        BrokerHarness broker = brokers.start("", "[topic=" + TOPIC + "]\nnumPartitions=1", io);
        MessageProducer producer = factory(broker, 1, more).createProducer();
        producer.publish(TOPIC);
        SimpleMessageProducer simple = (SimpleMessageProducer) producer;
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            SendResult r = producer.sendMessage(message("warm-up"));
            assertThat(r.isSuccess()).as(r.toString()).isTrue();
            return simple.batchesSent() > 0;
        });
        return producer;
    }

    private static Message message(String text) {
        return new Message(TOPIC, text.getBytes(StandardCharsets.UTF_8));
    }

    private List<String> stored(MessageSessionFactory f) {
        return StoredTexts.of(f, TOPIC);
    }

    /** Messages the broker appended to {@link #TOPIC} (a browser would stop at the crashed broker). */
    private static long appended(BrokerHarness broker) {
        return broker.broker().partitions().topics().stream()
                .filter(t -> t.topic().equals(TOPIC))
                .mapToLong(TopicLogs::appendedSinceStart)
                .sum();
    }

    private static Throwable failure(CompletableFuture<SendResult> f) {
        assertThat(f).failsWithin(20, TimeUnit.SECONDS);
        try {
            f.get();
            throw new AssertionError("unreachable");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Item 5: a message whose timeout passed while its batch waited behind a slow one is not sent. */
    @Test
    void aBatchWhoseTimeoutPassedWhileQueuedFailsAsNotSentAndIsNotStored() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        MessageProducer producer = batchingProducerOnAHoldableBroker(io);
        gate = io.holdFsyncs();
        CompletableFuture<SendResult> first = producer.sendMessageAsync(message("first"), 30, TimeUnit.SECONDS);
        assertThat(gate.awaitHeld(20, TimeUnit.SECONDS))
                .as("the first batch waits for its fsync")
                .isTrue();
        long queuedAt = System.nanoTime();
        CompletableFuture<SendResult> late = producer.sendMessageAsync(message("late"), 300, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> System.nanoTime() - queuedAt > TimeUnit.MILLISECONDS.toNanos(500));
        gate.open();
        assertThat(first).succeedsWithin(20, TimeUnit.SECONDS).matches(SendResult::isSuccess);
        await().atMost(Duration.ofSeconds(20)).until(late::isDone);
        // a later send on the same partition: once it is acknowledged, anything sent before it is stored
        assertThat(producer.sendMessage(message("after"), 20, TimeUnit.SECONDS).isSuccess())
                .isTrue();
        assertThat(stored(factories.get(0))).as("what the broker stored").containsExactly("first", "after");
        assertThat(failure(late)).isInstanceOf(MessageNotSentException.class);
    }

    /**
     * putBatchBufferBytes bounds single puts too: a message too big for a batch waits for room behind
     * the unacknowledged ones and, without room within its timeout, fails as not sent.
     */
    @Test
    void aSinglePutBeyondTheSendBufferWaitsForRoomAndFailsAsNotSentWithoutIt() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        MessageProducer producer = batchingProducerOnAHoldableBroker(io, c -> {
            c.setPutBatchMaxBytes(8 * 1024);
            c.setPutBatchBufferBytes(64 * 1024);
        });
        gate = io.holdFsyncs();
        CompletableFuture<SendResult> first = producer.sendMessageAsync(big("first"), 30, TimeUnit.SECONDS);
        assertThat(gate.awaitHeld(20, TimeUnit.SECONDS))
                .as("the first put waits for its fsync")
                .isTrue();
        CompletableFuture<SendResult> second = producer.sendMessageAsync(big("second"), 500, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(20)).until(second::isDone);
        gate.open();
        assertThat(first).succeedsWithin(20, TimeUnit.SECONDS).matches(SendResult::isSuccess);
        assertThat(producer.sendMessage(message("after"), 20, TimeUnit.SECONDS).isSuccess())
                .isTrue();
        assertThat(stored(factories.get(0)))
                .as("what the broker stored")
                .map(s -> s.split("\\|")[0])
                .containsExactly("first", "after");
        assertThat(failure(second)).isInstanceOf(MessageNotSentException.class);
    }

    /** A message of 40 KiB: above the 8 KiB batches, 5/8 of a 64 KiB buffer. */
    private static Message big(String label) {
        return message(label + "|" + "x".repeat(40 * 1024));
    }

    /** Item 14: after a failed batch, the partition's queued batches are not sent behind its back. */
    @Test
    void aFailedBatchStopsItsPartitionsPipelineAndTheQueuedMessagesFailAsNotSent() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        MessageProducer producer = batchingProducerOnAHoldableBroker(io);
        gate = io.holdFsyncs();
        CompletableFuture<SendResult> timesOut = producer.sendMessageAsync(message("times-out"), 1, TimeUnit.SECONDS);
        assertThat(gate.awaitHeld(20, TimeUnit.SECONDS))
                .as("the first batch waits for its fsync")
                .isTrue();
        CompletableFuture<SendResult> second = producer.sendMessageAsync(message("second"), 30, TimeUnit.SECONDS);
        CompletableFuture<SendResult> third = producer.sendMessageAsync(message("third"), 30, TimeUnit.SECONDS);
        Throwable timeout = failure(timesOut);
        assertThat(timeout)
                .as("a timeout: the message may have been stored")
                .isInstanceOf(MetaClientException.class)
                .isNotInstanceOf(MessageNotSentException.class);
        gate.open();
        assertThat(producer.sendMessage(message("after"), 20, TimeUnit.SECONDS).isSuccess())
                .isTrue();
        assertThat(stored(factories.get(0))).as("what the broker stored").containsExactly("times-out", "after");
        assertThat(failure(second)).isInstanceOf(MessageNotSentException.class);
        assertThat(failure(third)).isInstanceOf(MessageNotSentException.class);
    }

    /**
     * Item 14 for single puts (batching off): after a put to a partition failed, a put sent once the
     * failure is known is not stored behind the gap; it fails as not sent until the puts already in
     * flight there have completed, and the partition then takes sends again.
     */
    @Test
    void aFailedSinglePutStopsItsPartitionUntilThePutsInFlightThereHaveCompleted() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        BrokerHarness broker = brokers.start("", "[topic=" + TOPIC + "]\nnumPartitions=1", io);
        MessageProducer producer =
                factory(broker, 1, c -> c.setPutBatchEnabled(false)).createProducer();
        producer.publish(TOPIC);
        assertThat(producer.sendMessage(message("warm-up"), 20, TimeUnit.SECONDS)
                        .isSuccess())
                .isTrue();
        gate = io.holdFsyncs();
        CompletableFuture<SendResult> timesOut = producer.sendMessageAsync(message("times-out"), 1, TimeUnit.SECONDS);
        assertThat(gate.awaitHeld(20, TimeUnit.SECONDS))
                .as("the first put waits for its fsync")
                .isTrue();
        CompletableFuture<SendResult> inFlight = producer.sendMessageAsync(message("in-flight"), 30, TimeUnit.SECONDS);
        assertThat(failure(timesOut))
                .as("a timeout: the message may have been stored")
                .isNotInstanceOf(MessageNotSentException.class);
        CompletableFuture<SendResult> afterFailure =
                producer.sendMessageAsync(message("after-failure"), 30, TimeUnit.SECONDS);
        gate.open();
        assertThat(inFlight).succeedsWithin(20, TimeUnit.SECONDS).matches(SendResult::isSuccess);
        assertThat(producer.sendMessage(message("after"), 20, TimeUnit.SECONDS).isSuccess())
                .isTrue();
        assertThat(failure(afterFailure)).isInstanceOf(MessageNotSentException.class);
        assertThat(stored(factories.get(0)))
                .as("what the broker stored")
                .containsExactly("times-out", "in-flight", "after");
    }

    /**
     * Item 14: broker 1 crashed, its registration not yet expired; a key of its partition stays there
     * (the send fails as not sent) instead of moving to broker 0, as HashPartitionSelector promises.
     */
    @Test
    void aKeyedMessageIsNotMovedToAnotherBrokerWhenItsBrokerIsUnreachable() throws Exception {
        BrokerHarness broker = brokers.start("", "[topic=" + TOPIC + "]\nnumPartitions=1");
        registerCrashedBroker(broker.zkConnect(), 1);
        MessageSessionFactory f = factory(broker, 4);
        MessageProducer producer = f.createProducer(new HashPartitionSelector());
        producer.publish(TOPIC);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> f.getPartitionsForTopic(TOPIC).size() == 2);
        String key = keyOf(new Partition(1, 0), f.getPartitionsForTopic(TOPIC));
        Message keyed = new Message(TOPIC, "keyed".getBytes(StandardCharsets.UTF_8), key);
        assertThatThrownBy(() -> producer.sendMessage(keyed, 10, TimeUnit.SECONDS))
                .isInstanceOf(MessageNotSentException.class);
        assertThat(appended(broker)).as("messages broker 0 stored").isZero();
    }

    /** Round robin promises nothing per key: its message still fails over to a reachable broker. */
    @Test
    void aRoundRobinMessageFailsOverToAnotherBrokerWhenItsBrokerIsUnreachable() throws Exception {
        BrokerHarness broker = brokers.start("", "[topic=" + TOPIC + "]\nnumPartitions=1");
        registerCrashedBroker(broker.zkConnect(), 1);
        MessageSessionFactory f = factory(broker, 4);
        MessageProducer producer = f.createProducer();
        producer.publish(TOPIC);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> f.getPartitionsForTopic(TOPIC).size() == 2);
        for (int i = 0; i < 4; i++) {
            SendResult r = producer.sendMessage(message("m" + i), 10, TimeUnit.SECONDS);
            assertThat(r.isSuccess()).as(r.toString()).isTrue();
            assertThat(r.getPartition()).isEqualTo(new Partition(0, 0));
        }
        assertThat(appended(broker)).as("messages broker 0 stored").isEqualTo(4);
    }

    /** Issue 13: a partition a failed fsync took offline is withdrawn from producers; sends go to the others. */
    @Test
    void sendsGoToTheOnlinePartitionsOnceAFailedFsyncTookOneOffline() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        BrokerHarness broker = brokers.start("", "[topic=" + TOPIC + "]\nnumPartitions=3", io);
        MessageSessionFactory f = factory(broker, 4);
        MessageProducer producer = f.createProducer();
        producer.publish(TOPIC);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> f.getPartitionsForTopic(TOPIC).size() == 3);
        try (WireClient c = broker.connect()) {
            c.put(TOPIC, 2, "first".getBytes(StandardCharsets.UTF_8), 0); // creates the partition
            ResultCommand created = (ResultCommand) c.read();
            assertThat(created.code()).isEqualTo(200);
            created.release();
            io.failNextFsync();
            c.put(TOPIC, 2, "lost".getBytes(StandardCharsets.UTF_8), 1);
            ResultCommand failed = (ResultCommand) c.read();
            assertThat(failed.code()).isEqualTo(500);
            failed.release();
        }
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(f.getPartitionsForTopic(TOPIC))
                        .containsExactly(new Partition(0, 0), new Partition(0, 1)));
        Set<Partition> used = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            SendResult r = producer.sendMessage(message("m" + i), 10, TimeUnit.SECONDS);
            assertThat(r.isSuccess()).as(r.toString()).isTrue();
            used.add(r.getPartition());
        }
        assertThat(used).containsExactlyInAnyOrder(new Partition(0, 0), new Partition(0, 1));
    }

    private static String keyOf(Partition wanted, List<Partition> partitions) {
        for (int i = 0; ; i++) {
            String key = "key-" + i;
            if (partitions.get(Math.floorMod(key.hashCode(), partitions.size())).equals(wanted)) {
                return key;
            }
        }
    }

    /**
     * What a broker that crashed leaves in ZooKeeper until its session expires: its address (a port
     * nobody listens on now) and its topic registration.
     */
    private static void registerCrashedBroker(String zkConnect, int brokerId) throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        ZnodeDescriptor znodes = new ZnodeDescriptor(ZnodeDescriptor.DEFAULT_ROOT);
        try (CuratorFramework zk = CuratorFrameworkFactory.newClient(zkConnect, 5_000, 5_000, new RetryOneTime(100))) {
            zk.start();
            String registration = brokerId + ZnodeDescriptor.MASTER_SUFFIX;
            zk.create()
                    .creatingParentsIfNeeded()
                    .withMode(CreateMode.PERSISTENT)
                    .forPath(
                            znodes.masterPath(brokerId),
                            BrokerUrl.format("127.0.0.1", deadPort).getBytes(StandardCharsets.UTF_8));
            zk.create()
                    .creatingParentsIfNeeded()
                    .withMode(CreateMode.PERSISTENT)
                    .forPath(
                            znodes.publishedTopicPath(TOPIC, registration),
                            TopicRegistrationJson.encode(1, registration).getBytes(StandardCharsets.UTF_8));
        }
    }
}
