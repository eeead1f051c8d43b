package io.imago.client.extension;

import io.imago.client.MetaClientConfig;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.exception.MetaClientException;

/**
 * MetaQ's broadcast factory: {@link #createBroadcastConsumer} gives every host its own group
 * ({@code <group>-<local address>}), so each host receives every message, with positions in a local
 * file. Imago's {@link MetaMessageSessionFactory} already offers broadcast consumers; this class exists
 * so that a MetaQ application ports by replacing the package name. Thread-safe.
 */
public class MetaBroadcastMessageSessionFactory extends MetaMessageSessionFactory
        implements BroadcastMessageSessionFactory {
    public MetaBroadcastMessageSessionFactory(MetaClientConfig config) throws MetaClientException {
        super(config);
    }
}
