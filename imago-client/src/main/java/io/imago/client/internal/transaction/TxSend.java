package io.imago.client.internal.transaction;

import io.imago.client.internal.cluster.TopicBrokers;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import io.imago.protocol.command.TransactionId;
import java.util.List;

/**
 * The transaction the calling thread's sends belong to, as the producer's send path sees it: which
 * partitions a message may go to, and the {@code BEGIN} owed to a broker before the transaction's
 * first put there. Thread-safe.
 */
public interface TxSend {

    /**
     * The partitions a message of {@code brokers.topic()} may go to in this transaction (a local one:
     * those of the broker its first send chose).
     *
     * @throws MetaClientException when there is none
     */
    List<Partition> partitions(TopicBrokers brokers) throws MetaClientException;

    /**
     * Called before a put to the broker at {@code url}: sends the transaction's {@code BEGIN} there
     * (and waits for its reply) when this is its first put to that broker. Returns the key the put
     * carries.
     *
     * @throws MetaClientException the {@code BEGIN} failed, or the transaction does not take sends now
     */
    TransactionId beforePut(String url) throws MetaClientException, InterruptedException;
}
