package io.imago.it.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.it.harness.BrokerProcess;
import io.imago.it.harness.RawMetaqConnection;
import io.imago.it.harness.Reply;
import io.imago.it.harness.StoredRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the transaction ITs of the original client check, from outside the driver: the MariaDB table
 * the transactions write to, the broker's list of prepared transactions (a raw {@code RECOVER}), what
 * the partitions hold (a raw scan from offset 0), and what a consumer driver received.
 *
 * <p>Not thread-safe: one test thread uses it.
 */
final class TxChecks {
    private static final Logger LOG = LoggerFactory.getLogger(TxChecks.class);
    static final String JDBC_URL = "jdbc:mariadb://127.0.0.1:3306/test?user=root";
    static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_FETCH = 1024 * 1024;

    private TxChecks() {}

    /** A name unique to this run, for tables, TM names and unique qualifiers: {@code prefix} + 8 hex. */
    static String unique(String prefix) {
        return prefix + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    /** The MariaDB table a driver's XA transactions insert into: {@code (k, n)}, one per test class run. */
    static final class Table implements AutoCloseable {
        final String name;

        private Table(String name) {
            this.name = name;
        }

        static Table create() throws SQLException {
            Table table = new Table(unique("imago_it_tx_"));
            try (Connection c = DriverManager.getConnection(JDBC_URL);
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE " + table.name + " (k VARCHAR(64) PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB");
            }
            return table;
        }

        /** The committed value of row {@code k}, or null if there is none. */
        Integer row(String k) throws SQLException {
            try (Connection c = DriverManager.getConnection(JDBC_URL);
                    PreparedStatement q = c.prepareStatement("SELECT n FROM " + name + " WHERE k = ?")) {
                q.setString(1, k);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : null;
                }
            }
        }

        /**
         * Rolls back what a failed test may have left prepared in MariaDB by the given TMs (Atomikos
         * puts its unique name at the start of the global transaction id), then drops the table.
         */
        void close(Collection<String> tmNames) throws SQLException {
            try (Connection c = DriverManager.getConnection(JDBC_URL);
                    Statement s = c.createStatement()) {
                List<String> leftovers = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("XA RECOVER")) {
                    while (rs.next()) {
                        byte[] data = rs.getBytes("data");
                        int gtridLength = rs.getInt("gtrid_length");
                        byte[] gtid = Arrays.copyOf(data, gtridLength);
                        byte[] bqual = Arrays.copyOfRange(data, gtridLength, gtridLength + rs.getInt("bqual_length"));
                        String gtidText = new String(gtid, StandardCharsets.ISO_8859_1);
                        if (tmNames.stream().anyMatch(gtidText::startsWith)) {
                            leftovers.add("X'" + HexFormat.of().formatHex(gtid) + "',X'"
                                    + HexFormat.of().formatHex(bqual) + "'," + rs.getInt("formatID"));
                        }
                    }
                }
                for (String xid : leftovers) {
                    LOG.warn("rolling back the MariaDB XA branch {} a test left prepared", xid);
                    s.execute("XA ROLLBACK " + xid);
                }
                s.execute("SET SESSION lock_wait_timeout = 10");
                s.execute("DROP TABLE IF EXISTS " + name);
            }
        }

        @Override
        public void close() throws SQLException {
            close(List.of());
        }
    }

    /** The broker's answer to {@code RECOVER} for unique qualifier {@code uq}: the XID keys it lists. */
    static List<String> recover(BrokerProcess broker, String uq) throws IOException {
        try (RawMetaqConnection conn = RawMetaqConnection.open(broker)) {
            Reply reply = conn.request("transaction null imago-it-recover RECOVER " + uq);
            assertThat(reply.isResult(200)).as("RECOVER reply %s", reply).isTrue();
            return Arrays.stream(reply.text().split("\r\n"))
                    .filter(k -> !k.isBlank())
                    .toList();
        }
    }

    /**
     * How many times each message id is stored in partitions {@code 0..partitions-1} of {@code topic},
     * read with raw gets from offset 0 to the end (every record's CRC checked).
     */
    static Map<Long, Integer> storedIds(BrokerProcess broker, String topic, int partitions) throws IOException {
        Map<Long, Integer> counts = new HashMap<>();
        try (RawMetaqConnection conn = RawMetaqConnection.open(broker)) {
            for (int p = 0; p < partitions; p++) {
                long offset = 0;
                while (true) {
                    Reply reply = conn.get(topic, "imago-it-scan", p, offset, MAX_FETCH);
                    if (reply.isResult(404)) {
                        break;
                    }
                    assertThat(reply.isValue())
                            .as("get %s-%d at %d: %s", topic, p, offset, reply)
                            .isTrue();
                    StoredRecord.MessageSet set = StoredRecord.parse(reply.body());
                    assertThat(set.records())
                            .as("complete records at %d", offset)
                            .isNotEmpty();
                    for (StoredRecord r : set.records()) {
                        assertThat(r.checksumValid())
                                .as("CRC of the record at %s-%d@%d", topic, p, offset)
                                .isTrue();
                        counts.merge(r.id(), 1, Integer::sum);
                        offset += r.size();
                    }
                }
            }
        }
        return counts;
    }

    /** Every id of {@code ids} is stored exactly once in the topic's partitions. */
    static void assertStoredOnce(BrokerProcess broker, String topic, int partitions, Collection<Long> ids)
            throws IOException {
        Map<Long, Integer> stored = storedIds(broker, topic, partitions);
        for (Long id : ids) {
            assertThat(stored.get(id))
                    .as("copies of message %s in %s", id, topic)
                    .isEqualTo(1);
        }
    }

    /** Waits until every id of {@code ids} is stored, then checks each is stored exactly once. */
    static void awaitStoredOnce(BrokerProcess broker, String topic, int partitions, Collection<Long> ids)
            throws IOException {
        await("messages " + ids + " stored in " + topic)
                .atMost(DELIVERY_TIMEOUT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> storedIds(broker, topic, partitions).keySet().containsAll(ids));
        assertStoredOnce(broker, topic, partitions, ids);
    }

    /** No id of {@code ids} is stored in the topic's partitions. */
    static void assertNotStored(BrokerProcess broker, String topic, int partitions, Collection<Long> ids)
            throws IOException {
        assertThat(storedIds(broker, topic, partitions).keySet())
                .as("rolled back messages in %s", topic)
                .doesNotContainAnyElementsOf(ids);
    }

    /** The ids of a driver's {@code SENT ok} lines (all of them must be ok), in order. */
    static List<Long> sentIds(List<String[]> sentLines) {
        List<Long> ids = new ArrayList<>();
        for (String[] f : sentLines) {
            assertThat(f[1]).as(String.join(" ", f)).isEqualTo("ok");
            assertThat(f[3])
                    .as("offset in a transaction, %s", String.join(" ", f))
                    .isEqualTo("-1");
            ids.add(Long.parseLong(f[4]));
        }
        return ids;
    }

    /** Receptions of a consumer driver by message id. */
    static Map<Long, Integer> received(DriverProcess consumer) {
        Map<Long, Integer> byId = new HashMap<>();
        for (String[] f : consumer.lines("RECV")) {
            byId.merge(Long.parseLong(f[3]), 1, Integer::sum);
        }
        return byId;
    }

    /** Waits until the consumer driver received every id of {@code ids}. */
    static void awaitReceived(DriverProcess consumer, Collection<Long> ids) {
        await("messages " + ids + " at the consumer")
                .atMost(DELIVERY_TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> received(consumer).keySet().containsAll(ids));
    }
}
