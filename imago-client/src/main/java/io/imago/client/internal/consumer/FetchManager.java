package io.imago.client.internal.consumer;

import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.internal.rebalance.FetchControl;
import io.imago.client.internal.rebalance.PartitionAssignment;
import io.imago.client.internal.remoting.OpaqueGenerator;
import io.imago.client.internal.remoting.RemotingClient;
import io.imago.exception.MetaClientException;
import io.imago.protocol.command.GetCommand;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.StatusCode;
import io.imago.protocol.command.ValueCommand;
import io.imago.protocol.message.MessageSetIterator;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's fetch loop (MetaQ's {@code SimpleFetchManager}), driven by the group coordinator
 * through {@link FetchControl} or, in direct mode, by the consumer itself. {@code runnerCount}
 * threads take owned partitions ({@link FetchTask}) from a delay queue and send a {@code get} for each
 * to its broker without waiting for the answer (every owned partition can have one fetch in flight,
 * whatever the thread count); the answer puts the task back in the queue and a thread delivers its
 * messages one at a time to the topic's listener ({@link MessageDelivery}):
 * duplicates (by id) and messages the filter rejects are skipped; a delivered message advances the
 * position by its bytes (on ack only, in transactional consumption). A listener failure leaves the
 * position on the message, which is fetched again after a back-off; after {@code maxFetchRetries}
 * retries it goes to the {@link RecoverManager} and consumption moves on. 404/403 back off, 301
 * moves (a 301 to the offset asked for is a failed fetch: back-off, one WARN until a fetch succeeds);
 * a 404 past the end of the broker's log moves there ({@link PastEndPositions}).
 * A record that cannot be delivered (corrupt, or too big to fetch whole) goes to
 * {@link UndeliverableRecords}: resync, skip, or grow the fetch size ({@link FetchState}) and report
 * the partition stuck.
 *
 * <p>Invariant: a task is in the queue or held (under its monitor) by at most one thread; once
 * {@code revoke} returned, it is in neither, its position no longer changes and an answer it held
 * was released (answers hold pooled buffers). Lifecycle: the
 * constructor assigns; {@link #start()} starts the threads; {@link #close()} (after every partition
 * was revoked) stops and joins them, idempotent. Thread-safe.
 */
