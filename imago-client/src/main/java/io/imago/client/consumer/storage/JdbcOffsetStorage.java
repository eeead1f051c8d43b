package io.imago.client.consumer.storage;

import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.internal.storage.PositionSnapshot;
import io.imago.client.internal.storage.SqlDialect;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Consumer positions in a relational database: MySQL, MariaDB or PostgreSQL, found from
 * {@code DatabaseMetaData.getDatabaseProductName()} on first use. One row per (topic, partition,
 * group_id) in table {@value #DEFAULT_TABLE_NAME} (or the name given), with the BIGINT columns
 * {@code offset} and {@code msg_id}; {@code partition} holds {@code <brokerId>-<partition>} as in
 * MetaQ. The table must exist, created with the DDL shipped in {@code docs/offset-storage.md} (also
 * on the classpath as {@value #MYSQL_DDL_RESOURCE} and {@value #POSTGRESQL_DDL_RESOURCE}); its unique
 * key on (topic, partition, group_id) is what the upserts rely on.
 *
 * <p>A commit upserts the positions that moved since the last commit in one transaction; if it fails,
 * they are written again by the next commit. {@link #initOffset} inserts the row unless it exists.
 * The data source belongs to the caller and is not closed here. Thread-safe.
 */
public class JdbcOffsetStorage implements OffsetStorage {
    /** MetaQ's table name. */
    public static final String DEFAULT_TABLE_NAME = "meta_topic_partition_group_offset";
    /** Classpath resource holding the MySQL/MariaDB DDL (the default table name). */
    public static final String MYSQL_DDL_RESOURCE = "/io/imago/client/offset-storage-mysql.sql";
    /** Classpath resource holding the PostgreSQL DDL (the default table name). */
    public static final String POSTGRESQL_DDL_RESOURCE = "/io/imago/client/offset-storage-postgresql.sql";

    private final DataSource dataSource;
    private volatile String tableName;
    private volatile SqlDialect dialect;
    private volatile boolean closed;

    public JdbcOffsetStorage(DataSource dataSource) {
        this(dataSource, DEFAULT_TABLE_NAME);
    }

    /** Positions in {@code tableName}: letters, digits and {@code _}, optionally {@code schema.table}. */
    public JdbcOffsetStorage(DataSource dataSource, String tableName) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.tableName = SqlDialect.checkTableName(tableName);
    }

    public String getTableName() {
        return tableName;
    }

    /** MetaQ's setter; set it before the consumer starts. */
    public void setTableName(String tableName) {
        this.tableName = SqlDialect.checkTableName(tableName);
    }

    @Override
    public void commitOffset(String group, Collection<TopicPartitionRegInfo> infos) throws MetaClientException {
        checkOpen();
        if (infos == null || infos.isEmpty()) {
            return;
        }
        List<PositionSnapshot> moved = new ArrayList<>();
        for (TopicPartitionRegInfo info : infos) {
            PositionSnapshot.takeIfModified(info).ifPresent(moved::add);
        }
        if (moved.isEmpty()) {
            return;
        }
        try (Connection conn = dataSource.getConnection()) {
            upsertAll(conn, group, moved);
        } catch (SQLException | RuntimeException e) {
            moved.forEach(PositionSnapshot::remark);
            throw failure("cannot commit offsets of group " + group, e);
        }
    }

    private void upsertAll(Connection conn, String group, List<PositionSnapshot> moved) throws SQLException {
        boolean autoCommit = conn.getAutoCommit();
        conn.setAutoCommit(false);
        try (PreparedStatement ps = conn.prepareStatement(dialect(conn).upsert(tableName))) {
            for (PositionSnapshot s : moved) {
                bind(ps, s.info().getTopic(), s.info().getPartition(), group, s.offset(), s.messageId());
                ps.addBatch();
            }
            ps.executeBatch();
            conn.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(conn, e);
            throw e;
        } finally {
            conn.setAutoCommit(autoCommit);
        }
    }

    @Override
    public TopicPartitionRegInfo load(String topic, String group, Partition partition) throws MetaClientException {
        checkOpen();
        try (Connection conn = dataSource.getConnection();
                PreparedStatement ps = conn.prepareStatement(dialect(conn).select(tableName))) {
            ps.setString(1, topic);
            ps.setString(2, partition.toString());
            ps.setString(3, group);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new TopicPartitionRegInfo(topic, partition, rs.getLong(1), rs.getLong(2)) : null;
            }
        } catch (SQLException | RuntimeException e) {
            throw failure("cannot load the offset of group " + group + " in " + topic + "/" + partition, e);
        }
    }

    /** Inserts the row (message id -1) unless the group already has a position in the partition. */
    @Override
    public void initOffset(String topic, String group, Partition partition, long offset) throws MetaClientException {
        checkOpen();
        try (Connection conn = dataSource.getConnection();
                PreparedStatement ps = conn.prepareStatement(dialect(conn).insertIfAbsent(tableName))) {
            bind(ps, topic, partition, group, offset, -1L);
            ps.executeUpdate();
            if (!conn.getAutoCommit()) {
                conn.commit();
            }
        } catch (SQLException | RuntimeException e) {
            throw failure("cannot initialise the offset of group " + group + " in " + topic + "/" + partition, e);
        }
    }

    /** Later calls fail; the data source is the caller's. Idempotent. */
    @Override
    public void close() {
        closed = true;
    }

    /** The dialect of the database behind the data source, once it has been used. */
    public Optional<String> dialectName() {
        SqlDialect d = dialect;
        return d == null ? Optional.empty() : Optional.of(d.name());
    }

    private SqlDialect dialect(Connection conn) throws SQLException {
        SqlDialect d = dialect;
        if (d == null) {
            d = SqlDialect.of(conn.getMetaData().getDatabaseProductName());
            dialect = d;
        }
        return d;
    }

    private static void bind(
            PreparedStatement ps, String topic, Partition partition, String group, long offset, long messageId)
            throws SQLException {
        ps.setString(1, topic);
        ps.setString(2, partition.toString());
        ps.setString(3, group);
        ps.setLong(4, offset);
        ps.setLong(5, messageId);
    }

    private static void rollbackQuietly(Connection conn, Exception cause) {
        try {
            conn.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private void checkOpen() throws MetaClientException {
        if (closed) {
            throw new MetaClientException(getClass().getSimpleName() + " on table " + tableName + " is closed");
        }
    }

    private MetaClientException failure(String what, Exception e) {
        return new MetaClientException(what + " (table " + tableName + "): " + e, e);
    }
}
