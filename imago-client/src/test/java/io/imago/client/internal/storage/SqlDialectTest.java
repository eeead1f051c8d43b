package io.imago.client.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SqlDialectTest {

    @Test
    void dialectComesFromTheProductName() {
        assertThat(SqlDialect.of("MySQL")).isEqualTo(SqlDialect.MYSQL);
        assertThat(SqlDialect.of("MariaDB")).isEqualTo(SqlDialect.MYSQL);
        assertThat(SqlDialect.of("PostgreSQL")).isEqualTo(SqlDialect.POSTGRESQL);
        assertThatThrownBy(() -> SqlDialect.of("H2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'H2'");
    }

    @Test
    void reservedColumnsAreQuotedPerDialect() {
        assertThat(SqlDialect.MYSQL.upsert("t"))
                .isEqualTo("INSERT INTO t (`topic`, `partition`, `group_id`, `offset`, `msg_id`) VALUES (?, ?, ?, ?, ?)"
                        + " ON DUPLICATE KEY UPDATE `offset` = VALUES(`offset`), `msg_id` = VALUES(`msg_id`)");
        assertThat(SqlDialect.POSTGRESQL.upsert("t"))
                .isEqualTo(
                        "INSERT INTO t (\"topic\", \"partition\", \"group_id\", \"offset\", \"msg_id\") VALUES (?, ?, ?, ?, ?)"
                                + " ON CONFLICT (\"topic\", \"partition\", \"group_id\") DO UPDATE SET"
                                + " \"offset\" = EXCLUDED.\"offset\", \"msg_id\" = EXCLUDED.\"msg_id\"");
        assertThat(SqlDialect.POSTGRESQL.select("s.t"))
                .isEqualTo("SELECT \"offset\", \"msg_id\" FROM s.t WHERE"
                        + " \"topic\" = ? AND \"partition\" = ? AND \"group_id\" = ?");
    }

    @Test
    void tableNamesAreIdentifiersOnly() {
        assertThat(SqlDialect.checkTableName("meta_topic_partition_group_offset"))
                .isNotNull();
        assertThat(SqlDialect.checkTableName("queue.offsets_1")).isNotNull();
        for (String bad : new String[] {"", "1t", "t; DROP TABLE x", "t-t", "`t`", "a.b.c"}) {
            assertThatThrownBy(() -> SqlDialect.checkTableName(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> SqlDialect.checkTableName(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
