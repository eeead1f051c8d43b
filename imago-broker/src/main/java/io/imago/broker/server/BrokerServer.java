package io.imago.broker.server;

import io.imago.protocol.codec.RequestDecoder;
import io.imago.protocol.codec.ResponseEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MetaQ protocol endpoint: a Netty server (epoll when the native transport loads, NIO
 * otherwise) whose pipeline is {@link RequestDecoder} (limits: 4 KiB header line,
 * {@code maxMessageSize} body) → {@link ResponseEncoder} → {@link BrokerHandler}, with flushes
 * consolidated so pipelined replies share syscalls. {@link #start()} binds; {@link #stopAccepting()}
 * closes the listening socket; {@link #close()} closes every connection and the event loops.
 * Not thread-safe: driven by the broker's lifecycle.
 */
public final class BrokerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerServer.class);
    private static final int CONSOLIDATE_FLUSHES = 64;
    private static final long CLOSE_FLUSH_TIMEOUT_MS = 5_000;

    private final InetSocketAddress bindAddress;
    private final int maxBodyBytes;
    private final BrokerHandler handler;
    private final ResponseEncoder encoder = new ResponseEncoder();
    private final AtomicBoolean closed = new AtomicBoolean();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;
    private final ChannelGroup connections;

    BrokerServer(InetSocketAddress bindAddress, int maxBodyBytes, BrokerHandler handler, ChannelGroup connections) {
        this.bindAddress = bindAddress;
        this.maxBodyBytes = maxBodyBytes;
        this.handler = handler;
        this.connections = connections;
    }

    /** Binds the port; the returned address holds the actual port when 0 was asked for. */
    public InetSocketAddress start() throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        boss = new MultiThreadIoEventLoopGroup(1, io);
        workers = new MultiThreadIoEventLoopGroup(0, io);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline()
                                .addLast("flush", new FlushConsolidationHandler(CONSOLIDATE_FLUSHES, true))
                                .addLast("decoder", new RequestDecoder(maxBodyBytes))
                                .addLast("encoder", encoder)
                                .addLast("handler", handler);
                    }
                });
        try {
            serverChannel = b.bind(bindAddress).sync().channel();
        } catch (Throwable e) {
            // also a BindException, which Netty rethrows although it is checked: stop the event loops
            close();
            throw e;
        }
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        LOG.info("Listening for MetaQ clients on {} ({} transport)", bound, epoll ? "epoll" : "nio");
        return bound;
    }

    /** Closes the listening socket: no new connections; existing ones keep being served. */
    public void stopAccepting() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
    }

    /** Closes every connection and stops the event loops. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopAccepting();
        // flush what is queued for each client (replies of drained puts) before closing it
        connections.writeAndFlush(Unpooled.EMPTY_BUFFER).awaitUninterruptibly(CLOSE_FLUSH_TIMEOUT_MS);
        connections.close().awaitUninterruptibly();
        shutdown(workers);
        shutdown(boss);
    }

    private static void shutdown(EventLoopGroup group) {
        if (group != null) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
