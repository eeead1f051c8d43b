package io.imago.client;

import static io.imago.client.ConsumerTesting.bytes;
import static io.imago.client.ConsumerTesting.zkClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.consumer.storage.JdbcOffsetStorage;
import io.imago.client.producer.MessageProducer;
import io.imago.cluster.Partition;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mariadb.jdbc.MariaDbDataSource;

/** Runs the examples of docs/client-consumer.md ({@link ConsumerGuideExamples}) against a real broker. */
@Timeout(60)
@LeavesNoConsumerThreads
class ConsumerGuideExamplesIT {
    @RegisterExtension
    static final BrokerHarnessExtension BROKER = BrokerHarnessExtension.of(
            "", "[topic=orders]\nnumPartitions=2\n[topic=flush]\n[topic=bills]\n[topic=reports]\n[topic=batches]\n");

    @TempDir
    static Path dir;

    static MetaMessageSessionFactory factory;

    @BeforeAll
    static void start() throws Exception {
        factory = new MetaMessageSessionFactory(zkClient(BROKER.harness().zkConnect()));
    }

    @AfterAll
    static void stop() throws Exception {
        ConsumerTesting.shutdown(factory);
    }

    static void send(String topic, String... texts) throws Exception {
        MessageProducer producer = factory.createProducer();
        producer.publish(topic);
        for (String t : texts) {
            assertThat(producer.sendMessage(new Message(topic, bytes(t))).isSuccess())
                    .isTrue();
        }
        producer.shutdown();
    }

    @Test
    void theGroupConsumerExampleReceivesEveryMessage() throws Exception {
        send("orders", "o1", "o2", "o3");
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        MessageConsumer c = ConsumerGuideExamples.groupConsumer(factory, "orders", dir.resolve("r1"), received);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 3);
            assertThat(received).containsExactlyInAnyOrder("o1", "o2", "o3");
        } finally {
            c.shutdown();
        }
    }

    @Test
    void theBroadcastExampleReceivesEveryMessage() throws Exception {
        send("flush", "f1", "f2");
        ConsumerTesting.Counting listener = new ConsumerTesting.Counting();
        MessageConsumer c = ConsumerGuideExamples.broadcastConsumer(
                factory, "flush", dir.resolve("offsets"), dir.resolve("r2"), listener);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> listener.messages.size() == 2);
            assertThat(c.getConsumerConfig().getGroup()).startsWith("cache-flush-");
        } finally {
            c.shutdown();
        }
    }

    @Test
    void theRecoveryExampleRedeliversAMessageAfterThreeFailures() throws Exception {
        send("bills", "b1");
        AtomicInteger calls = new AtomicInteger();
        List<Integer> succeededOnCall = Collections.synchronizedList(new ArrayList<>());
        MessageConsumer c = ConsumerGuideExamples.consumerWithRecovery(
                factory, "bills", dir.resolve("r3"), ConsumerFeaturesIT.listener(m -> {
                    int call = calls.incrementAndGet();
                    if (call <= 3) {
                        throw new IllegalStateException("billing system down");
                    }
                    succeededOnCall.add(call);
                }));
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> !succeededOnCall.isEmpty());
            assertThat(succeededOnCall).containsExactly(4); // 1 + 2 retries failed; the recovered one succeeded
        } finally {
            c.shutdown();
        }
    }

    @Test
    void theTransactionalExampleGetsARefusedBatchAgain() throws Exception {
        send("batches", "t1", "t2", "t3", "t4", "t5", "t6");
        List<String> stored = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger attempts = new AtomicInteger();
        MessageConsumer c = factory.createConsumer(ConsumerTesting.consumerConfig("batching", dir));
        c.subscribe("batches", 64 * 1024, new ConsumerGuideExamples.BatchingListener(3, batch -> {
            if (attempts.incrementAndGet() == 1) {
                return false; // the first batch is refused once
            }
            batch.forEach(m -> stored.add(new String(m.getData(), StandardCharsets.UTF_8)));
            return true;
        }));
        c.completeSubscribe();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> stored.size() == 6);
            assertThat(stored).containsExactly("t1", "t2", "t3", "t4", "t5", "t6");
            assertThat(attempts.get()).isEqualTo(3);
        } finally {
            c.shutdown();
        }
    }

    @Test
    void theMysqlExampleKeepsPositionsInTheDatabase() throws Exception {
        MariaDbDataSource db = new MariaDbDataSource("jdbc:mariadb://127.0.0.1:3306/test");
        db.setUser("root");
        db.setPassword("");
        String table =
                "imago_guide_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String ddl;
        try (InputStream in = JdbcOffsetStorage.class.getResourceAsStream(JdbcOffsetStorage.MYSQL_DDL_RESOURCE)) {
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        execute(db, ddl.replace(JdbcOffsetStorage.DEFAULT_TABLE_NAME, table));
        try {
            send("reports", "r1", "r2");
            ConsumerTesting.Counting listener = new ConsumerTesting.Counting();
            MessageConsumer c = ConsumerGuideExamples.consumerWithMysqlOffsets(
                    factory, "reports", db, table, dir.resolve("r4"), listener);
            await().atMost(Duration.ofSeconds(10)).until(() -> listener.messages.size() == 2);
            c.shutdown();
            c.getOffsetStorage().close();
            Partition p = listener.messages.get(0).getPartition();
            TopicPartitionRegInfo stored = new JdbcOffsetStorage(db, table).load("reports", "reports", p);
            assertThat(stored).isNotNull();
            assertThat(stored.getOffset()).isPositive();
        } finally {
            execute(db, "DROP TABLE " + table);
        }
    }

    private static void execute(MariaDbDataSource db, String sql) throws Exception {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
