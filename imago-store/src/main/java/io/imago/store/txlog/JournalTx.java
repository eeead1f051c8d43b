package io.imago.store.txlog;

import java.util.List;
import java.util.Objects;

/**
 * A live transaction as the journal knows it: an immutable snapshot.
 *
 * @param messages its messages in put order
 * @param starts where each partition's batch lands (empty unless COMMITTING)
 * @param firstRecordMs wall-clock time of its first record, for its age
 * @param wasPrepared whether it went through XA prepare
 */
public record JournalTx(
        String key,
        TxState state,
        List<TxMessage> messages,
        List<PartitionStart> starts,
        long firstRecordMs,
        boolean wasPrepared) {

    public JournalTx {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(state, "state");
        messages = List.copyOf(messages);
        starts = List.copyOf(starts);
    }
}
