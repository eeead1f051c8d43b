package io.imago.broker.server;

import io.imago.broker.MessageIdGenerator;
import io.imago.broker.config.BrokerConfig;
import io.imago.broker.partition.PartitionRegistry;
import io.imago.broker.stats.BrokerStats;
import io.imago.broker.stats.StatsReport;
import io.imago.broker.tx.TransactionManager;
import io.imago.protocol.RecordDescriptor;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.function.BooleanSupplier;

/**
 * Assembles the protocol server from the broker's parts: the processors' shared context, the
 * handler and the Netty server bound to {@code hostName:serverPort}.
 */
public final class BrokerServers {
    private BrokerServers() {}

    /** A started protocol server. */
    public interface Running extends AutoCloseable {
        InetSocketAddress address();

        void stopAccepting();

        @Override
        void close();
    }

    public static Running start(
            BrokerConfig config,
            PartitionRegistry registry,
            BrokerStats stats,
            MessageIdGenerator ids,
            Clock clock,
            TransactionManager transactions,
            BooleanSupplier stopping)
            throws InterruptedException {
        InetSocketAddress bind = new InetSocketAddress(config.hostName(), config.serverPort());
        ChannelGroup connections = new DefaultChannelGroup("imago-connections", GlobalEventExecutor.INSTANCE);
        int transferCap = Math.max(config.maxTransferBytes(), RecordDescriptor.recordLength(config.maxMessageBytes()));
        // The port is known only after binding when 0 was asked for; the stats report reads it lazily.
        PortHolder holder = new PortHolder(config.serverPort());
        BrokerContext ctx =
                new BrokerContext(config, registry, ids, stats, holder::port, transferCap, clock, transactions);
        StatsReport report = new StatsReport(config, registry, stats, holder::port, transactions);
        BrokerServer server =
                new BrokerServer(bind, config.maxMessageBytes(), new BrokerHandler(ctx, report, stopping), connections);
        InetSocketAddress bound = server.start();
        holder.port = bound.getPort();
        return new Running() {
            @Override
            public InetSocketAddress address() {
                return bound;
            }

            @Override
            public void stopAccepting() {
                server.stopAccepting();
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }

    private static final class PortHolder {
        volatile int port;

        PortHolder(int port) {
            this.port = port;
        }

        int port() {
            return port;
        }
    }
}
