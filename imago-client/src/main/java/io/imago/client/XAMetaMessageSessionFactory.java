package io.imago.client;

import io.imago.client.producer.PartitionSelector;
import io.imago.client.producer.RoundRobinPartitionSelector;
import io.imago.client.producer.XAMessageProducer;
import io.imago.exception.MetaClientException;

/**
 * The session factory of XA producers, as MetaQ's {@code XAMetaMessageSessionFactory}; everything
 * else as {@link MetaMessageSessionFactory}. Thread-safe.
 */
public class XAMetaMessageSessionFactory extends MetaMessageSessionFactory implements XAMessageSessionFactory {

    /** See {@link MetaMessageSessionFactory#MetaMessageSessionFactory(MetaClientConfig)}. */
    public XAMetaMessageSessionFactory(MetaClientConfig config) throws MetaClientException {
        super(config);
    }

    @Override
    public XAMessageProducer createXAProducer(PartitionSelector partitionSelector) {
        if (partitionSelector == null) {
            throw new IllegalArgumentException("Null partitionSelector");
        }
        return newXAProducer(partitionSelector);
    }

    @Override
    public XAMessageProducer createXAProducer() {
        return createXAProducer(new RoundRobinPartitionSelector());
    }
}
