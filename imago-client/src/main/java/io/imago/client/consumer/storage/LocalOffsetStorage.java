package io.imago.client.consumer.storage;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.internal.storage.DurableFiles;
import io.imago.client.internal.storage.OffsetFileLock;
import io.imago.client.internal.storage.PositionSnapshot;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Consumer positions in a local file, MetaQ's {@code LocalOffsetStorage}: the store of broadcast
 * consumers, where every host is its own group. The file (default {@code ${user.home}/.meta_offsets})
 * holds a JSON object mapping each group to a list of positions, in the shape MetaQ writes and reads:
 * <pre>
 * {"grp":[{"topic":"t","partition":{"brokerId":0,"partition":1},"offset":120,"messageId":-1,"modified":false}]}
 * </pre>
 * Unknown fields (MetaQ's files also carry {@code autoAck}, {@code acked}, {@code rollback} in the
 * partition) are ignored; a missing {@code messageId} reads as -1.
 *
 * <p>A commit reads the file, merges the group's positions into it (other groups' and other
 * partitions' positions are kept), writes a temporary file, forces it to disk and renames it over
 * the old one: a crash leaves the old file or the new one, never a torn one. Commits are serialised
 * by a lock per file shared by all stores in the JVM and an OS lock on {@code <file>.lock} shared with
 * other processes, so several groups, stores and processes may commit to one file at once. A load
 * reads the file afresh. {@link #initOffset} writes nothing, as in MetaQ. Thread-safe.
 */
public class LocalOffsetStorage implements OffsetStorage {
    /** The file name MetaQ uses in the user's home directory. */
    public static final String DEFAULT_FILE_NAME = ".meta_offsets";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<TreeMap<String, List<StoredPosition>>> FILE_TYPE = new TypeReference<>() {};
    private static final Comparator<StoredPosition> ORDER = Comparator.comparing(StoredPosition::topic)
            .thenComparingInt(p -> p.partition().brokerId())
            .thenComparingInt(p -> p.partition().partition());

    private final Path file;
    private volatile boolean closed;

    /** Positions in {@code ${user.home}/.meta_offsets}. */
    public LocalOffsetStorage() {
        this(Path.of(System.getProperty("user.home"), DEFAULT_FILE_NAME));
    }

    public LocalOffsetStorage(String filePath) {
        this(Path.of(filePath));
    }

    public LocalOffsetStorage(Path file) {
        this.file = file;
    }

    /** The file holding the positions. */
    public Path getFile() {
        return file;
    }

    @Override
    public void commitOffset(String group, Collection<TopicPartitionRegInfo> infos) throws MetaClientException {
        checkOpen();
        if (infos == null || infos.isEmpty()) {
            return;
        }
        List<PositionSnapshot> snapshots =
                infos.stream().map(PositionSnapshot::take).toList();
        try {
            OffsetFileLock.withLock(file, () -> {
                SortedMap<String, List<StoredPosition>> all = readFile();
                all.put(group, merge(all.getOrDefault(group, List.of()), snapshots));
                DurableFiles.writeAtomically(file, MAPPER.writeValueAsBytes(all));
                return null;
            });
        } catch (IOException | RuntimeException e) {
            snapshots.forEach(PositionSnapshot::remark);
            throw new MetaClientException("cannot commit offsets of group " + group + " to " + file + ": " + e, e);
        }
    }

    private static List<StoredPosition> merge(List<StoredPosition> stored, List<PositionSnapshot> snapshots) {
        Map<String, StoredPosition> byKey = new TreeMap<>();
        for (StoredPosition p : stored) {
            byKey.put(p.key(), p);
        }
        for (PositionSnapshot s : snapshots) {
            StoredPosition p = StoredPosition.of(s);
            byKey.put(p.key(), p);
        }
        List<StoredPosition> merged = new ArrayList<>(byKey.values());
        merged.sort(ORDER);
        return merged;
    }

    @Override
    public TopicPartitionRegInfo load(String topic, String group, Partition partition) throws MetaClientException {
        checkOpen();
        Map<String, List<StoredPosition>> all;
        try {
            all = readFile();
        } catch (IOException e) {
            throw new MetaClientException("cannot read offsets file " + file + ": " + e, e);
        }
        for (StoredPosition p : all.getOrDefault(group, List.of())) {
            if (p.topic().equals(topic)
                    && p.partition().brokerId() == partition.getBrokerId()
                    && p.partition().partition() == partition.getPartition()) {
                long messageId = p.messageId() == null ? -1L : p.messageId();
                return new TopicPartitionRegInfo(topic, partition, p.offset(), messageId);
            }
        }
        return null;
    }

    /** Writes nothing: the position is written by its first commit (as in MetaQ). */
    @Override
    public void initOffset(String topic, String group, Partition partition, long offset) throws MetaClientException {
        checkOpen();
    }

    /** Nothing to release (every commit is complete on disk); later calls fail. Idempotent. */
    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() throws MetaClientException {
        if (closed) {
            throw new MetaClientException("LocalOffsetStorage on " + file + " is closed");
        }
    }

    /** The whole file; an absent or empty file (MetaQ creates it empty) holds no positions. */
    private SortedMap<String, List<StoredPosition>> readFile() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new TreeMap<>();
        }
        if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
            return new TreeMap<>();
        }
        try {
            TreeMap<String, List<StoredPosition>> all = MAPPER.readValue(bytes, FILE_TYPE);
            all.values().removeIf(java.util.Objects::isNull);
            for (Map.Entry<String, List<StoredPosition>> e : all.entrySet()) {
                for (StoredPosition p : e.getValue()) {
                    if (p == null || p.topic() == null || p.partition() == null) {
                        throw new IOException("offsets file " + file + ": group " + e.getKey()
                                + " has a position without topic or partition (fix or remove it)");
                    }
                }
            }
            return all;
        } catch (JsonProcessingException e) {
            throw new IOException(
                    "offsets file " + file + " is not a JSON map of group to positions " + "(fix or remove it): "
                            + e.getOriginalMessage(),
                    e);
        }
    }

    /** One position as stored in the file. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record StoredPosition(String topic, StoredPartition partition, long offset, Long messageId, boolean modified) {
        static StoredPosition of(PositionSnapshot s) {
            Partition p = s.info().getPartition();
            return new StoredPosition(
                    s.info().getTopic(),
                    new StoredPartition(p.getBrokerId(), p.getPartition()),
                    s.offset(),
                    s.messageId(),
                    false);
        }

        String key() {
            return topic + '\u0000' + partition.brokerId() + '-' + partition.partition();
        }
    }

    /** A partition as stored in the file. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record StoredPartition(int brokerId, int partition) {}
}
