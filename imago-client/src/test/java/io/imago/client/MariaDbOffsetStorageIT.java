package io.imago.client;

import io.imago.client.consumer.storage.JdbcOffsetStorage;
import javax.sql.DataSource;
import org.junit.jupiter.api.Timeout;
import org.mariadb.jdbc.MariaDbDataSource;

/** JdbcOffsetStorage on the real MariaDB at 127.0.0.1:3306 (root, no password, database test). */
@Timeout(60)
class MariaDbOffsetStorageIT extends JdbcOffsetStorageContract {

    @Override
    DataSource dataSource() {
        try {
            MariaDbDataSource ds = new MariaDbDataSource("jdbc:mariadb://127.0.0.1:3306/test");
            ds.setUser("root");
            ds.setPassword("");
            return ds;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    String ddlResource() {
        return JdbcOffsetStorage.MYSQL_DDL_RESOURCE;
    }

    @Override
    String expectedDialect() {
        return "MYSQL";
    }
}
