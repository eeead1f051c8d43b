package io.imago.client.tx;

import io.imago.client.internal.producer.XaProducerProbe;
import io.imago.client.producer.XAMessageProducer;

/** Reads an XA producer's internals for the tests of this package. */
final class SimpleXAMessageProducerAccess {
    private SimpleXAMessageProducerAccess() {}

    static int liveBranches(XAMessageProducer producer) {
        return XaProducerProbe.liveBranches(producer);
    }
}
