package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.consumer.storage.LocalOffsetStorage;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class LocalOffsetStorageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void commitThenLoadRoundTripsOffsetAndMessageId() throws Exception {
        LocalOffsetStorage storage = new LocalOffsetStorage(dir.resolve(".meta_offsets"));
        storage.commitOffset("grp", List.of(moved("t", new Partition(0, 1), 5_000_000_000L, -42)));
        TopicPartitionRegInfo loaded = storage.load("t", "grp", new Partition(0, 1));
        assertThat(loaded.getOffset()).isEqualTo(5_000_000_000L);
        assertThat(loaded.getMessageId()).isEqualTo(-42);
        assertThat(loaded.getTopic()).isEqualTo("t");
        assertThat(loaded.getPartition()).isEqualTo(new Partition(0, 1));
        assertThat(storage.load("t", "grp", new Partition(0, 2))).isNull();
        assertThat(storage.load("t", "other", new Partition(0, 1))).isNull();
    }

    @Test
    void positionsSurviveAConsumerRestart() throws Exception {
        Path file = dir.resolve(".meta_offsets");
        LocalOffsetStorage first = new LocalOffsetStorage(file.toString());
        first.commitOffset("grp", List.of(moved("t", new Partition(2, 0), 77, 9)));
        first.close();
        LocalOffsetStorage restarted = new LocalOffsetStorage(file);
        assertThat(restarted.load("t", "grp", new Partition(2, 0)).getOffset()).isEqualTo(77);
        assertThat(restarted.load("t", "grp", new Partition(2, 0)).getMessageId())
                .isEqualTo(9);
    }

    @Test
    void writesMetaQsJsonShape() throws Exception {
        Path file = dir.resolve("offsets.json");
        new LocalOffsetStorage(file).commitOffset("grp", List.of(moved("t", new Partition(3, 4), 120, -1)));
        JsonNode root = JSON.readTree(file.toFile());
        assertThat(root.fieldNames()).toIterable().containsExactly("grp");
        JsonNode position = root.get("grp").get(0);
        assertThat(position.fieldNames())
                .toIterable()
                .containsExactly("topic", "partition", "offset", "messageId", "modified");
        assertThat(position.get("topic").asText()).isEqualTo("t");
        assertThat(position.get("partition").fieldNames()).toIterable().containsExactly("brokerId", "partition");
        assertThat(position.get("partition").get("brokerId").asInt()).isEqualTo(3);
        assertThat(position.get("partition").get("partition").asInt()).isEqualTo(4);
        assertThat(position.get("offset").asLong()).isEqualTo(120);
        assertThat(position.get("messageId").asLong()).isEqualTo(-1);
        assertThat(position.get("modified").asBoolean()).isFalse();
    }

    @Test
    void readsAFileWrittenByMetaQ() throws Exception {
        Path file = dir.resolve(".meta_offsets");
        try (InputStream in = getClass().getResourceAsStream("metaq-1.4-meta_offsets.json")) {
            Files.copy(in, file);
        }
        LocalOffsetStorage storage = new LocalOffsetStorage(file);
        TopicPartitionRegInfo p100 = storage.load("test-topic", "test-grp", new Partition(100, 0));
        assertThat(p100.getOffset()).isZero();
        assertThat(p100.getMessageId()).isEqualTo(-5468932056614424576L);
        TopicPartitionRegInfo p101 = storage.load("test-topic", "test-grp", new Partition(101, 0));
        assertThat(p101.getOffset()).isEqualTo(130835445);
        assertThat(p101.getMessageId()).as("absent messageId").isEqualTo(-1);
    }

    @Test
    void anAbsentOrEmptyFileHoldsNoPositions() throws Exception {
        Path file = dir.resolve(".meta_offsets");
        assertThat(new LocalOffsetStorage(file).load("t", "g", new Partition(0, 0)))
                .isNull();
        Files.createFile(file);
        assertThat(new LocalOffsetStorage(file).load("t", "g", new Partition(0, 0)))
                .isNull();
    }

    @Test
    void commitKeepsOtherGroupsAndPartitionsAndReplacesTheCommittedOnes() throws Exception {
        LocalOffsetStorage storage = new LocalOffsetStorage(dir.resolve(".meta_offsets"));
        storage.commitOffset(
                "g1", List.of(moved("t", new Partition(0, 0), 1, 1), moved("t", new Partition(0, 1), 2, 2)));
        storage.commitOffset("g2", List.of(moved("t", new Partition(0, 0), 3, 3)));
        storage.commitOffset(
                "g1", List.of(moved("t", new Partition(0, 0), 10, 10), moved("u", new Partition(0, 0), 4, 4)));
        storage.commitOffset("g1", List.of());
        storage.commitOffset("g1", null);
        assertThat(storage.load("t", "g1", new Partition(0, 0)).getOffset()).isEqualTo(10);
        assertThat(storage.load("t", "g1", new Partition(0, 1)).getOffset()).isEqualTo(2);
        assertThat(storage.load("u", "g1", new Partition(0, 0)).getOffset()).isEqualTo(4);
        assertThat(storage.load("t", "g2", new Partition(0, 0)).getOffset()).isEqualTo(3);
    }

    @Test
    void concurrentCommitsOfSeveralGroupsFromSeveralStoresLoseNothing() throws Exception {
        Path file = dir.resolve(".meta_offsets");
        int groups = 6;
        int rounds = 25;
        ExecutorService pool = Executors.newFixedThreadPool(groups);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                String group = "g" + g;
                LocalOffsetStorage storage = new LocalOffsetStorage(file); // one store per consumer, one file
                futures.add(pool.submit(() -> {
                    List<TopicPartitionRegInfo> infos =
                            List.of(moved("t", new Partition(0, 0), 0, 0), moved("t", new Partition(0, 1), 0, 0));
                    for (int r = 1; r <= rounds; r++) {
                        for (TopicPartitionRegInfo info : infos) {
                            info.advance(r * 100L + info.getPartition().getPartition(), r);
                        }
                        storage.commitOffset(group, infos);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        LocalOffsetStorage reader = new LocalOffsetStorage(file);
        for (int g = 0; g < groups; g++) {
            assertThat(reader.load("t", "g" + g, new Partition(0, 0)).getOffset())
                    .isEqualTo(rounds * 100L);
            assertThat(reader.load("t", "g" + g, new Partition(0, 1)).getOffset())
                    .isEqualTo(rounds * 100L + 1);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no temporary file left behind")
                    .containsExactlyInAnyOrder(".meta_offsets", ".meta_offsets.lock");
        }
    }

    @Test
    void aCorruptFileIsReportedAndNeverOverwritten() throws Exception {
        Path file = dir.resolve(".meta_offsets");
        Files.writeString(
                file, "{\"grp\":[{\"topic\":\"t\",\"partition\":{\"brokerId\":0,\"part", StandardCharsets.UTF_8);
        LocalOffsetStorage storage = new LocalOffsetStorage(file);
        assertThatThrownBy(() -> storage.load("t", "grp", new Partition(0, 0)))
                .isInstanceOf(MetaClientException.class)
                .hasMessageContaining(file.toString());
        TopicPartitionRegInfo info = moved("t", new Partition(0, 0), 5, 5);
        assertThatThrownBy(() -> storage.commitOffset("grp", List.of(info)))
                .isInstanceOf(MetaClientException.class)
                .hasMessageContaining("fix or remove it");
        assertThat(Files.readString(file)).endsWith("\"part");
        assertThat(info.isModified()).as("kept for the next commit").isTrue();
    }

    @Test
    void initOffsetWritesNothingAndACloseStoreRefusesWork() throws Exception {
        Path file = dir.resolve(".meta_offsets");
        LocalOffsetStorage storage = new LocalOffsetStorage(file);
        storage.initOffset("t", "g", new Partition(0, 0), 10);
        assertThat(Files.exists(file)).isFalse();
        storage.close();
        storage.close();
        assertThatThrownBy(() -> storage.load("t", "g", new Partition(0, 0)))
                .isInstanceOf(MetaClientException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void defaultFileIsMetaOffsetsInTheHomeDirectory() {
        assertThat(new LocalOffsetStorage().getFile())
                .isEqualTo(Path.of(System.getProperty("user.home"), ".meta_offsets"));
    }

    private static TopicPartitionRegInfo moved(String topic, Partition partition, long offset, long messageId) {
        TopicPartitionRegInfo info = new TopicPartitionRegInfo(topic, partition, 0);
        info.advance(offset, messageId);
        return info;
    }
}
