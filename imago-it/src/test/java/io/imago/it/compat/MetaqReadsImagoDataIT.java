package io.imago.it.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.imago.it.harness.BrokerProcess;
import io.imago.it.harness.ClusterExtension;
import io.imago.it.harness.PutAck;
import io.imago.it.harness.RawMetaqConnection;
import io.imago.it.harness.Reply;
import io.imago.it.harness.StoredRecord;
import io.imago.it.harness.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Going back to MetaQ (issue 13 section 1): Imago zero-fills the active segment ahead of its writer, so a
 * {@code kill -9} leaves zeros after the last record, which the original 1.4.6.2 broker's length-based
 * loader takes for data: its recovery of the last segment accepts a 20-byte all-zero header as a valid
 * empty record (CRC32 of nothing is 0), so it serves them as records with id 0 and no payload and
 * appends after them. Imago's {@code .lock} file can also keep the original loader from loading the
 * partition at all. {@code bin/imago metaq-ready} trims the zeros and removes the lock file: the original
 * broker then serves every acknowledged message, and nothing after it. The round trip starts with the
 * original broker writing the directory (several segments), which Imago serves as it is and extends.
 */
@Timeout(180)
class MetaqReadsImagoDataIT {
    private static final int MESSAGES = 200;
    private static final int PAYLOAD_BYTES = 1000;
    private static final int MAX_FETCH = 1024 * 1024;
    /** Segments of the round trip: several for 200 messages. */
    private static final int SEGMENT_BYTES = 64 * 1024;

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    @BeforeEach
    void imagoWritesTheDirectory() {
        assumeThat(CLUSTER.target()).isEqualTo(Target.IMAGO);
    }

    @Test
    void theOriginalBrokerServesEveryAcknowledgedMessageOfACrashedImagoDirectoryAfterMetaqReady() throws Exception {
        Path data = CLUSTER.cluster().broker(0).topic("test").build().dataPath().resolveSibling("crashed-data");
        Map<Long, byte[]> acked = writeThenKill(data, 0);
        long end = endOf(acked);
        Path segment = data.resolve("test-0").resolve("00000000000000000000.meta");
        assertThat(Files.size(segment)).as("zero fill left by the crash").isGreaterThan(end);

        String output = metaqReady(data);
        assertThat(output).contains("test-0 offsets [0, " + end + ") segments 1 zero fill ");
        assertThat(Files.size(segment)).as("trimmed to the last record").isEqualTo(end);
        try (Stream<Path> entries = Files.list(data)) {
            assertThat(entries.map(p -> p.getFileName().toString()))
                    .as("only partition directories: MetaQ's loader may skip partitions beside a plain file")
                    .containsExactly("test-0");
        }

        BrokerProcess metaq = startOriginal(data, 1);
        try (RawMetaqConnection conn = RawMetaqConnection.open(metaq)) {
            Map<Long, StoredRecord> served = new LinkedHashMap<>();
            assertThat(walk(conn, served)).as("the original broker's end").isEqualTo(end);
            assertThat(served).hasSize(acked.size());
            for (Map.Entry<Long, byte[]> ack : acked.entrySet()) {
                assertThat(served.get(ack.getKey()))
                        .as("acknowledged message at %d", ack.getKey())
                        .isNotNull();
                assertThat(served.get(ack.getKey()).payload()).isEqualTo(ack.getValue());
            }
            assertThat(PutAck.of(conn.put("test", 0, "after".getBytes(StandardCharsets.UTF_8)))
                            .offset())
                    .as("the original appends right after the last message")
                    .isEqualTo(end);
        } finally {
            metaq.stop();
        }
    }

