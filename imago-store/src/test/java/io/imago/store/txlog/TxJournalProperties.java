package io.imago.store.txlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.store.fs.FileChannelStorageIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/** Properties of the record codec and of replay: what is journalled comes back exactly. */
class TxJournalProperties {

    @Property(tries = 300)
    void everyRecordDecodesToItself(@ForAll("records") TxRecord record) {
        Encoder out = new Encoder(16);
        int size = TxRecord.encode(record, out);
        ByteBuffer bytes = ByteBuffer.wrap(out.array(), 0, out.length());
        assertThat(size).isEqualTo(TxLogDescriptor.HEADER_BYTES + bytes.getInt(TxLogDescriptor.LENGTH_OFFSET));
        ByteBuffer typeAndBody = bytes.slice(TxLogDescriptor.HEADER_BYTES, size - TxLogDescriptor.HEADER_BYTES);
        assertThat(Encoder.crc(typeAndBody)).isEqualTo(bytes.getInt(TxLogDescriptor.CRC_OFFSET));
        assertThat(TxRecord.decode(typeAndBody)).isEqualTo(record);
    }

    /**
     * Any sequence of operations (each applied only if the state allows it), with checkpoints and small
     * redo files, reads back after close and open as the live state it left.
     */
    @Property(tries = 40)
    void replayRebuildsTheLiveState(@ForAll("operations") @Size(max = 120) List<Op> ops) throws Exception {
        Path dir = Files.createTempDirectory("txlog-property");
        try {
            TxJournalConfig config = new TxJournalConfig(0, 3_600_000, 2, 1024);
            Map<String, JournalTx> before;
            try (TxJournal journal = Journals.open(dir, config, new FileChannelStorageIo())) {
                for (Op op : ops) {
                    op.applyTo(journal);
                }
                before = journal.live();
            }
            try (TxJournal reopened = Journals.open(dir, config, new FileChannelStorageIo())) {
                assertThat(reopened.live()).isEqualTo(before);
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }

    /** One operation on the journal, skipped if the transaction's state does not allow it. */
    record Op(int kind, String key, TxMessage message, TxState outcome, long start) {
        void applyTo(TxJournal journal) throws Exception {
            TxState state = journal.get(key).map(JournalTx::state).orElse(null);
            switch (kind) {
                case 0 -> {
                    if (state == null || state == TxState.ACTIVE) {
                        journal.put(key, message);
                    }
                }
                case 1 -> {
                    if (state == null || state == TxState.ACTIVE) {
                        journal.prepare(key).get(5, TimeUnit.SECONDS);
                    }
                }
                case 2 -> {
                    if (state == null
                            || state == TxState.ACTIVE
                            || state == TxState.PREPARED
                            || state == TxState.COMMITTING) {
                        journal.commit(key, Journals.starts(message.topic(), message.partition(), start))
                                .get(5, TimeUnit.SECONDS);
                    }
                }
                case 3 -> {
                    if (state == TxState.COMMITTING) {
                        journal.completed(key);
                    }
                }
                case 4 -> {
                    if (state == null || state == TxState.ACTIVE || state == TxState.PREPARED) {
                        journal.rollback(key).get(5, TimeUnit.SECONDS);
                    }
                }
                case 5 -> {
                    if (state == TxState.PREPARED) {
                        journal.heuristic(key, outcome).get(5, TimeUnit.SECONDS);
                    }
                }
                case 6 -> {
                    if (state != null && state.isHeuristic()) {
                        journal.forget(key).get(5, TimeUnit.SECONDS);
                    }
                }
                default -> journal.checkpoint();
            }
        }
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        // mostly puts; 7 is a checkpoint
        Arbitrary<Integer> kinds = Arbitraries.frequency(
                Tuple.of(8, 0),
                Tuple.of(1, 1),
                Tuple.of(1, 2),
                Tuple.of(1, 3),
                Tuple.of(1, 4),
                Tuple.of(1, 5),
                Tuple.of(1, 6),
                Tuple.of(1, 7));
        Arbitrary<Op> op = Combinators.combine(
                        kinds, Arbitraries.of("a", "b", "c", "d", "xid-é"), messages(), outcomes(), Arbitraries.longs())
                .as(Op::new);
        return op.list();
    }

    @Provide
    Arbitrary<TxRecord> records() {
        Arbitrary<String> keys = Arbitraries.strings().ofMaxLength(40);
        Arbitrary<Long> times = Arbitraries.longs();
        return Arbitraries.oneOf(
                Combinators.combine(keys, times, messages()).as(TxRecord.Put::new),
                Combinators.combine(keys, times).as(TxRecord.Prepare::new),
                Combinators.combine(keys, times, starts()).as(TxRecord.Commit::new),
                Combinators.combine(keys, times).as(TxRecord.Completed::new),
                Combinators.combine(keys, times).as(TxRecord.Rollback::new),
                Combinators.combine(keys, times, outcomes()).as(TxRecord.Heuristic::new),
                Combinators.combine(keys, times).as(TxRecord.Forget::new));
    }

    private static Arbitrary<TxState> outcomes() {
        return Arbitraries.of(TxState.HEURISTIC_COMMITTED, TxState.HEURISTIC_ROLLED_BACK, TxState.HEURISTIC_MIXED);
    }

    private static Arbitrary<List<PartitionStart>> starts() {
        return Combinators.combine(Arbitraries.strings().ofMaxLength(20), Arbitraries.integers(), Arbitraries.longs())
                .as(PartitionStart::new)
                .list()
                .ofMaxSize(5);
    }

    private static Arbitrary<TxMessage> messages() {
        return Combinators.combine(
                        Arbitraries.strings().ofMaxLength(20),
                        Arbitraries.integers().between(0, 1000),
                        Arbitraries.longs(),
                        Arbitraries.integers(),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                        Arbitraries.integers())
                .as((topic, partition, id, flag, payload, checksum) ->
                        new TxMessage(topic, partition, id, flag, ByteBuffer.wrap(payload), checksum));
    }
}
