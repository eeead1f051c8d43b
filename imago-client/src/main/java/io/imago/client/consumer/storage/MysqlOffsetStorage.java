package io.imago.client.consumer.storage;

import javax.sql.DataSource;

/**
 * MetaQ's name for the database offset store, kept so that MetaQ code ports by changing imports:
 * a {@link JdbcOffsetStorage}, which serves MySQL, MariaDB and PostgreSQL alike. Thread-safe.
 */
public class MysqlOffsetStorage extends JdbcOffsetStorage {

    public MysqlOffsetStorage(DataSource dataSource) {
        super(dataSource);
    }

    public MysqlOffsetStorage(DataSource dataSource, String tableName) {
        super(dataSource, tableName);
    }
}
