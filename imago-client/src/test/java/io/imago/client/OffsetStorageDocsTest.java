package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.client.consumer.storage.JdbcOffsetStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** docs/offset-storage.md shows exactly the DDL that ships in the jar and that the database tests apply. */
@Timeout(10)
class OffsetStorageDocsTest {
    private static final Path DOC = Path.of("..", "docs", "offset-storage.md");

    @Test
    void docsShowTheShippedMysqlDdl() throws Exception {
        assertThat(Files.readString(DOC))
                .contains("```sql\n" + JdbcOffsetStorageContract.ddl(JdbcOffsetStorage.MYSQL_DDL_RESOURCE) + ";\n```");
    }

    @Test
    void docsShowTheShippedPostgresqlDdl() throws Exception {
        assertThat(Files.readString(DOC))
                .contains("```sql\n" + JdbcOffsetStorageContract.ddl(JdbcOffsetStorage.POSTGRESQL_DDL_RESOURCE)
                        + ";\n```");
    }
}
