package io.imago.store.txlog;

import static io.imago.store.txlog.TxLogDescriptor.COMMIT;
import static io.imago.store.txlog.TxLogDescriptor.COMPLETED;
import static io.imago.store.txlog.TxLogDescriptor.FORGET;
import static io.imago.store.txlog.TxLogDescriptor.HEADER_BYTES;
import static io.imago.store.txlog.TxLogDescriptor.HEURISTIC;
import static io.imago.store.txlog.TxLogDescriptor.PREPARE;
import static io.imago.store.txlog.TxLogDescriptor.PUT;
import static io.imago.store.txlog.TxLogDescriptor.ROLLBACK;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One redo record (layout in {@link TxLogDescriptor}): what it changes and how it is encoded. Immutable.
 */
sealed interface TxRecord {

    String key();

    long timeMs();

    byte type();

    /** Writes the body after key and time. */
    default void encodeRest(Encoder out) {}

    record Put(String key, long timeMs, TxMessage message) implements TxRecord {
        @Override
        public byte type() {
            return PUT;
        }

        @Override
        public void encodeRest(Encoder out) {
            encodeMessage(out, message);
        }
    }

    record Prepare(String key, long timeMs) implements TxRecord {
        @Override
        public byte type() {
            return PREPARE;
        }
    }

    record Commit(String key, long timeMs, List<PartitionStart> starts) implements TxRecord {
        public Commit {
            starts = List.copyOf(starts);
        }

        @Override
        public byte type() {
            return COMMIT;
        }

        @Override
        public void encodeRest(Encoder out) {
            encodeStarts(out, starts);
        }
    }

    record Completed(String key, long timeMs) implements TxRecord {
        @Override
        public byte type() {
            return COMPLETED;
        }
    }

    record Rollback(String key, long timeMs) implements TxRecord {
        @Override
        public byte type() {
            return ROLLBACK;
        }
    }

    record Heuristic(String key, long timeMs, TxState outcome) implements TxRecord {
        public Heuristic {
            if (!outcome.isHeuristic()) {
                throw new IllegalArgumentException("not a heuristic outcome: " + outcome);
            }
        }

        @Override
        public byte type() {
            return HEURISTIC;
        }

        @Override
        public void encodeRest(Encoder out) {
            out.putByte(stateCode(outcome));
        }
    }

    record Forget(String key, long timeMs) implements TxRecord {
        @Override
        public byte type() {
            return FORGET;
        }
    }

    /** Appends the whole record, header included, to {@code out}; returns its size in bytes. */
    static int encode(TxRecord record, Encoder out) {
        int start = out.length();
        out.putInt(0).putInt(0).putByte(record.type());
        out.putString(record.key()).putLong(record.timeMs());
        record.encodeRest(out);
        int length = out.length() - start - HEADER_BYTES;
        out.setInt(start, length);
        out.setInt(start + 4, Encoder.crc(out.array(), start + HEADER_BYTES, length));
        return out.length() - start;
    }

    /**
     * Decodes a record from its type and body (the bytes after the header, CRC already checked).
     *
     * @throws IllegalArgumentException if the body does not parse
     */
    static TxRecord decode(ByteBuffer typeAndBody) {
        ByteBuffer in = typeAndBody.duplicate();
        try {
            byte type = in.get();
            String key = getString(in);
            long time = in.getLong();
            TxRecord record = switch (type) {
                case PUT -> new Put(key, time, decodeMessage(in));
                case PREPARE -> new Prepare(key, time);
                case COMMIT -> new Commit(key, time, decodeStarts(in));
                case COMPLETED -> new Completed(key, time);
                case ROLLBACK -> new Rollback(key, time);
                case HEURISTIC -> new Heuristic(key, time, state(in.get()));
                case FORGET -> new Forget(key, time);
                default -> throw new IllegalArgumentException("unknown record type " + type);
            };
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes after the record's body");
            }
            return record;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("record body ends early", e);
        }
    }

    static void encodeMessage(Encoder out, TxMessage m) {
        out.putString(m.topic())
                .putInt(m.partition())
                .putLong(m.messageId())
                .putInt(m.flag())
                .putInt(m.checksum());
        ByteBuffer payload = m.payload();
        out.putInt(payload.remaining()).putBytes(payload);
    }

    static TxMessage decodeMessage(ByteBuffer in) {
        String topic = getString(in);
        int partition = in.getInt();
        long id = in.getLong();
        int flag = in.getInt();
        int checksum = in.getInt();
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("payload length " + n + " with " + in.remaining() + " bytes left");
        }
        ByteBuffer payload = in.slice(in.position(), n);
        in.position(in.position() + n);
        return new TxMessage(topic, partition, id, flag, payload, checksum);
    }

    static void encodeStarts(Encoder out, List<PartitionStart> starts) {
        out.putInt(starts.size());
        for (PartitionStart s : starts) {
            out.putString(s.topic()).putInt(s.partition()).putLong(s.startOffset());
        }
    }

    static List<PartitionStart> decodeStarts(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("bad partition count " + n);
        }
        List<PartitionStart> starts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            starts.add(new PartitionStart(getString(in), in.getInt(), in.getLong()));
        }
        return starts;
    }

    /** The byte a state is journalled as (stable: never reorder). */
    static int stateCode(TxState state) {
        return switch (state) {
            case ACTIVE -> 0;
            case PREPARED -> 1;
            case COMMITTING -> 2;
            case HEURISTIC_COMMITTED -> 3;
            case HEURISTIC_ROLLED_BACK -> 4;
            case HEURISTIC_MIXED -> 5;
        };
    }

    static TxState state(byte code) {
        return switch (code) {
            case 0 -> TxState.ACTIVE;
            case 1 -> TxState.PREPARED;
            case 2 -> TxState.COMMITTING;
            case 3 -> TxState.HEURISTIC_COMMITTED;
            case 4 -> TxState.HEURISTIC_ROLLED_BACK;
            case 5 -> TxState.HEURISTIC_MIXED;
            default -> throw new IllegalArgumentException("unknown state " + code);
        };
    }

    static String getString(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("string length " + n + " with " + in.remaining() + " bytes left");
        }
        byte[] utf8 = new byte[n];
        in.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
