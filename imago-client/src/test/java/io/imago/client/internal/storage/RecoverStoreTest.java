package io.imago.client.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.Message;
import io.imago.client.MetaClientConfig;
import io.imago.cluster.Partition;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class RecoverStoreTest {
    @TempDir
    Path dir;

    private final List<CorruptRegion> reported = new CopyOnWriteArrayList<>();
    private final List<RecoverStore> opened = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(RecoverStore::close);
    }

    @Test
    void appendedMessagesComeBackWithEveryField() throws Exception {
        RecoverStore store = open();
        Message full = message("t", "payload", "attr", 123456789L, new Partition(2, 5), 4096);
        Message bare = new Message("t", new byte[0]);
        Message emptyAttribute = message("t", "x", "", -5468932056614424576L, new Partition(0, 0), 0);
        store.append(full);
        store.append(bare);
        store.append(emptyAttribute);

        List<RecoverStore.Entry> entries = pending(store);
        assertThat(entries).extracting(RecoverStore.Entry::sequence).containsExactly(1L, 2L, 3L);
        assertSameFields(entries.get(0).message(), full);
        assertSameFields(entries.get(1).message(), bare);
        assertSameFields(entries.get(2).message(), emptyAttribute);
        assertThat(store.file().getFileName().toString()).isEqualTo("t@grp.recover");
    }

    @Test
    void removedEntriesAreNotPendingAfterAReopen() throws Exception {
        RecoverStore store = open();
        List<RecoverStore.Entry> appended = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            appended.add(store.append(message("t", "m" + i)));
        }
        assertThat(store.remove(appended.get(1))).isTrue();
        assertThat(store.remove(appended.get(3))).isTrue();
        assertThat(store.remove(appended.get(3))).as("already removed").isFalse();
        store.close();

        RecoverStore reopened = open();
        assertThat(texts(reopened)).containsExactly("m0", "m2", "m4");
        assertThat(reopened.append(message("t", "m5")).sequence())
                .as("sequences keep growing")
                .isEqualTo(6);
        assertThat(reported).isEmpty();
    }

    @Test
    void aBitFlipInsideOneEntrySkipsAndReportsOnlyThatEntry() throws Exception {
        RecoverStore store = open();
        List<Long> positions = appendAll(store, "first", "second", "third");
        store.close();
        flipBit(positions.get(1) + RecoverStoreDescriptor.RECORD_HEADER_SIZE + 30);

        RecoverStore reopened = open();
        assertThat(texts(reopened)).containsExactly("first", "third");
        assertThat(reported).hasSize(1);
        assertThat(reported.get(0).position()).isEqualTo(positions.get(1));
        assertThat(reported.get(0).reason()).contains("checksum");
        assertThat(reopened.corruptRegionCount()).isEqualTo(1);
    }

    @Test
    void aFlippedLengthIsFoundAndTheNextEntriesStillRead() throws Exception {
        RecoverStore store = open();
        List<Long> positions = appendAll(store, "first", "second", "third", "fourth");
        store.close();
        flipBit(positions.get(1) + RecoverStoreDescriptor.LENGTH_OFFSET + 1);

        assertThat(texts(open())).containsExactly("first", "third", "fourth");
        assertThat(reported).singleElement().satisfies(r -> {
            assertThat(r.position()).isEqualTo(positions.get(1));
            assertThat(r.length()).isEqualTo(positions.get(2) - positions.get(1));
        });
    }

    @Test
    void aTornLastEntryIsSkippedReportedAndCutSoAppendsContinue() throws Exception {
        RecoverStore store = open();
        List<Long> positions = appendAll(store, "first", "second", "third");
        long size = store.fileBytes();
        store.close();
        truncate(size - 4);

        RecoverStore reopened = open();
        assertThat(texts(reopened)).containsExactly("first", "second");
        assertThat(reported).singleElement().satisfies(r -> {
            assertThat(r.position()).isEqualTo(positions.get(2));
            assertThat(r.reason()).contains("end of file");
        });
        assertThat(reopened.fileBytes()).isEqualTo(positions.get(2));
        reopened.append(message("t", "fourth"));
        reopened.close();
        assertThat(texts(open())).containsExactly("first", "second", "fourth");
    }

    @Test
    void aCorruptRegionIsReportedOnceThenDroppedFromTheFile() throws Exception {
        RecoverStore store = open();
        List<Long> positions = appendAll(store, "first", "second", "third");
        store.close();
        flipBit(positions.get(0) + RecoverStoreDescriptor.RECORD_HEADER_SIZE + 20);
        open().close();
        assertThat(reported).hasSize(1);

        RecoverStore again = open();
        assertThat(texts(again)).containsExactly("second", "third");
        assertThat(reported).as("nothing new").hasSize(1);
        assertThat(again.corruptRegionCount()).isZero();
    }

    @Test
    void anEntryDamagedWhileOpenIsSkippedAndReportedByTheIterator() throws Exception {
        RecoverStore store = open();
        List<Long> positions = appendAll(store, "first", "second", "third");
        flipBit(positions.get(1) + RecoverStoreDescriptor.RECORD_HEADER_SIZE + 30);

        assertThat(texts(store)).containsExactly("first", "third");
        assertThat(reported)
                .singleElement()
                .satisfies(r -> assertThat(r.position()).isEqualTo(positions.get(1)));
        assertThat(store.size()).isEqualTo(2);
    }

    @Test
    void removingEverythingCutsTheFileBackToItsHeader() throws Exception {
        RecoverStore store = open();
        List<RecoverStore.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            entries.add(store.append(message("t", "m" + i)));
        }
        for (RecoverStore.Entry e : entries) {
            store.remove(e);
        }
        assertThat(store.size()).isZero();
        assertThat(Files.size(store.file())).isEqualTo(RecoverStoreDescriptor.FILE_HEADER_SIZE);
        store.append(message("t", "after"));
        store.close();
        assertThat(texts(open())).containsExactly("after");
    }

    @Test
    void removingMostEntriesCompactsTheFileAndKeepsTheRest() throws Exception {
        RecoverStore store = open(1024);
        List<RecoverStore.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            entries.add(store.append(message("t", "message number " + i + " ".repeat(50))));
        }
        long full = Files.size(store.file());
        for (int i = 0; i < 40; i++) {
            if (i % 10 != 0) {
                store.remove(entries.get(i));
            }
        }
        assertThat(Files.size(store.file())).isLessThan(full / 3);
        assertThat(texts(store)).hasSize(4);
        store.close();
        RecoverStore reopened = open(1024);
        assertThat(pending(reopened)).extracting(RecoverStore.Entry::sequence).containsExactly(1L, 11L, 21L, 31L);
        assertThat(reopened.remove(11)).isTrue();
        assertThat(reported).isEmpty();
        try (var files = Files.list(dir)) {
            assertThat(files).as("no compaction file left").containsExactly(reopened.file());
        }
    }

    @Test
    void concurrentAppendersAllLandIntact() throws Exception {
        RecoverStore store = open();
        int threads = 4;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        store.append(message("t", thread + ":" + i));
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
        store.close();
        RecoverStore reopened = open();
        List<String> texts = texts(reopened);
        assertThat(texts).hasSize(threads * perThread).doesNotHaveDuplicates();
        for (int t = 0; t < threads; t++) {
            String prefix = t + ":";
            assertThat(texts.stream()
                            .filter(s -> s.startsWith(prefix))
                            .map(s -> s.substring(prefix.length()))
                            .map(Integer::parseInt))
                    .as("each thread's appends in order")
                    .isSorted();
        }
        assertThat(reported).isEmpty();
    }

    @Test
    void aFileThatIsNotARecoverStoreIsRefusedAndLeftAlone() throws Exception {
        Path file = dir.resolve("t@grp.recover");
        Files.writeString(file, "something else entirely");
        RecoverStore store = new RecoverStore(dir, "t", "grp", reported::add);
        assertThatThrownBy(store::open)
                .isInstanceOf(RecoverStoreException.class)
                .hasMessageContaining("bad header");
        assertThat(Files.readString(file)).isEqualTo("something else entirely");
    }

    @Test
    void aClosedStoreRefusesWorkAndCloseIsIdempotent() throws Exception {
        RecoverStore store = open();
        store.close();
        store.close();
        assertThatThrownBy(() -> store.append(message("t", "x")))
                .isInstanceOf(RecoverStoreException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void directoryComesFromTheClientConfig() throws Exception {
        MetaClientConfig config = new MetaClientConfig();
        config.setRecoverDirectory(dir.resolve("sub").toString());
        RecoverStore store = RecoverStore.of(config, "topic", "group", reported::add);
        opened.add(store);
        store.open();
        assertThat(store.file()).isEqualTo(dir.resolve("sub").resolve("topic@group.recover"));
        assertThat(Files.exists(store.file())).isTrue();
        assertThatThrownBy(() -> RecoverStore.fileName("a/b", "g")).isInstanceOf(IllegalArgumentException.class);
    }

    private RecoverStore open() throws RecoverStoreException {
        return open(RecoverStore.DEFAULT_COMPACT_MIN_DEAD_BYTES);
    }

    private RecoverStore open(long compactMinDeadBytes) throws RecoverStoreException {
        RecoverStore store = new RecoverStore(dir, "t", "grp", compactMinDeadBytes, reported::add);
        opened.add(store);
        store.open();
        return store;
    }

    /** Appends one message per text; returns the file position of each record. */
    private static List<Long> appendAll(RecoverStore store, String... texts) throws RecoverStoreException {
        List<Long> positions = new ArrayList<>();
        for (String text : texts) {
            positions.add(store.fileBytes());
            store.append(message("t", text));
        }
        return positions;
    }

    private static List<RecoverStore.Entry> pending(RecoverStore store) {
        List<RecoverStore.Entry> out = new ArrayList<>();
        store.forEach(out::add);
        return out;
    }

    private static List<String> texts(RecoverStore store) {
        return pending(store).stream()
                .map(e -> new String(e.message().getData(), StandardCharsets.UTF_8))
                .toList();
    }

    private void flipBit(long position) throws Exception {
        try (RandomAccessFile f =
                new RandomAccessFile(dir.resolve("t@grp.recover").toFile(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0x10);
        }
    }

    private void truncate(long size) throws Exception {
        try (RandomAccessFile f =
                new RandomAccessFile(dir.resolve("t@grp.recover").toFile(), "rw")) {
            f.setLength(size);
        }
    }

    private static Message message(String topic, String text) {
        return message(topic, text, null, 1, new Partition(0, 0), 0);
    }

    private static Message message(String topic, String text, String attribute, long id, Partition p, long offset) {
        Message m = new Message(topic, text.getBytes(StandardCharsets.UTF_8), attribute);
        m.setId(id);
        m.setPartition(p);
        m.setOffset(offset);
        return m;
    }

    private static void assertSameFields(Message actual, Message expected) {
        assertThat(actual.getTopic()).isEqualTo(expected.getTopic());
        assertThat(actual.getData()).isEqualTo(expected.getData());
        assertThat(actual.getAttribute()).isEqualTo(expected.getAttribute());
        assertThat(actual.hasAttribute()).isEqualTo(expected.hasAttribute());
        assertThat(actual.getId()).isEqualTo(expected.getId());
        assertThat(actual.getPartition()).isEqualTo(expected.getPartition());
        assertThat(actual.getOffset()).isEqualTo(expected.getOffset());
    }
}
