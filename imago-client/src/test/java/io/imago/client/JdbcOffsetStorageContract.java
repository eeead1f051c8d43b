package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.consumer.storage.JdbcOffsetStorage;
import io.imago.client.consumer.storage.MysqlOffsetStorage;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every database behind {@link JdbcOffsetStorage} must show. Each test creates its own
 * table with the shipped DDL (the classpath resources, the same text as docs/offset-storage.md) under
 * a unique name, and drops it afterwards.
 */
abstract class JdbcOffsetStorageContract {
    private static final long BIG_OFFSET = 5_000_000_000L;
    private static final long NEGATIVE_ID = -5468932056614424576L;

    protected String table;

    /** A data source on the real database (127.0.0.1). */
    abstract DataSource dataSource();

    abstract String ddlResource();

    abstract String expectedDialect();

    @BeforeEach
    void createTable() throws Exception {
        table = "imago_offsets_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String ddl = ddl(ddlResource()).replace(JdbcOffsetStorage.DEFAULT_TABLE_NAME, table);
        execute(ddl);
    }

    @AfterEach
    void dropTable() throws SQLException {
        execute("DROP TABLE " + table);
    }

    @Test
    void commitThenLoadRoundTripsBigintOffsetAndNegativeMessageId() throws Exception {
        JdbcOffsetStorage storage = new JdbcOffsetStorage(dataSource(), table);
        storage.commitOffset("grp", List.of(moved("t", new Partition(0, 3), BIG_OFFSET, NEGATIVE_ID)));
        TopicPartitionRegInfo loaded = storage.load("t", "grp", new Partition(0, 3));
        assertThat(loaded.getOffset()).isEqualTo(BIG_OFFSET);
        assertThat(loaded.getMessageId()).isEqualTo(NEGATIVE_ID);
        assertThat(storage.load("t", "grp", new Partition(0, 4))).isNull();
        assertThat(storage.dialectName()).contains(expectedDialect());
    }

    @Test
    void rowHoldsMetaQsColumns() throws Exception {
        new JdbcOffsetStorage(dataSource(), table)
                .commitOffset("grp", List.of(moved("t", new Partition(1, 3), BIG_OFFSET, NEGATIVE_ID)));
        List<String> rows = rows();
        assertThat(rows).containsExactly("t|1-3|grp|" + BIG_OFFSET + "|" + NEGATIVE_ID);
    }

    @Test
    void positionsSurviveAConsumerRestart() throws Exception {
        JdbcOffsetStorage first = new JdbcOffsetStorage(dataSource(), table);
        first.commitOffset("grp", List.of(moved("t", new Partition(0, 0), 42, 7)));
        first.close();
        JdbcOffsetStorage restarted = new JdbcOffsetStorage(dataSource(), table);
        assertThat(restarted.load("t", "grp", new Partition(0, 0)).getOffset()).isEqualTo(42);
        assertThat(restarted.load("t", "grp", new Partition(0, 0)).getMessageId())
                .isEqualTo(7);
    }

    @Test
    void keepsGroupsTopicsAndPartitionsApart() throws Exception {
        JdbcOffsetStorage storage = new JdbcOffsetStorage(dataSource(), table);
        for (String group : List.of("g1", "g2")) {
            List<TopicPartitionRegInfo> infos = new ArrayList<>();
            for (String topic : List.of("t1", "T1", "t2")) {
                for (int p = 0; p < 4; p++) {
                    infos.add(moved(topic, new Partition(p / 2, p), offset(group, topic, p), p));
                }
            }
            storage.commitOffset(group, infos);
        }
        for (String group : List.of("g1", "g2")) {
            for (String topic : List.of("t1", "T1", "t2")) {
                for (int p = 0; p < 4; p++) {
                    assertThat(storage.load(topic, group, new Partition(p / 2, p))
                                    .getOffset())
                            .as("%s %s %d", group, topic, p)
                            .isEqualTo(offset(group, topic, p));
                }
            }
        }
        assertThat(rows()).hasSize(24);
    }

