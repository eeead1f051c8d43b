package io.imago.client;

import io.imago.client.producer.PartitionSelector;
import io.imago.client.producer.XAMessageProducer;

/** A session factory that also creates XA producers, as MetaQ's {@code XAMessageSessionFactory}. Thread-safe. */
public interface XAMessageSessionFactory extends MessageSessionFactory {

    /**
     * An XA producer choosing partitions with {@code partitionSelector}.
     *
     * @throws IllegalArgumentException when the selector is null
     */
    XAMessageProducer createXAProducer(PartitionSelector partitionSelector);

    /** An XA producer with the round-robin selector. */
    XAMessageProducer createXAProducer();
}
