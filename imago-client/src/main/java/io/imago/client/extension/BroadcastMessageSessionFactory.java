package io.imago.client.extension;

import io.imago.client.MessageSessionFactory;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;

/** A session factory for broadcast consumption (MetaQ's type); see {@link MetaBroadcastMessageSessionFactory}. */
public interface BroadcastMessageSessionFactory extends MessageSessionFactory {
    @Override
    MessageConsumer createBroadcastConsumer(ConsumerConfig config);
}
