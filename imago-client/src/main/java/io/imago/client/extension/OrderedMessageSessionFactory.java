package io.imago.client.extension;

import io.imago.client.MessageSessionFactory;

/** A session factory whose producers keep order per partition (MetaQ's type); see {@link OrderedMetaMessageSessionFactory}. */
public interface OrderedMessageSessionFactory extends MessageSessionFactory {}
