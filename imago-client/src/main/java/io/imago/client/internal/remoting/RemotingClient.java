package io.imago.client.internal.remoting;

import io.imago.protocol.codec.RequestEncoder;
import io.imago.protocol.codec.ResponseDecoder;
import io.imago.protocol.command.RequestCommand;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.zk.BrokerUrl;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.HashedWheelTimer;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of the wire: one pipelined connection per broker URL ({@code meta://host:port}),
 * shared by every producer and consumer of a session factory. Requests carry an opaque from
 * {@link OpaqueGenerator}; replies are matched by it, in any order. Each request has a timeout
 * (a late reply is dropped), each connection a bounded number of requests in flight, a
 * {@code version} heartbeat after {@link RemotingConfig#heartbeatIdleMs()} of idleness, and a
 * reconnect with capped backoff after a loss (requests in flight on the lost channel fail at once).
 * Netty with epoll when available (else NIO) and pooled buffers.
 *
 * <p>Lifecycle: the constructor only assigns; {@link #start()} creates the event loops and the
 * timer; {@link #close()} is idempotent, fails what is in flight and waits for its threads.
 * Thread-safe.
 */
public final class RemotingClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemotingClient.class);
    private static final int FLUSHES_BEFORE_EXPLICIT_FLUSH = 256;
    private static final long TIMER_TICK_MS = 10;
    private static final long SHUTDOWN_TIMEOUT_MS = 5_000;

    private final RemotingConfig config;
    private static final int MAX_PARSED_URLS = 1024;
    private final Map<BrokerUrl, BrokerConnection> connections = new ConcurrentHashMap<>();
    private final Map<String, BrokerUrl> parsedUrls = new ConcurrentHashMap<>();
    private final RequestEncoder encoder = new RequestEncoder();
    private EventLoopGroup group;
    private Bootstrap bootstrap;
    private HashedWheelTimer timer;
    private boolean epoll;
    private volatile boolean started;
    private volatile boolean closed;

    public RemotingClient(RemotingConfig config) {
        this.config = config;
    }

    /** Creates the event loops and the timeout timer. Idempotent. */
    public synchronized void start() {
        if (started || closed) {
            return;
        }
        epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        group = new MultiThreadIoEventLoopGroup(
                config.ioThreads(), new DefaultThreadFactory("imago-client-io", true), io);
        bootstrap = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connectTimeoutMs());
        timer = new HashedWheelTimer(
                new DefaultThreadFactory("imago-client-timeouts", true), TIMER_TICK_MS, TimeUnit.MILLISECONDS);
        timer.start();
        started = true;
        LOG.info("Remoting client started ({} transport, {} I/O threads)", epoll ? "epoll" : "nio", config.ioThreads());
    }

    /**
     * Sends {@code command} to the broker at {@code url} (connecting first if needed) and returns the
     * future of its reply. The command's reference (a put's body) is taken over: it is released once
     * written or when the request fails before that. The reply belongs to whoever takes it from the
     * future and must be released by them. The future fails with {@link RequestTimeoutException},
     * {@link ConnectionException} or {@link ClientClosedException}; it completes on a client thread.
     */
    public CompletableFuture<ResponseCommand> invoke(String url, RequestCommand command, long timeoutMs) {
        BrokerConnection connection;
        try {
            connection = connection(url);
        } catch (IllegalArgumentException | ClientClosedException e) {
            ReferenceCountUtil.release(command);
            return CompletableFuture.failedFuture(e);
        }
        return connection.invoke(command, timeoutMs);
    }

    /**
     * Writes {@code command} to the broker at {@code url} without waiting for a reply (taking over its
     * reference), for a request the broker does not answer. Returns false when there is no usable
     * connection to it now (nothing is written, nothing is connected).
     */
    public boolean sendOneWay(String url, RequestCommand command) {
        BrokerConnection c = connections.get(parsed(url));
        if (c == null || closed) {
            ReferenceCountUtil.release(command);
            return false;
        }
        return c.sendOneWay(command);
    }

    /** Connects to {@code url} unless already connected; the future completes when connected. */
    public CompletableFuture<Void> connect(String url) {
        try {
            return connection(url).connect().thenApply(c -> null);
        } catch (IllegalArgumentException | ClientClosedException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Whether a usable connection to {@code url} exists now. */
    public boolean isConnected(String url) {
        BrokerConnection c = connections.get(BrokerUrl.parse(url));
        return c != null && c.isConnected();
    }

    /**
     * Whether the broker at {@code url} is connected and announced the {@code putb} batched put in
     * its {@code version} reply. When that is not known yet for the current connection this returns
     * {@code false} and sends one {@code version} probe in the background; later calls see the
     * answer. Never blocks; opens no connection.
     */
    public boolean supportsPutBatch(String url) {
        return putBatchLimit(url) > 0;
    }

    /**
     * The most body bytes of one {@code putb} the broker at {@code url} accepts, or 0 when it does not
     * serve {@code putb} or that is not known yet (see {@link #supportsPutBatch}).
     */
    public int putBatchLimit(String url) {
        BrokerConnection c = connections.get(parsed(url));
        return c == null ? 0 : c.putBatchLimit();
    }

    /**
     * Whether the broker at {@code url} is connected and announced the long-polling {@code get};
     * false while that is not known yet (a probe is then sent in the background). Never blocks.
     */
    public boolean supportsLongPoll(String url) {
        BrokerConnection c = connections.get(parsed(url));
        return c != null && c.supportsLongPoll();
    }

    /** {@link BrokerUrl#parse}, remembered: this is on the path of every batched send. */
    private BrokerUrl parsed(String url) {
        BrokerUrl u = parsedUrls.get(url);
        if (u == null) {
            u = BrokerUrl.parse(url);
            if (parsedUrls.size() >= MAX_PARSED_URLS) {
                parsedUrls.clear();
            }
            parsedUrls.put(url, u);
        }
        return u;
    }

    /** The URLs with a usable connection now, sorted. */
    public Set<String> connectedUrls() {
        Set<String> urls = new TreeSet<>();
        connections.forEach((u, c) -> {
            if (c.isConnected()) {
                urls.add(u.toString());
            }
        });
        return urls;
    }

    /** Closes the connection to {@code url} for good (a later request opens a new one). */
    public void closeConnection(String url) {
        BrokerConnection c = connections.remove(BrokerUrl.parse(url));
        if (c != null) {
            ChannelFuture f = c.close();
            if (f != null) {
                f.awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS);
            }
        }
    }

    public RemotingConfig config() {
        return config;
    }

    // the connect's outcome reaches the requests that wait for it; a connection made after close() is dropped
    @SuppressWarnings("FutureReturnValueIgnored")
    private BrokerConnection connection(String url) throws ClientClosedException {
        if (closed || !started) {
            throw new ClientClosedException(
                    closed ? "The remoting client is closed" : "The remoting client is not started", false);
        }
        BrokerUrl parsed = parsed(url);
        BrokerConnection c = connections.get(parsed);
        if (c != null) {
            return c;
        }
        BrokerConnection created = new BrokerConnection(parsed, this);
        c = connections.putIfAbsent(parsed, created);
        if (c != null) {
            return c;
        }
        if (closed) {
            created.close();
            throw new ClientClosedException("The remoting client is closed", false);
        }
        created.connect();
        return created;
    }

    Bootstrap bootstrap(ChannelRequests requests) {
        return bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast("flush", new FlushConsolidationHandler(FLUSHES_BEFORE_EXPLICIT_FLUSH, true))
                        .addLast("idle", new IdleStateHandler(0, 0, config.heartbeatIdleMs(), TimeUnit.MILLISECONDS))
                        .addLast("decoder", new ResponseDecoder(config.maxReplyBodyBytes()))
                        .addLast("encoder", encoder)
                        .addLast("requests", requests);
            }
        });
    }

    Timer timer() {
        return timer;
    }

    boolean isEventLoopThread() {
        for (EventExecutor loop : group) {
            if (loop.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the task (BrokerConnection.reconnect) handles its own failures
    void schedule(Runnable task, long delayMs) {
        if (!closed) {
            group.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    void forget(BrokerConnection connection) {
        connections.remove(connection.url(), connection);
    }

    /** Closes every connection (failing their requests), then stops the threads and waits for them. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (!started) {
            return;
        }
        List<ChannelFuture> closing = new ArrayList<>();
        for (BrokerConnection c : connections.values()) {
            ChannelFuture f = c.close();
            if (f != null) {
                closing.add(f);
            }
        }
        connections.clear();
        closing.forEach(f -> f.awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS));
        group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS).awaitUninterruptibly();
        ClientClosedException stopped = new ClientClosedException("The remoting client was closed");
        for (Timeout t : timer.stop()) {
            if (t.task() instanceof PendingRequest request) {
                request.fail(stopped); // normally already failed by its channel's close: then a no-op
            }
        }
        LOG.info("Remoting client closed");
    }

    /**
     * Waits for a reply like {@code f.get(waitMs, MILLISECONDS)}, but when the caller stops waiting
     * (timeout or interrupt) the request is abandoned: cancelled, or, if its reply arrives anyway,
     * that reply is released, so no buffer leaks.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // only frees a late reply; a failed request has none
    public static ResponseCommand await(CompletableFuture<ResponseCommand> f, long waitMs)
            throws ExecutionException, TimeoutException, InterruptedException {
        try {
            return f.get(waitMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | InterruptedException e) {
            if (!f.cancel(false)) {
                f.thenAccept(ResponseCommand::release);
            }
            throw e;
        }
    }
}