    @Test
    void withoutMetaqReadyTheOriginalBrokerServesTheZeroFillAsEmptyRecords() throws Exception {
        Path data = CLUSTER.cluster().broker(0).topic("test").build().dataPath().resolveSibling("crashed-as-is");
        Map<Long, byte[]> acked = writeThenKill(data, 2);
        long end = endOf(acked);
        long fileLength = Files.size(data.resolve("test-0").resolve("00000000000000000000.meta"));
        assertThat(fileLength).isGreaterThan(end);
        // Imago's lock file alone can hide the partition from the original loader (it loads its last,
        // partial batch of directories only when the last entry listed is one; seen here with
        // "Ignore not directory path: .../.lock" and no "Loading data directory"); remove it to see what
        // the zero fill does
        Files.delete(data.resolve(".lock"));

        BrokerProcess metaq = startOriginal(data, 3);
        try (RawMetaqConnection conn = RawMetaqConnection.open(metaq)) {
            Map<Long, StoredRecord> served = new LinkedHashMap<>();
            long metaqEnd = walk(conn, served);
            List<StoredRecord> zeros = new ArrayList<>();
            served.forEach((offset, record) -> {
                if (offset >= end) {
                    zeros.add(record);
                }
            });
            assertThat(metaqEnd)
                    .as("the zero fill, in whole 20-byte 'records'")
                    .isEqualTo(end + (fileLength - end) / StoredRecord.HEADER_BYTES * StoredRecord.HEADER_BYTES);
            assertThat(zeros).isNotEmpty().allSatisfy(r -> {
                assertThat(r.id()).isZero();
                assertThat(r.payload()).isEmpty();
            });
        } finally {
            metaq.stop();
        }
    }

    @Test
    void aDirectoryGoesFromTheOriginalBrokerToImagoAndBackWithEveryMessage() throws Exception {
        Path data = CLUSTER.cluster().broker(0).topic("test").build().dataPath().resolveSibling("round-trip");
        Map<Long, byte[]> acked = new LinkedHashMap<>();
        BrokerProcess original = startOriginal(data, 4);
        try (RawMetaqConnection conn = RawMetaqConnection.open(original)) {
            for (int i = 0; i < MESSAGES; i++) {
                acked.put(PutAck.of(conn.put("test", 0, payload(i))).offset(), payload(i));
            }
        }
        original.stop(); // SIGTERM: the original closes (and flushes) its stores
        assertThat(segmentCount(data)).as("the original wrote several segments").isGreaterThan(2);

        BrokerProcess imago = CLUSTER.cluster()
                .startBroker(CLUSTER.cluster()
                        .broker(5)
                        .dataPath(data)
                        .maxSegmentBytes(SEGMENT_BYTES)
                        .topic("test"));
        try (RawMetaqConnection conn = RawMetaqConnection.open(imago)) {
            assertServesExactly(conn, acked);
            for (int i = MESSAGES; i < 2 * MESSAGES; i++) {
                acked.put(PutAck.of(conn.put("test", 0, payload(i))).offset(), payload(i));
            }
            assertServesExactly(conn, acked);
        }
        assertThat(imago.stop()).as("Imago stops cleanly").isZero();
        assertThat(lastSegmentBytes(data))
                .as("a clean stop leaves no zero fill")
                .isEqualTo(endOf(acked) - lastSegmentStart(data));

        assertThat(metaqReady(data)).contains("zero fill 0 bytes trimmed, torn tail 0 bytes truncated");
        BrokerProcess back = startOriginal(data, 6);
        try (RawMetaqConnection conn = RawMetaqConnection.open(back)) {
            assertServesExactly(conn, acked);
        } finally {
            back.stop();
        }
    }

    private static void assertServesExactly(RawMetaqConnection conn, Map<Long, byte[]> acked) throws IOException {
        Map<Long, StoredRecord> served = new LinkedHashMap<>();
        assertThat(walk(conn, served)).as("the end").isEqualTo(endOf(acked));
        assertThat(served).hasSize(acked.size());
        acked.forEach((offset, payload) -> {
            assertThat(served.get(offset)).as("message at %d", offset).isNotNull();
            assertThat(served.get(offset).payload()).as("message at %d", offset).isEqualTo(payload);
        });
    }

    private static long segmentCount(Path data) throws IOException {
        try (Stream<Path> files = Files.list(data.resolve("test-0"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".meta"))
                    .count();
        }
    }

