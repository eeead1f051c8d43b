package io.imago.client.internal.remoting;

import io.imago.protocol.command.RequestCommand;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.VersionCommand;
import io.imago.protocol.zk.BrokerUrl;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one connection of a client to one broker URL, across reconnects. States: connecting (requests
 * wait for the outcome), connected (requests go straight out), down (requests fail at once with
 * {@link ConnectionException} while a reconnect is scheduled with capped exponential backoff), and
 * closed. After {@link RemotingConfig#maxReconnectAttempts()} failed attempts in a row the connection
 * gives up and removes itself from its client. At most {@link RemotingConfig#maxInFlightPerConnection()}
 * requests are in flight: a caller waits for a slot up to its request timeout (an event-loop thread
 * never waits). Thread-safe: state changes happen under this object's lock, the send path reads one
 * volatile field.
 */
final class BrokerConnection {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerConnection.class);
    private static final int HEARTBEAT_FAILURES_TO_CLOSE = 3;

    private final BrokerUrl url;
    private final RemotingClient client;
    private final Semaphore slots;
    private final AtomicInteger heartbeatFailures = new AtomicInteger();
    private final AtomicBoolean heartbeatInFlight = new AtomicBoolean();
    private volatile ChannelRequests current;
    private CompletableFuture<ChannelRequests> connecting;
    private int failedAttempts;
    private volatile boolean closed;

    BrokerConnection(BrokerUrl url, RemotingClient client) {
        this.url = url;
        this.client = client;
        this.slots = new Semaphore(client.config().maxInFlightPerConnection());
    }

    BrokerUrl url() {
        return url;
    }

    boolean isConnected() {
        ChannelRequests c = current;
        return c != null && c.isUsable();
    }

    /** Sends {@code command} (taking over its reference) and returns the future of its reply. */
    CompletableFuture<ResponseCommand> invoke(RequestCommand command, long timeoutMs) {
        CompletableFuture<ResponseCommand> future = new CompletableFuture<>();
        PendingRequest request;
        try {
            request = reserve(command, future, timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ReferenceCountUtil.release(command);
            future.completeExceptionally(new ConnectionException("Interrupted waiting for a slot to " + url, e));
            return future;
        }
        if (request == null) {
            ReferenceCountUtil.release(command);
            return future;
        }
        ChannelRequests c = current;
        if (c != null && c.isUsable()) {
            c.send(command, request);
        } else {
            sendWhenConnected(command, request);
        }
        return future;
    }

    /**
     * Writes {@code command} (taking over its reference) without waiting for a reply, for a request the
     * broker never answers (a transaction's {@code END}). Returns false, releasing the command, when
     * there is no usable connection now; it does not connect.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // nobody waits: a lost write is what the caller accepts
    boolean sendOneWay(RequestCommand command) {
        ChannelRequests c = current;
        if (c == null || !c.isUsable()) {
            ReferenceCountUtil.release(command);
            return false;
        }
        c.channel().writeAndFlush(command);
        return true;
    }

    /** A slot and a timeout for the request, or null when none was free in time (future failed). */
    private PendingRequest reserve(RequestCommand command, CompletableFuture<ResponseCommand> future, long timeoutMs)
            throws InterruptedException {
        long t0 = System.nanoTime();
        boolean onEventLoop = client.isEventLoopThread();
        if (!(onEventLoop ? slots.tryAcquire() : slots.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS))) {
            future.completeExceptionally(new RequestTimeoutException(
                    "No in-flight slot to " + url + " within " + timeoutMs + " ms ("
                            + client.config().maxInFlightPerConnection() + " requests in flight); not sent",
                    false));
            return null;
        }
        long remainingMs = timeoutMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (remainingMs <= 0) { // the wait for the slot took the whole timeout: do not send it to fail anyway
            slots.release();
            future.completeExceptionally(new RequestTimeoutException(
                    "The " + timeoutMs + " ms timeout of a request to " + url
                            + " passed while it waited for an in-flight slot; not sent",
                    false));
            return null;
        }
        PendingRequest request =
                new PendingRequest(command.opaque(), command.getClass().getSimpleName(), url, timeoutMs, future, slots);
        try {
            request.timeout(client.timer().newTimeout(request, remainingMs, TimeUnit.MILLISECONDS));
        } catch (IllegalStateException timerStopped) {
            // the client is closing: give the slot back and fail the request (the caller releases it)
            slots.release();
            future.completeExceptionally(new ClientClosedException("The connection to " + url + " is closed", false));
            return null;
        }
        return request;
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the callback sends or fails the request
    private void sendWhenConnected(RequestCommand command, PendingRequest request) {
        CompletableFuture<ChannelRequests> pending;
        synchronized (this) {
            if (closed) {
                request.fail(new ClientClosedException("The connection to " + url + " is closed", false));
                ReferenceCountUtil.release(command);
                return;
            }
            ChannelRequests c = current;
            if (c != null && c.isUsable()) {
                pending = CompletableFuture.completedFuture(c);
            } else if (connecting != null) {
                pending = connecting;
            } else {
                request.fail(new ConnectionException("Not connected to " + url + " (reconnecting)", null));
                ReferenceCountUtil.release(command);
                return;
            }
        }
        pending.whenComplete((c, error) -> {
            if (error != null) {
                request.fail(error);
                ReferenceCountUtil.release(command);
            } else {
                c.send(command, request);
            }
        });
    }

    /** Starts connecting unless connected or connecting; returns the outcome of the attempt. */
    synchronized CompletableFuture<ChannelRequests> connect() {
        if (closed) {
            return CompletableFuture.failedFuture(
                    new ClientClosedException("The connection to " + url + " is closed", false));
        }
        ChannelRequests c = current;
        if (c != null && c.isUsable()) {
            return CompletableFuture.completedFuture(c);
        }
        if (connecting == null) {
            connecting = new CompletableFuture<>();
            ChannelRequests requests = new ChannelRequests(this);
            Bootstrap b = client.bootstrap(requests);
            b.connect(url.host(), url.port()).addListener(f -> connected((ChannelFuture) f, requests));
        }
        return connecting;
    }

    @SuppressWarnings("FutureReturnValueIgnored") // closing a channel opened after close(): nothing waits for it
    private void connected(ChannelFuture f, ChannelRequests requests) {
        CompletableFuture<ChannelRequests> attempt;
        boolean established = false;
        synchronized (this) {
            attempt = connecting;
            connecting = null;
            if (f.isSuccess()) {
                requests.attach(f.channel());
            }
            if (f.isSuccess() && !closed && !requests.hasEnded()) {
                current = requests;
                failedAttempts = 0;
                heartbeatFailures.set(0);
                established = true;
            } else if (f.isSuccess() && closed) {
                f.channel().close();
            } else if (!closed) {
                scheduleReconnect();
            }
        }
        if (established) {
            LOG.info("Connected to broker {}", url);
            attempt.complete(requests);
        } else if (closed) {
            attempt.completeExceptionally(new ClientClosedException("The connection to " + url + " is closed", false));
        } else {
            attempt.completeExceptionally(
                    new ConnectionException("Cannot connect to " + url, f.isSuccess() ? null : f.cause()));
        }
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Called by a channel's requests table when its channel ends. */
    void channelEnded(ChannelRequests requests) {
        synchronized (this) {
            if (current != requests) {
                return;
            }
            current = null;
            if (closed) {
                return;
            }
            scheduleReconnect();
        }
        LOG.info("Connection to broker {} lost; reconnecting", url);
    }

    /** Under the lock: schedules the next attempt, or gives up after too many failures. */
    private void scheduleReconnect() {
        failedAttempts++;
        if (failedAttempts > client.config().maxReconnectAttempts()) {
            LOG.warn("Giving up on broker {} after {} failed reconnect attempts", url, failedAttempts - 1);
            closed = true;
            client.forget(this);
            return;
        }
        long delayMs = client.config().reconnectBackoffMs(failedAttempts); // doubling, with jitter
        client.schedule(this::reconnect, delayMs);
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the callback logs a failed attempt, which schedules the next
    private void reconnect() {
        connect().whenComplete((c, e) -> {
            if (e != null) {
                LOG.debug("Reconnect to {} failed: {}", url, e.toString());
            }
        });
    }

    /**
     * The most body bytes of a {@code putb} the broker on the current channel announced, or 0 when it
     * did not (or is not connected). While that is unknown the answer is 0 and, once per channel, a
     * {@code version} probe is sent (from any thread, without waiting); until its reply arrives
     * callers use single puts.
     */
    int putBatchLimit() {
        ChannelRequests c = probedChannel();
        return c != null && c.putBatchState() == ChannelRequests.PUT_BATCH_YES ? c.putBatchMaxBytes() : 0;
    }

    /**
     * Whether the broker on the current channel announced the long-polling {@code get}; false while
     * unknown (the same one-time {@code version} probe as {@link #putBatchLimit()} finds out).
     */
    boolean supportsLongPoll() {
        ChannelRequests c = probedChannel();
        return c != null && c.longPoll();
    }

    /**
     * The current channel if usable, or null; the first call on a channel sends the one-time
     * {@code version} probe of its broker's capabilities (answers arrive later).
     */
    private ChannelRequests probedChannel() {
        ChannelRequests c = current;
        if (c == null || !c.isUsable()) {
            return null;
        }
        if (c.putBatchState() == ChannelRequests.PUT_BATCH_UNKNOWN
                && c.putBatchTransition(ChannelRequests.PUT_BATCH_UNKNOWN, ChannelRequests.PUT_BATCH_PROBING)) {
            probePutBatch(c);
        }
        return c;
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the callback handles the reply and its absence
    private void probePutBatch(ChannelRequests requests) {
        if (!slots.tryAcquire()) {
            requests.putBatchTransition(ChannelRequests.PUT_BATCH_PROBING, ChannelRequests.PUT_BATCH_UNKNOWN);
            return; // every slot is taken: ask again on a later send
        }
        CompletableFuture<ResponseCommand> reply = new CompletableFuture<>();
        long timeoutMs = client.config().heartbeatTimeoutMs();
        PendingRequest request = new PendingRequest(
                OpaqueGenerator.next(),
                "Capability probe (version)",
                url,
                timeoutMs,
                reply,
                slots); // owns the slot just taken
        try {
            request.timeout(client.timer().newTimeout(request, timeoutMs, TimeUnit.MILLISECONDS));
        } catch (IllegalStateException timerStopped) {
            request.fail(new ClientClosedException("The connection to " + url + " is closed"));
            return;
        }
        reply.whenComplete((r, e) -> {
            if (r instanceof ResultCommand result && result.isSuccess()) {
                requests.capabilitiesAnswered(result.text());
            } else if (r != null) {
                requests.putBatchAnswered(0);
            } else {
                requests.putBatchTransition(ChannelRequests.PUT_BATCH_PROBING, ChannelRequests.PUT_BATCH_UNKNOWN);
            }
            if (r != null) {
                r.release();
            }
        });
        requests.send(new VersionCommand(request.opaque()), request);
    }

    /** Sends a {@code version} heartbeat on an idle channel; failures close it (it then reconnects). */
    @SuppressWarnings("FutureReturnValueIgnored") // heartbeatAnswered handles the reply and its absence
    void heartbeat(ChannelRequests requests) {
        if (!heartbeatInFlight.compareAndSet(false, true)) {
            return; // the previous heartbeat is still waiting for its reply
        }
        if (!slots.tryAcquire()) {
            heartbeatInFlight.set(false);
            return; // every slot is taken: the connection is busy, not idle
        }
        CompletableFuture<ResponseCommand> reply = new CompletableFuture<>();
        long timeoutMs = client.config().heartbeatTimeoutMs();
        PendingRequest request = new PendingRequest(
                OpaqueGenerator.next(),
                "Heartbeat (version)",
                url,
                timeoutMs,
                reply,
                slots); // owns the slot just taken
        request.timeout(client.timer().newTimeout(request, timeoutMs, TimeUnit.MILLISECONDS));
        requests.send(new VersionCommand(request.opaque()), request);
        reply.whenComplete((r, e) -> heartbeatAnswered(requests, r, e));
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the closed channel's requests fail and it reconnects
    private void heartbeatAnswered(ChannelRequests requests, ResponseCommand reply, Throwable error) {
        heartbeatInFlight.set(false);
        boolean ok = reply instanceof ResultCommand result && result.isSuccess();
        if (ok && requests.putBatchState() != ChannelRequests.PUT_BATCH_PROBING) {
            requests.capabilitiesAnswered(((ResultCommand) reply).text());
        }
        if (reply != null) {
            reply.release();
        }
        if (ok) {
            heartbeatFailures.set(0);
        } else if (error instanceof ConnectionException || error instanceof ClientClosedException) {
            LOG.debug("Heartbeat to {} ended with its channel", url);
        } else if (error != null || heartbeatFailures.incrementAndGet() >= HEARTBEAT_FAILURES_TO_CLOSE) {
            LOG.warn(
                    "Heartbeat to {} failed ({}); closing the connection",
                    url,
                    error != null ? error.toString() : "non-200 replies");
            requests.channel().close();
        }
    }

    /** Closes the connection for good: no more reconnects; requests in flight fail. Idempotent. */
    ChannelFuture close() {
        ChannelRequests c;
        synchronized (this) {
            closed = true;
            c = current;
        }
        return c == null || c.channel() == null ? null : c.channel().close();
    }
}
