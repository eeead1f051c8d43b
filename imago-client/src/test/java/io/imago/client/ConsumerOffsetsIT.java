package io.imago.client;

import static io.imago.client.ConsumerTesting.consumerConfig;
import static io.imago.client.ConsumerTesting.send;
import static io.imago.client.ConsumerTesting.zkClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.broker.BrokerHarnessExtension;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.MessageListener;
import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.consumer.storage.JdbcOffsetStorage;
import io.imago.client.consumer.storage.LocalOffsetStorage;
import io.imago.client.internal.consumer.SimpleMessageConsumer;
import io.imago.client.producer.MessageProducer;
import io.imago.client.testing.LogCapture;
import io.imago.cluster.Partition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A group's positions survive a consumer restart with every offset store: ZooKeeper, a local file,
 * MariaDB (127.0.0.1:3306) and PostgreSQL (127.0.0.1:5432). The restarted consumer gets exactly the
 * messages sent after the first one shut down.
 */
@Timeout(60)
@LeavesNoConsumerThreads
class ConsumerOffsetsIT {
    @RegisterExtension
    static final BrokerHarnessExtension BROKER = BrokerHarnessExtension.of(
            "",
            "[topic=zk]\nnumPartitions=2\n[topic=file]\nnumPartitions=2\n[topic=mariadb]\nnumPartitions=2\n"
                    + "[topic=postgresql]\nnumPartitions=2\n[topic=pastend]\nnumPartitions=2\n");

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

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"zk", "file", "mariadb", "postgresql"})
    void positionsSurviveAConsumerRestart(String store) throws Exception {
        String table = "imago_consumer_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        DataSource db = dataSource(store);
        if (db != null) {
            execute(db, ddl(store).replace(JdbcOffsetStorage.DEFAULT_TABLE_NAME, table));
        }
        MessageProducer producer = factory.createProducer();
        producer.publish(store);
        try {
            List<Long> before = send(producer, store, "before", 20);
            ConsumerTesting.Counting first = new ConsumerTesting.Counting();
            MessageConsumer c = consumer(store, db, table, first);
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> first.seen.keySet().containsAll(before));
            c.shutdown();
            List<Long> after = send(producer, store, "after", 20);
            ConsumerTesting.Counting second = new ConsumerTesting.Counting();
            MessageConsumer restarted = consumer(store, db, table, second);
            try {
                await().atMost(Duration.ofSeconds(15))
                        .until(() -> second.seen.keySet().containsAll(after));
                assertThat(second.seen.keySet()).containsExactlyInAnyOrderElementsOf(after);
            } finally {
                restarted.shutdown();
            }
        } finally {
            producer.shutdown();
            if (db != null) {
                execute(db, "DROP TABLE " + table);
            }
        }
    }

    /**
     * Issue 12 item 2: a stored position past the broker's end (a promoted slave, lost data) with
     * {@code updateConsumerOffsets} off (the broker answers 404 there, as when caught up) is found with
     * {@code offset}, reported once per partition and moved to the broker's end: the messages written
     * from then on are delivered, those below the end (consumed before the loss) are not. The messages
     * are sent once the moves were counted: what is written before the check is below the end it finds.
     */
    @Test
    void aPositionPastTheBrokersEndMovesToTheEnd() throws Exception {
        MessageProducer producer = factory.createProducer();
        producer.publish("pastend");
        LocalOffsetStorage storage = new LocalOffsetStorage(dir.resolve("pastend-offsets"));
        try (LogCapture log = LogCapture.of("io.imago.client")) {
            List<Long> before = send(producer, "pastend", "before", 10);
            int brokerId = BROKER.harness().config().brokerId();
            long farAway = 1_000_000;
            storage.commitOffset(
                    "pastend",
                    List.of(
                            new TopicPartitionRegInfo("pastend", new Partition(brokerId, 0), farAway),
                            new TopicPartitionRegInfo("pastend", new Partition(brokerId, 1), farAway)));
            ConsumerTesting.Counting listener = new ConsumerTesting.Counting();
            MessageConsumer c = factory.createConsumer(consumerConfig("pastend", dir), storage);
            try {
                c.subscribe("pastend", 64 * 1024, listener);
                c.completeSubscribe();
                SimpleMessageConsumer impl = (SimpleMessageConsumer) c;
                // what is written before the check lands below the end it finds: not delivered, by the policy
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> impl.fetchManager().pastEndMoveCount() == 2);
                List<Long> after = send(producer, "pastend", "after", 20);
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> listener.seen.keySet().containsAll(after));
                assertThat(listener.seen.keySet()).containsExactlyInAnyOrderElementsOf(after);
                assertThat(listener.seen.keySet()).doesNotContainAnyElementsOf(before);
                assertThat(impl.fetchManager().pastEndMoveCount()).isEqualTo(2);
                assertThat(log.warnings("past the end")).hasSize(2);
            } finally {
                c.shutdown();
            }
        } finally {
            producer.shutdown();
        }
    }

    private static MessageConsumer consumer(String store, DataSource db, String table, MessageListener listener)
            throws Exception {
        ConsumerConfig config = consumerConfig("restarting", dir);
        MessageConsumer c = switch (store) {
            case "zk" -> factory.createConsumer(config);
            case "file" -> factory.createConsumer(config, new LocalOffsetStorage(dir.resolve("offsets")));
            default -> factory.createConsumer(config, new JdbcOffsetStorage(db, table));
        };
        c.subscribe(store, 64 * 1024, listener);
        c.completeSubscribe();
        return c;
    }

    private static DataSource dataSource(String store) throws SQLException {
        switch (store) {
            case "mariadb" -> {
                MariaDbDataSource ds = new MariaDbDataSource("jdbc:mariadb://127.0.0.1:3306/test");
                ds.setUser("root");
                ds.setPassword("");
                return ds;
            }
            case "postgresql" -> {
                PGSimpleDataSource ds = new PGSimpleDataSource();
                ds.setUrl("jdbc:postgresql://127.0.0.1:5432/test");
                ds.setUser("postgres");
                return ds;
            }
            default -> {
                return null;
            }
        }
    }

    private static String ddl(String store) throws IOException {
        String resource = store.equals("mariadb")
                ? JdbcOffsetStorage.MYSQL_DDL_RESOURCE
                : JdbcOffsetStorage.POSTGRESQL_DDL_RESOURCE;
        try (InputStream in = JdbcOffsetStorage.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void execute(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