    private static long lastSegmentStart(Path data) throws IOException {
        try (Stream<Path> files = Files.list(data.resolve("test-0"))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".meta"))
                    .mapToLong(n -> Long.parseLong(n.substring(0, n.length() - ".meta".length())))
                    .max()
                    .orElseThrow();
        }
    }

    private static long lastSegmentBytes(Path data) throws IOException {
        return Files.size(data.resolve("test-0").resolve(String.format("%020d.meta", lastSegmentStart(data))));
    }

    /** Runs {@code bin/imago metaq-ready --data DIR} in a child JVM; returns its output, failing on exit != 0. */
    private static String metaqReady(Path data) throws Exception {
        Process tool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.imago.cli.ImagoCli",
                        "metaq-ready",
                        "--data",
                        data.toString())
                .redirectErrorStream(true)
                .start();
        try {
            String output = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(tool.waitFor(60, TimeUnit.SECONDS))
                    .as("metaq-ready ends")
                    .isTrue();
            assertThat(tool.exitValue()).as(output).isZero();
            return output;
        } finally {
            tool.destroyForcibly();
        }
    }

    /** An Imago broker writes {@link #MESSAGES} acknowledged puts into {@code data}, then is killed. */
    private static Map<Long, byte[]> writeThenKill(Path data, int brokerId) throws Exception {
        BrokerProcess imago = CLUSTER.cluster()
                .startBroker(CLUSTER.cluster().broker(brokerId).dataPath(data).topic("test"));
        Map<Long, byte[]> acked = new LinkedHashMap<>();
        try (RawMetaqConnection conn = RawMetaqConnection.open(imago)) {
            for (int i = 0; i < MESSAGES; i++) {
                byte[] payload = payload(i);
                acked.put(PutAck.of(conn.put("test", 0, payload)).offset(), payload);
            }
        }
        long end = endOf(acked);
        Path segment = data.resolve("test-0").resolve("00000000000000000000.meta");
        await("the active segment is zero-filled ahead of the writer")
                .atMost(Duration.ofSeconds(20))
                .until(() -> Files.size(segment) > end);
        imago.kill();
        return acked;
    }

    /** The original broker on {@code data}, in group commit, with segments of {@link #SEGMENT_BYTES}. */
    private static BrokerProcess startOriginal(Path data, int brokerId) {
        return CLUSTER.cluster()
                .newBroker(
                        CLUSTER.cluster()
                                .broker(brokerId)
                                .dataPath(data)
                                .maxSegmentBytes(SEGMENT_BYTES)
                                .system("unflushThreshold", "0")
                                .topic("test"),
                        Target.METAQ)
                .start();
    }

    private static long endOf(Map<Long, byte[]> acked) {
        long end = 0;
        for (Map.Entry<Long, byte[]> ack : acked.entrySet()) {
            end = Math.max(end, ack.getKey() + StoredRecord.HEADER_BYTES + ack.getValue().length);
        }
        return end;
    }

    private static byte[] payload(int i) {
        byte[] payload = new byte[PAYLOAD_BYTES];
        for (int j = 0; j < payload.length; j++) {
            payload[j] = (byte) ('a' + (i + j) % 26);
        }
        return payload;
    }

    /** Reads partition test-0 from 0 to its end, checking each record's CRC; returns the end offset. */
    private static long walk(RawMetaqConnection conn, Map<Long, StoredRecord> served) throws IOException {
        long offset = 0;
        while (true) {
            Reply reply = conn.get("test", "it-group", 0, offset, MAX_FETCH);
            if (reply.isResult(404)) {
                return offset;
            }
            assertThat(reply.isValue()).as("get at %d: %s", offset, reply).isTrue();
            StoredRecord.MessageSet set = StoredRecord.parse(reply.body());
            assertThat(set.records()).as("complete records at %d", offset).isNotEmpty();
            for (StoredRecord r : set.records()) {
                assertThat(r.checksumValid()).as("CRC of record at %d", offset).isTrue();
                served.put(offset, r);
                offset += r.size();
            }
        }
    }
}
