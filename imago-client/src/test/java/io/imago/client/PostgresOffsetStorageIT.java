package io.imago.client;

import io.imago.client.consumer.storage.JdbcOffsetStorage;
import javax.sql.DataSource;
import org.junit.jupiter.api.Timeout;
import org.postgresql.ds.PGSimpleDataSource;

/** JdbcOffsetStorage on the real PostgreSQL at 127.0.0.1:5432 (trust authentication, database test). */
@Timeout(60)
class PostgresOffsetStorageIT extends JdbcOffsetStorageContract {

    @Override
    DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL("jdbc:postgresql://127.0.0.1:5432/test");
        ds.setUser("postgres");
        return ds;
    }

    @Override
    String ddlResource() {
        return JdbcOffsetStorage.POSTGRESQL_DDL_RESOURCE;
    }

    @Override
    String expectedDialect() {
        return "POSTGRESQL";
    }
}
