package io.imago.client.internal.producer;

import io.imago.client.producer.XAMessageProducer;

/** Test access to an XA producer's branches. */
public final class XaProducerProbe {
    private XaProducerProbe() {}

    /** The branches the producer is still finishing. */
    public static int liveBranches(XAMessageProducer producer) {
        return ((SimpleXAMessageProducer) producer).branches().liveBranches();
    }
}