public final class FetchManager implements FetchControl, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FetchManager.class);
    /** How often a paused task looks whether fetching resumed. */
    private static final long PAUSED_RECHECK_MS = 50;

    private final FetchSettings settings;
    private final Map<String, Subscription> subscriptions;
    private final RemotingClient remoting;
    private final BrokerLocator locator;
    private final MessageDelivery delivery;
    private final Consumer<Throwable> errorHandler;
    private final DelayQueue<FetchTask> queue = new DelayQueue<>();
    private final Map<String, FetchTask> tasks = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final UndeliverableRecords undeliverable;
    /** The id cache's capacity: a task keeps at most that many ids of messages not yet acked. */
    private final int maxUnackedIds;

    private final PastEndPositions pastEnd;
    /**
     * The partitions (topic/partition) whose listener turned auto-ack off, kept across a revoke: a
     * partition claimed again is a new {@code Partition}, which starts with that ack mode, so messages
     * the application never acked are not acknowledged by default (issue 12 item 1).
     */
    private final Set<String> manualAck = ConcurrentHashMap.newKeySet();
    /** Revoked tasks whose listener call was abandoned past its bound, until that call returns. */
    private final Set<FetchTask> abandoned = ConcurrentHashMap.newKeySet();

    private volatile boolean stopped;
    private volatile boolean paused;
    /** When closing gives up waiting for listener calls ({@link System#nanoTime()}); 0 before close began. */
    private volatile long closeDeadlineNanos;

    private boolean started;

    public FetchManager(
            FetchSettings settings,
            Map<String, Subscription> subscriptions,
            RemotingClient remoting,
            BrokerLocator locator,
            MessageIdCache idCache,
            RecoverManager recover,
            Consumer<Throwable> errorHandler) {
        this.settings = settings;
        this.subscriptions = Map.copyOf(subscriptions);
        this.remoting = remoting;
        this.locator = locator;
        this.delivery = new MessageDelivery(settings, idCache, recover, () -> stopped || paused);
        this.maxUnackedIds = idCache.capacity();
        OffsetQueries offsets = new OffsetQueries(settings, remoting, locator);
        this.undeliverable = new UndeliverableRecords(settings, offsets::nearestValidOffset);
        this.pastEnd = new PastEndPositions(settings, offsets, System::nanoTime);
        this.errorHandler = errorHandler;
    }

    /** Starts the fetch threads. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("fetch manager of group " + settings.group() + " already started");
        }
        started = true;
        for (int i = 1; i <= settings.runnerCount(); i++) {
            Thread t = new Thread(this::runLoop, "imago-fetch-" + settings.group() + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        LOG.info("Fetching for group {} with {} threads", settings.group(), settings.runnerCount());
    }

    @Override
    public void assigned(List<PartitionAssignment> partitions) {
        for (PartitionAssignment a : partitions) {
            Subscription s = subscriptions.get(a.topic());
            if (s == null) {
                errorHandler.accept(new IllegalStateException("assigned " + a + " of a topic not subscribed"));
                continue;
            }
            FetchState state = new FetchState(
                    a.position(),
                    s.maxSize(),
                    settings.maxFetchBytes(),
                    settings.maxIncreaseRetries(),
                    settings.maxDelayMs());
            if (manualAck.contains(key(a))) {
                a.partition().setAutoAck(false);
            }
            FetchTask task = new FetchTask(a, s, state, maxUnackedIds);
            tasks.put(key(a), task);
            task.delay(0);
            queue.put(task);
        }
    }

    @Override
    public void revoke(List<PartitionAssignment> partitions) {
        for (PartitionAssignment a : partitions) {
            FetchTask task = tasks.remove(key(a));
            if (task == null) {
                continue;
            }
            task.revoked = true;
            if (task.partition().isAutoAck()) {
                manualAck.remove(key(a));
            } else {
                manualAck.add(key(a));
            }
            if (!awaitHeld(task)) {
                continue; // abandoned: the thread drops the task (and its answer) when the call returns
            }
            try {
                queue.remove(task);
                dropReply(task); // an answer waiting in the queue holds a pooled buffer
            } finally {
                task.lock.unlock();
            }
        }
    }

    /**
     * Waits for a fetch or delivery of {@code task} in progress and takes its lock; false, without it,
     * when a listener call of the task runs past {@code maxListenerTimeMs} or closing's deadline passed
     * (the call is abandoned, and logged).
     */
    private boolean awaitHeld(FetchTask task) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (task.lock.tryLock(100, TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                long now = System.nanoTime();
                long callMs = task.listenerCallMs(now);
                long deadline = closeDeadlineNanos;
                boolean pastBound = settings.maxListenerTimeMs() > 0 && callMs > settings.maxListenerTimeMs();
                boolean closing = deadline != 0 && now - deadline >= 0 && callMs >= 0;
                if (pastBound || closing) {
                    abandoned.add(task);
                    LOG.error(
                            "Group {} gives up {} without waiting for its listener call any longer ({}): {}",
                            settings.group(),
                            task,
                            pastBound
                                    ? "past maxListenerTimeInMills " + settings.maxListenerTimeMs() + " ms"
                                    : "past shutdownTimeoutInMills " + settings.shutdownTimeoutMs() + " ms",
                            task.describeListenerCall(now));
                    return false;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void brokersChanged(String topic) {
        locator.forgetAll();
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        paused = false;
    }

    /** Whether fetching and delivery are paused (the coordinator's ZooKeeper connection is in doubt). */
    public boolean isPaused() {
        return paused;
    }

    @Override
    public Optional<String> hungListener(long boundMs) {
        long now = System.nanoTime();
        abandoned.removeIf(task -> task.listenerCallMs(now) < 0);
        for (FetchTask task : tasks.values()) {
            if (task.listenerCallMs(now) > boundMs) {
                return Optional.ofNullable(task.describeListenerCall(now));
            }
        }
        for (FetchTask task : abandoned) {
            if (task.listenerCallMs(now) > boundMs) {
                return Optional.ofNullable(task.describeListenerCall(now));
            }
        }
        return Optional.empty();
    }

    /**
     * Closing begins: from now on revokes and {@link #close()} wait for listener calls in progress at
     * most until {@code shutdownTimeoutMs} from now. Idempotent (the first deadline holds).
     */
    public void beginClose() {
        if (closeDeadlineNanos == 0) {
            closeDeadlineNanos =
                    Math.max(1, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.shutdownTimeoutMs()));
        }
    }

    /** The positions of the partitions held now (for direct mode's commits). */
    public List<TopicPartitionRegInfo> positions() {
        return tasks.values().stream().map(FetchTask::position).toList();
    }

    /** The partitions held now. */
    public List<PartitionAssignment> assignments() {
        return tasks.values().stream().map(t -> t.assignment).toList();
    }

    /** Messages delivered to listeners so far. */
    public long deliveredCount() {
        return delivery.deliveredCount();
    }

    /** Messages skipped because their id had been delivered already. */
    public long duplicateCount() {
        return delivery.duplicateCount();
    }

    /** Messages handed to the recover store after too many listener failures. */
    public long recoveredCount() {
        return delivery.recoveredCount();
    }

    /** Resynchronisations with {@code offset} after a corrupt message. */
    public long resyncCount() {
        return undeliverable.resyncCount();
    }

    /** Corrupt records skipped (still corrupt after a resync); each was logged and given to the handler. */
    public long skippedRecordCount() {
        return undeliverable.skippedCount();
    }

    /** Answers that could not deliver the record at the fetch offset and could not grow to hold it. */
    public long stuckAnswerCount() {
        return undeliverable.stuckAnswerCount();
    }

    /** Fetch offsets found past the broker's end and moved back to it. */
    public long pastEndMoveCount() {
        return pastEnd.moveCount();
    }

    /** The task of an owned partition, or null (for tests of this package). */
    FetchTask task(PartitionAssignment a) {
        return tasks.get(key(a));
    }

    private static String key(PartitionAssignment a) {
        return a.topic() + "/" + a.partition();
    }

    private void runLoop() {
        while (!stopped) {
            try {
                runOnce(queue.take());
            } catch (InterruptedException e) {
                if (stopped) {
                    return;
                }
            } catch (Throwable t) {
                errorHandler.accept(t);
            }
        }
    }

    /**
     * One step of a task: a task without an answer sends its {@code get} and leaves (the answer puts it
     * back in the queue, so no fetch thread waits on the network and every owned partition can have a
     * fetch in flight); a task with an answer delivers it and goes back in the queue after its delay.
     */
    private void runOnce(FetchTask task) throws InterruptedException {
        task.lock.lock();
        try {
            if (task.revoked) {
                dropReply(task);
                return;
            }
            if (paused) { // the answer, if any, is fetched again once resumed
                dropReply(task);
                task.delay(PAUSED_RECHECK_MS);
                queue.put(task);
                return;
            }
            if (!task.replyReady) {
                if (sendGet(task)) {
                    return;
                }
                requeue(task);
                return;
            }
            ResponseCommand reply = task.reply;
            Throwable failure = task.replyFailure;
            task.replyReady = false;
            task.reply = null;
            task.replyFailure = null;
            try {
                if (failure != null) {
                    throw failure instanceof MetaClientException m
                            ? m
                            : new MetaClientException("get of " + task + " failed: " + failure, failure);
                }
                handleReply(task, reply);
                task.failing = false;
            } catch (MetaClientException e) {
                onFetchFailure(task, e);
            } catch (RuntimeException | Error e) { // a bug or the JVM: back off too, never spin
                task.state.onNothing();
                errorHandler.accept(e);
            } finally {
                if (reply != null) {
                    reply.release();
                }
                requeue(task);
            }
        } finally {
            task.lock.unlock();
        }
    }

    private void requeue(FetchTask task) {
        if (!task.revoked) {
            task.delay(task.state.delayMs());
            queue.put(task);
        }
    }

    private static void dropReply(FetchTask task) {
        if (task.reply != null) {
            task.reply.release();
        }
        task.reply = null;
        task.replyFailure = null;
        task.replyReady = false;
    }

    /** Sends the task's {@code get}; false (after counting the failure) when it could not be sent. */
    @SuppressWarnings("FutureReturnValueIgnored") // replied() takes the reply or the failure to the task
    private boolean sendGet(FetchTask task) {
        String url;
        try {
            url = locator.url(task.partition().getBrokerId());
        } catch (MetaClientException e) {
            onFetchFailure(task, e);
            return false;
        } catch (RuntimeException e) {
            task.state.onNothing();
            errorHandler.accept(e);
            return false;
        }
        int waitMs = settings.longPollMs() > 0 && remoting.supportsLongPoll(url) ? settings.longPollMs() : 0;
        GetCommand get = new GetCommand(
                task.topic(),
                settings.group(),
                task.partition().getPartition(),
                task.fetchOffset,
                task.state.maxSize(),
                waitMs,
                OpaqueGenerator.next());
        task.lastWaitMs = waitMs;
        task.lastSentNanos = System.nanoTime();
        remoting.invoke(url, get, settings.fetchTimeoutMs() + waitMs)
                .orTimeout(settings.fetchTimeoutMs() + waitMs + OffsetQueries.AWAIT_SLACK_MS, TimeUnit.MILLISECONDS)
                .whenComplete((reply, error) -> replied(task, url, get, reply, error));
        return true;
    }

    /** The answer to a task's {@code get} (any thread): stored with the task, which goes back in the queue. */
    private void replied(FetchTask task, String url, GetCommand get, ResponseCommand reply, Throwable error) {
        task.lock.lock();
        try {
            if (task.revoked || stopped) {
                if (reply != null) {
                    reply.release();
                }
                return;
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause()
                    : error;
            task.reply = reply;
            task.replyFailure = cause == null
                    ? null
                    : new MetaClientException(
                            get + " to " + url
                                    + (cause instanceof TimeoutException ? " timed out" : " failed: " + cause),
                            cause);
            task.replyReady = true;
            task.delay(0);
            queue.put(task);
        } finally {
            task.lock.unlock();
        }
    }

    private void handleReply(FetchTask task, ResponseCommand reply) throws MetaClientException, InterruptedException {
        if (reply instanceof ValueCommand value) {
            onValue(task, value.body());
        } else if (reply instanceof ResultCommand result) {
            onResult(task, result);
        } else {
            throw new MetaClientException("unexpected reply to get of " + task + ": " + reply);
        }
    }

    private void onFetchFailure(FetchTask task, MetaClientException e) {
        task.state.onNothing();
        PastEndPositions.onFetchFailed(task);
        locator.forget(task.partition().getBrokerId());
        if (!task.failing) {
            task.failing = true;
            LOG.warn(
                    "Fetching {} for group {} failed, retrying with back-off: {}",
                    task,
                    settings.group(),
                    e.getMessage());
        }
    }

    private void onResult(FetchTask task, ResultCommand result) throws MetaClientException, InterruptedException {
        int code = result.code();
        if (code == StatusCode.MOVED.code()) {
            long offset = OffsetQueries.parseOffset(result, task);
            if (offset == task.fetchOffset) { // a broker bug: asking again at once would spin
                throw new MetaClientException(
                        "broker answered 301 to get of " + task + " at offset " + offset + " with that same offset");
            }
            task.state.moveTo(offset);
            task.fetchOffset = offset;
        } else if (code == StatusCode.NOT_FOUND.code()
                && task.lastWaitMs > 0
                && System.nanoTime() - task.lastSentNanos >= TimeUnit.MILLISECONDS.toNanos(task.lastWaitMs) / 2) {
            task.state.onLongPollExpired(); // the broker held it: no back-off on top of that
        } else if (code == StatusCode.NOT_FOUND.code()) {
            task.state.onNothing();
            pastEnd.onNotFound(task); // caught up, or past the end of a shorter log
        } else if (code == StatusCode.FORBIDDEN.code()) {
            task.state.onNothing();
        } else {
            throw new MetaClientException("get of " + task + " refused: " + code + " " + result.text());
        }
    }

    private void onValue(FetchTask task, ByteBuf body) throws MetaClientException, InterruptedException {
        int bodyBytes = body.readableBytes();
        if (bodyBytes == 0) {
            task.state.onNothing();
            return;
        }
        FetchedMessageIterator it = new FetchedMessageIterator(
                task.topic(),
                task.partition(),
                body,
                task.fetchOffset,
                Math.max(task.state.maxSize(), MessageSetIterator.DEFAULT_MAX_PAYLOAD_BYTES));
        switch (delivery.deliverAll(task, it)) {
            case DELIVERED -> task.state.onDelivered(bodyBytes);
            case INCOMPLETE -> undeliverable.onIncomplete(task, body);
            case CORRUPT -> undeliverable.onCorrupt(task, body);
            case LISTENER_FAILED, ROLLED_BACK, STOPPED -> {
                // the position stays on the message; the delay was set by the failure, if any
            }
        }
    }

    /** The listener call thread {@code t} is in, described; "unknown" if none is recorded. */
    private String describeCallOf(Thread t) {
        long now = System.nanoTime();
        for (FetchTask task : tasks.values()) {
            if (task.listenerThread == t) {
                return String.valueOf(task.describeListenerCall(now));
            }
        }
        for (FetchTask task : abandoned) {
            if (task.listenerThread == t) {
                return String.valueOf(task.describeListenerCall(now));
            }
        }
        return "unknown";
    }

    /**
     * Stops and joins the fetch threads; call after every partition was revoked. A thread still in a
     * listener call {@code shutdownTimeoutMs} after closing began is left behind (a daemon), logged.
     * Idempotent.
     */
    @Override
    public void close() {
        List<Thread> toJoin;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            toJoin = List.copyOf(threads);
        }
        beginClose();
        toJoin.forEach(Thread::interrupt);
        boolean interrupted = false;
        for (Thread t : toJoin) {
            while (t.isAlive()) {
                long leftNanos = closeDeadlineNanos - System.nanoTime();
                if (leftNanos <= 0) {
                    LOG.error(
                            "Group {} stops fetching without fetch thread {}, still in a listener call {} ms after"
                                    + " shutdown began (shutdownTimeoutInMills): {}",
                            settings.group(),
                            t.getName(),
                            settings.shutdownTimeoutMs(),
                            describeCallOf(t));
                    break;
                }
                try {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(leftNanos)));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        for (FetchTask task : tasks.values()) { // not revoked first: still release what they hold
            if (task.lock.tryLock()) { // a task held by a hung call is released by its thread
                try {
                    dropReply(task);
                } finally {
                    task.lock.unlock();
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Stopped fetching for group {}", settings.group());
    }
}
