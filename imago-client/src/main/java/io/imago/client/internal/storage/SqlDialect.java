package io.imago.client.internal.storage;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The SQL of the JDBC offset store for each supported database, chosen from
 * {@code DatabaseMetaData.getDatabaseProductName()}. Columns are always quoted: {@code partition} is
 * reserved in MySQL and MariaDB, {@code offset} in MariaDB (10.6+) and PostgreSQL. Positions are
 * upserted against the unique key on (topic, partition, group_id) that the shipped DDL creates.
 * Immutable.
 */
public enum SqlDialect {
    /** MySQL and MariaDB: backquotes, {@code INSERT ... ON DUPLICATE KEY UPDATE}. */
    MYSQL('`') {
        @Override
        public String upsert(String table) {
            return insert(table) + " ON DUPLICATE KEY UPDATE " + q("offset") + " = VALUES(" + q("offset") + "), "
                    + q("msg_id") + " = VALUES(" + q("msg_id") + ")";
        }

        @Override
        public String insertIfAbsent(String table) {
            // A no-op update, unlike INSERT IGNORE, which would also hide errors such as truncation.
            return insert(table) + " ON DUPLICATE KEY UPDATE " + q("id") + " = " + q("id");
        }
    },
    /** PostgreSQL: double quotes, {@code INSERT ... ON CONFLICT}. */
    POSTGRESQL('"') {
        @Override
        public String upsert(String table) {
            return insert(table) + " ON CONFLICT (" + keyColumns() + ") DO UPDATE SET " + q("offset") + " = EXCLUDED."
                    + q("offset") + ", " + q("msg_id") + " = EXCLUDED." + q("msg_id");
        }

        @Override
        public String insertIfAbsent(String table) {
            return insert(table) + " ON CONFLICT (" + keyColumns() + ") DO NOTHING";
        }
    };

    /** An unquoted table name, optionally schema-qualified: it is put into SQL as is. */
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    private final char quote;

    SqlDialect(char quote) {
        this.quote = quote;
    }

    /** The dialect of a database product name; IllegalArgumentException for one not supported. */
    public static SqlDialect of(String productName) {
        String name = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (name.contains("mysql") || name.contains("mariadb")) {
            return MYSQL;
        }
        if (name.contains("postgresql")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported database '" + productName
                + "': the JDBC offset store supports MySQL, MariaDB and PostgreSQL");
    }

    /** Checks a table name; IllegalArgumentException when it is not a plain (schema.)identifier. */
    public static String checkTableName(String table) {
        if (table == null || !TABLE_NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("invalid offset table name '" + table
                    + "': letters, digits and _ only, optionally schema-qualified");
        }
        return table;
    }

    /** Upserts one position; parameters topic, partition, group_id, offset, msg_id. */
    public abstract String upsert(String table);

    /** Inserts a position unless the key exists; parameters as {@link #upsert}. */
    public abstract String insertIfAbsent(String table);

    /** Selects offset, msg_id of one key; parameters topic, partition, group_id. */
    public String select(String table) {
        return "SELECT " + q("offset") + ", " + q("msg_id") + " FROM " + table + " WHERE " + q("topic") + " = ? AND "
                + q("partition") + " = ? AND " + q("group_id") + " = ?";
    }

    String insert(String table) {
        return "INSERT INTO " + table + " (" + keyColumns() + ", " + q("offset") + ", " + q("msg_id")
                + ") VALUES (?, ?, ?, ?, ?)";
    }

    String keyColumns() {
        return q("topic") + ", " + q("partition") + ", " + q("group_id");
    }

    String q(String column) {
        return quote + column + quote;
    }
}
