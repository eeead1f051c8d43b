package io.imago.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's own check that a partition directory stays inside its data directory. */
class PartitionDirectoriesTest {
    @TempDir
    Path tmp;

    @Test
    void aPlainNameResolvesInsideTheDataDirectory() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        assertThat(PartitionDirectories.resolve(data, new TopicPartition("orders", 3)))
                .isEqualTo(data.resolve("orders-3"));
        assertThat(PartitionDirectories.resolve(tmp.resolve("not-yet"), new TopicPartition("t", 0)))
                .as("a data directory that does not exist yet")
                .isEqualTo(tmp.resolve("not-yet").resolve("t-0"));
    }

    @Test
    void namesThatLeaveTheDataDirectoryAreRefused() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        for (String topic : new String[] {"../escape", "a/b", "/tmp/imago-escape", "a/../../b", "../data/x"}) {
            assertThatThrownBy(() -> PartitionDirectories.resolve(data, new TopicPartition(topic, 0)))
                    .as(topic)
                    .isInstanceOf(UnsafePathException.class)
                    .hasMessageContaining("inside the data directory");
        }
        assertThatThrownBy(() -> PartitionDirectories.resolve(data, new TopicPartition("t\u0000", 0)))
                .isInstanceOf(UnsafePathException.class)
                .hasMessageContaining("t\\u0000-0");
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left).containsExactly(data);
        }
    }

    @Test
    void aSymbolicLinkLeadingOutOfTheDataDirectoryIsRefused() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(data.resolve("linked-0"), elsewhere);
        assertThatThrownBy(() -> PartitionDirectories.resolve(data, new TopicPartition("linked", 0)))
                .isInstanceOf(UnsafePathException.class)
                .hasMessageContaining("outside the data directory");
    }

    @Test
    void aDataDirectoryReachedThroughALinkIsFine() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real"));
        Files.createDirectories(real.resolve("t-0"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        assertThat(PartitionDirectories.resolve(link, new TopicPartition("t", 0)))
                .isEqualTo(link.resolve("t-0"));
    }
}
