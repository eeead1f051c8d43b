package io.imago.broker.tx;

import io.imago.store.PartitionLog;
import java.util.concurrent.CompletableFuture;

/**
 * How the transaction manager reaches the partition logs a commit appends to: the broker opens (or
 * creates) the partition of an accepted topic, or finds an existing one. Implementations are
 * thread-safe.
 */
public interface TxPartitions {
    /**
     * The open log of {@code topic}-{@code partition}; fails when the partition cannot be opened or
     * is offline.
     */
    CompletableFuture<PartitionLog> open(String topic, int partition);
}
