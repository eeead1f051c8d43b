package io.imago.broker.server;

import io.imago.broker.MessageIdGenerator;
import io.imago.broker.config.BrokerConfig;
import io.imago.broker.partition.PartitionRegistry;
import io.imago.broker.stats.BrokerStats;
import io.imago.broker.tx.TransactionManager;
import io.imago.protocol.zk.BrokerUrl;
import java.time.Clock;
import java.util.function.IntSupplier;

/**
 * What the command processors share: configuration, partitions, ids, statistics and the broker's
 * own {@code meta://host:port} address (named in error replies), and the transaction manager. Immutable holder; every part is
 * thread-safe.
 *
 * @param port the port the server listens on (known once it is bound)
 * @param transferCapBytes the most bytes one {@code get} returns: {@code maxTransferSize}, but never
 *     less than one whole record of the largest accepted message, so every accepted message can be
 *     fetched
 */
record BrokerContext(
        BrokerConfig config,
        PartitionRegistry registry,
        MessageIdGenerator ids,
        BrokerStats stats,
        IntSupplier port,
        int transferCapBytes,
        Clock clock,
        TransactionManager transactions) {

    /** {@code meta://<hostName>:<port>}, as published in ZooKeeper. */
    String brokerUri() {
        return BrokerUrl.format(config.hostName(), port.getAsInt());
    }
}