    @Test
    void aSecondCommitUpdatesTheSameRow() throws Exception {
        JdbcOffsetStorage storage = new JdbcOffsetStorage(dataSource(), table);
        TopicPartitionRegInfo info = moved("t", new Partition(0, 0), 10, 1);
        storage.commitOffset("grp", List.of(info));
        info.advance(20, 2);
        storage.commitOffset("grp", List.of(info));
        assertThat(rows()).containsExactly("t|0-0|grp|20|2");
    }

    @Test
    void commitWritesOnlyPositionsThatMoved() throws Exception {
        JdbcOffsetStorage storage = new JdbcOffsetStorage(dataSource(), table);
        TopicPartitionRegInfo info = moved("t", new Partition(0, 0), 10, 1);
        storage.commitOffset("grp", List.of(info));
        execute("UPDATE " + table + " SET msg_id = 99");
        storage.commitOffset("grp", List.of(info));
        assertThat(rows()).containsExactly("t|0-0|grp|10|99");
    }

    @Test
    void initOffsetInsertsOnceAndNeverOverwritesAPosition() throws Exception {
        JdbcOffsetStorage storage = new JdbcOffsetStorage(dataSource(), table);
        storage.initOffset("t", "grp", new Partition(0, 0), 100);
        assertThat(rows()).containsExactly("t|0-0|grp|100|-1");
        storage.initOffset("t", "grp", new Partition(0, 0), 0);
        assertThat(rows()).containsExactly("t|0-0|grp|100|-1");
        storage.commitOffset("grp", List.of(moved("t", new Partition(0, 0), 300, 3)));
        storage.initOffset("t", "grp", new Partition(0, 0), 0);
        assertThat(rows()).containsExactly("t|0-0|grp|300|3");
    }

    @Test
    void aFailedCommitKeepsThePositionForTheNextOne() throws Exception {
        JdbcOffsetStorage storage = new JdbcOffsetStorage(dataSource(), table + "_missing");
        TopicPartitionRegInfo info = moved("t", new Partition(0, 0), 10, 1);
        assertThatThrownBy(() -> storage.commitOffset("grp", List.of(info)))
                .isInstanceOf(MetaClientException.class)
                .hasMessageContaining(table + "_missing");
        assertThat(info.isModified()).isTrue();
        storage.setTableName(table);
        storage.commitOffset("grp", List.of(info));
        assertThat(rows()).containsExactly("t|0-0|grp|10|1");
    }

    @Test
    void mysqlOffsetStorageIsTheSameStoreUnderMetaQsName() throws Exception {
        MysqlOffsetStorage storage = new MysqlOffsetStorage(dataSource());
        assertThat(storage.getTableName()).isEqualTo("meta_topic_partition_group_offset");
        storage.setTableName(table);
        storage.commitOffset("grp", List.of(moved("t", new Partition(0, 0), 8, 8)));
        assertThat(storage.load("t", "grp", new Partition(0, 0)).getOffset()).isEqualTo(8);
        storage.close();
        assertThatThrownBy(() -> storage.load("t", "grp", new Partition(0, 0)))
                .isInstanceOf(MetaClientException.class)
                .hasMessageContaining("closed");
    }

    private List<String> rows() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM " + table + " ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getString("topic") + "|" + rs.getString("partition") + "|" + rs.getString("group_id") + "|"
                        + rs.getLong("offset") + "|" + rs.getLong("msg_id"));
            }
        }
        return rows;
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static String ddl(String resource) throws IOException {
        try (InputStream in = JdbcOffsetStorage.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    private static TopicPartitionRegInfo moved(String topic, Partition partition, long offset, long messageId) {
        TopicPartitionRegInfo info = new TopicPartitionRegInfo(topic, partition, 0);
        info.advance(offset, messageId);
        return info;
    }

    private static long offset(String group, String topic, int partition) {
        return BIG_OFFSET
                + Math.floorMod(group.hashCode(), 100) * 10_000L
                + Math.floorMod(topic.hashCode(), 100) * 10L
                + partition;
    }
}
