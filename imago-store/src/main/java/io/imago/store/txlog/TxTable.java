package io.imago.store.txlog;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live transactions and the state machine every record goes through, at append time and at replay
 * alike (so the state after recovery is the state before the crash). Not thread-safe: the journal holds
 * its append lock around every call.
 */
final class TxTable {
    private final Map<String, Tx> txs = new LinkedHashMap<>();

    /** A live transaction, mutable. */
    private static final class Tx {
        final String key;
        TxState state;
        final List<TxMessage> messages;
        List<PartitionStart> starts;
        final long firstRecordMs;
        boolean wasPrepared;

        Tx(String key, TxState state, long firstRecordMs) {
            this(key, state, new ArrayList<>(), List.of(), firstRecordMs, false);
        }

        Tx(String key, TxState state, List<TxMessage> messages, List<PartitionStart> starts, long firstMs, boolean p) {
            this.key = key;
            this.state = state;
            this.messages = messages;
            this.starts = starts;
            this.firstRecordMs = firstMs;
            this.wasPrepared = p;
        }

        JournalTx snapshot() {
            return new JournalTx(key, state, messages, starts, firstRecordMs, wasPrepared);
        }
    }

    int size() {
        return txs.size();
    }

    JournalTx get(String key) {
        Tx tx = txs.get(key);
        return tx == null ? null : tx.snapshot();
    }

    Map<String, JournalTx> snapshot() {
        Map<String, JournalTx> copy = new LinkedHashMap<>();
        for (Tx tx : txs.values()) {
            copy.put(tx.key, tx.snapshot());
        }
        return Collections.unmodifiableMap(copy);
    }

    /**
     * Whether {@code record} would change anything; false for a rollback of a transaction the journal
     * does not know (nothing to journal).
     */
    boolean isNoOp(TxRecord record) {
        return record instanceof TxRecord.Rollback && !txs.containsKey(record.key());
    }

    /**
     * Applies one record.
     *
     * @throws IllegalStateException if the transaction's state does not allow it (nothing changed)
     */
    void apply(TxRecord record) {
        String key = record.key();
        Tx tx = txs.get(key);
        if (record instanceof TxRecord.Put put) {
            if (tx == null) {
                tx = create(key, put.timeMs());
            } else {
                require(tx, record, TxState.ACTIVE);
            }
            tx.messages.add(put.message());
        } else if (record instanceof TxRecord.Prepare) {
            if (tx == null) {
                tx = create(key, record.timeMs());
            } else {
                require(tx, record, TxState.ACTIVE);
            }
            tx.state = TxState.PREPARED;
            tx.wasPrepared = true;
        } else if (record instanceof TxRecord.Commit c) {
            if (tx == null) {
                tx = create(key, c.timeMs());
            } else {
                require(tx, record, TxState.ACTIVE, TxState.PREPARED, TxState.COMMITTING);
            }
            tx.starts = tx.state == TxState.COMMITTING ? lowest(tx.starts, c.starts()) : c.starts();
            tx.state = TxState.COMMITTING;
        } else if (record instanceof TxRecord.Completed) {
            require(tx, record, TxState.COMMITTING);
            txs.remove(key);
        } else if (record instanceof TxRecord.Rollback) {
            if (tx != null) {
                require(tx, record, TxState.ACTIVE, TxState.PREPARED);
                txs.remove(key);
            }
        } else if (record instanceof TxRecord.Heuristic h) {
            if (h.outcome() == TxState.HEURISTIC_COMMITTED) {
                // the broker's heuristic commit: commit record, appends, then this (instead of completed)
                require(tx, record, TxState.PREPARED, TxState.COMMITTING);
            } else {
                require(tx, record, TxState.PREPARED);
            }
            tx.state = h.outcome();
        } else if (record instanceof TxRecord.Forget) {
            require(tx, record, TxState.HEURISTIC_COMMITTED, TxState.HEURISTIC_ROLLED_BACK, TxState.HEURISTIC_MIXED);
            txs.remove(key);
        } else {
            throw new IllegalArgumentException("unknown record " + record);
        }
    }

    private Tx create(String key, long timeMs) {
        Tx tx = new Tx(key, TxState.ACTIVE, timeMs);
        txs.put(key, tx);
        return tx;
    }

    /** Per partition the lower of two starts (both are lower bounds of where the batch lands). */
    private static List<PartitionStart> lowest(List<PartitionStart> a, List<PartitionStart> b) {
        Map<String, PartitionStart> merged = new LinkedHashMap<>();
        for (PartitionStart s : a) {
            merged.put(s.topic() + "-" + s.partition(), s);
        }
        for (PartitionStart s : b) {
            merged.merge(s.topic() + "-" + s.partition(), s, (x, y) -> x.startOffset() <= y.startOffset() ? x : y);
        }
        return List.copyOf(merged.values());
    }

    private static void require(Tx tx, TxRecord record, TxState... allowed) {
        String what = record.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        if (tx == null) {
            throw new IllegalStateException(
                    "cannot " + what + " transaction " + record.key() + ": unknown to the journal");
        }
        for (TxState s : allowed) {
            if (tx.state == s) {
                return;
            }
        }
        throw new IllegalStateException("cannot " + what + " transaction " + record.key() + " in state " + tx.state);
    }

    /** Encodes every live transaction (the checkpoint body after its position; see the descriptor). */
    void encode(Encoder out) {
        out.putInt(txs.size());
        for (Tx tx : txs.values()) {
            out.putString(tx.key)
                    .putByte(TxRecord.stateCode(tx.state))
                    .putLong(tx.firstRecordMs)
                    .putByte(tx.wasPrepared ? 1 : 0);
            out.putInt(tx.messages.size());
            for (TxMessage m : tx.messages) {
                TxRecord.encodeMessage(out, m);
            }
            TxRecord.encodeStarts(out, tx.starts);
        }
    }

    /** The table {@link #encode} wrote; throws IllegalArgumentException or BufferUnderflowException. */
    static TxTable decode(ByteBuffer in) {
        TxTable table = new TxTable();
        int n = in.getInt();
        if (n < 0) {
            throw new IllegalArgumentException("negative transaction count " + n);
        }
        Map<String, Tx> read = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String key = TxRecord.getString(in);
            TxState state = TxRecord.state(in.get());
            long first = in.getLong();
            boolean prepared = in.get() != 0;
            int m = in.getInt();
            if (m < 0 || m > in.remaining()) {
                throw new IllegalArgumentException("bad message count " + m);
            }
            List<TxMessage> messages = new ArrayList<>(m);
            for (int j = 0; j < m; j++) {
                messages.add(TxRecord.decodeMessage(in));
            }
            List<PartitionStart> starts = TxRecord.decodeStarts(in);
            Tx tx = new Tx(key, state, messages, starts, first, prepared);
            if (read.put(key, tx) != null) {
                throw new IllegalArgumentException("transaction " + key + " twice");
            }
            table.txs.put(key, tx);
        }
        return table;
    }
}
