package io.imago.client.internal.rebalance;

import io.imago.client.consumer.LoadBalanceStrategy;
import io.imago.client.consumer.storage.OffsetStorage;
import io.imago.cluster.Partition;
import io.imago.coordination.BackOff;
import io.imago.coordination.ClosePolicy;
import io.imago.coordination.ZooKeeperAgent;
import io.imago.coordination.ZooKeeperAgentRunner;
import io.imago.exception.MetaClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.WatcherRemoveCuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer's membership of its group in ZooKeeper, exactly as MetaQ 1.4.6.2 does it (spec
 * sections 4.2 to 4.4), so that original consumers and ours can share a group. It registers the
 * ephemeral {@code ids/<consumerId>} node, watches the group's ids and each subscribed topic's
 * {@code topics-sub} registrations, and on every change runs a rebalance round: it shares each
 * topic's partitions with the {@link LoadBalanceStrategy}, gives up the partitions it no longer gets
 * and claims the new ones by creating ephemeral {@code owners/<topic>/<brokerId>-<p>} nodes, and tells
 * the fetch loop through {@link FetchControl}.
 *
 * <p><b>Invariants.</b> A partition is in the fetch loop's hands only while this consumer's owner node
 * for it exists: it is handed over after the node is created (and its offset loaded) and taken back
 * before the node is deleted, with its offset committed in between (except after a lost session,
 * when the nodes are already gone). ZooKeeper allows one node per path, so no partition ever has two
 * owners. If a partition to claim is still owned by someone else, the whole attempt fails: every
 * partition is released (committed first), and after {@code zkSyncTimeMs} the round is tried again,
 * at most {@value RebalanceSettings#MAX_ATTEMPTS} times; then a {@link RebalanceException} goes to the
 * error handler and the coordinator keeps watching. Positions are committed before partitions are
 * released (retried {@value #RELEASE_COMMIT_ATTEMPTS} times, then released anyway, reported), at
 * close, and every {@code commitOffsetPeriodMs}; every commit is conditional on the owner node
 * ({@link GuardedCommits}: one ZooKeeper transaction with the default store).
 *
 * <p><b>Sessions.</b> Owner nodes are created only in the session the ids node was registered in
 * ({@link ConsumerNodes}); a round in another session stops. On {@code SUSPENDED} (and {@code LOST})
 * Curator's event thread pauses the fetch loop at once ({@link FetchControl#pause()}); on a
 * reconnection in the same session the coordinator thread re-reads the owner nodes, gives up those
 * no longer ours, and resumes unless another suspension came meanwhile. When Curator reports the
 * session {@code LOST}, every partition is revoked from the fetch loop without a commit. When it
 * connects in a session other than the registered one, the ids node is registered again and a round
 * follows; a failed registration goes to the error handler and is retried after 100 ms, doubling up
 * to the pause after a failed round ({@link BackOff}). Any reconnection triggers a round (watch
 * events may have been missed).
 *
 * <p><b>Listener calls.</b> With {@code maxListenerTimeMs > 0}, a duty checks the fetch loop every
 * quarter of it (at most every second): while a listener call runs past the bound, the consumer
 * releases everything and deletes its ids node (it leaves the group, as a Kafka consumer past
 * {@code max.poll.interval.ms} does), and registers again once no call is past it.
 *
 * <p><b>Lifecycle and threading.</b> The Curator client is passed in and not closed here. The
 * constructor only assigns; {@link #start()} registers and runs the first round before it returns;
 * {@link #close()} is idempotent, waits for the coordinator's thread, then revokes, commits, deletes
 * the owner nodes and the ids node. Every ZooKeeper write, {@link FetchControl} call and commit happens
 * on one thread ({@code imago-rebalance-<consumerId>}, run by a {@link ZooKeeperAgentRunner}, which
 * close lets finish its duty); watch events only schedule a round, so events arriving within
 * {@code zkSyncTimeMs / 10} are coalesced into one. Fields marked "coordinator thread" are touched by
 * no other thread (and by {@code close} only after that thread ended). Thread-safe.
 *
 * <p>This consumer's nodes are created, checked and deleted through {@link ConsumerNodes}; what it owns
 * and the positions are kept in {@link OwnedPartitions}. Both are used on the coordinator thread only
 * (and by {@code close} after it ended), except {@link OwnedPartitions#view()}, a published snapshot.
 */
public final class GroupCoordinator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinator.class);
    /** The pause after a first failed registration in a new session. */
    private static final long FIRST_REGISTER_RETRY_MS = 100;
    /** Attempts of the commit of a partition being released before it is released uncommitted. */
    static final int RELEASE_COMMIT_ATTEMPTS = 3;
    /** The pause after the first failed attempt of a release's commit; it doubles. */
    private static final long RELEASE_COMMIT_RETRY_MS = 100;

    private final CuratorFramework client;
    private final RebalanceSettings settings;
    private final FetchControl fetchControl;
    private final CuratorWatcher watcher = this::onWatchEvent;
    private final AtomicBoolean roundScheduled = new AtomicBoolean();
    private final AtomicLong completedRounds = new AtomicLong();
    /** The coordinator thread, the lifecycle, registering again in a new session, the error handler. */
    private final ZooKeeperAgentRunner runner;

    private final WatcherRemoveCuratorFramework zk;
    private final GroupStateReader reader;
    /** Coordinator thread (its {@code view()}: any thread): what the fetch loop holds, and the positions. */
    private final OwnedPartitions owned;
    /** Coordinator thread, and close after it ended. */
    private final ConsumerNodes nodes;
    /** Coordinator thread, and close after it ended: commits only what is still ours. */
    private final GuardedCommits commits;
    /** Pauses the fetch loop from Curator's event thread; resumed on the coordinator thread. */
    private final PauseGate pauseGate = new PauseGate();

    private final ConnectionStateListener suspensionListener = (c, state) -> {
        if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
            pauseGate.pause(state);
        }
    };
    /** Coordinator thread: the topics as the last successful round saw them. */
    private Map<String, TopicView> lastViews = Map.of();
    /**
     * Coordinator thread: the consumer left its group because a listener call ran past
     * {@code maxListenerTimeMs}; it joins again when no call does.
     */
    private boolean leftForHungListener;

    /**
     * @param client a Curator client of the session factory, started; not closed by the coordinator
     * @param settings the group, this consumer's id and topics, the strategy and timings
     * @param offsetStorage where positions are loaded from and committed to
     * @param fetchControl the fetch loop to hand partitions to
     * @param errorHandler receives every failure of background work (rounds, commits, watches)
     */
    public GroupCoordinator(
            CuratorFramework client,
            RebalanceSettings settings,
            OffsetStorage offsetStorage,
            FetchControl fetchControl,
            Consumer<Throwable> errorHandler) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.fetchControl = Objects.requireNonNull(fetchControl, "fetchControl");
        this.owned = new OwnedPartitions(settings, Objects.requireNonNull(offsetStorage, "offsetStorage"));
        this.runner = new ZooKeeperAgentRunner(
                new Coordinator(),
                new BackOff(FIRST_REGISTER_RETRY_MS, roundRetryMs()),
                ClosePolicy.letFinish(),
                Objects.requireNonNull(errorHandler, "errorHandler"));
        this.zk = client.newWatcherRemoveCuratorFramework();
        this.reader = new GroupStateReader(zk, settings.znodes(), settings.group(), watcher);
        this.nodes = new ConsumerNodes(zk, client, settings.consumerId());
        this.commits = new GuardedCommits(settings, offsetStorage, nodes, client);
    }

    /**
     * Registers this consumer in its group and runs the first rebalance round (retrying an owner
     * conflict as described above; a round that fails every attempt is reported to the error handler
     * and does not fail the start).
     *
     * @throws RebalanceException if the consumer cannot be registered (ZooKeeper unreachable or refusing)
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the periodic commit is guarded()
    public void start() {
        client.getConnectionStateListenable().addListener(suspensionListener);
        try {
            runner.start(client);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.getConnectionStateListenable().removeListener(suspensionListener);
            throw new RebalanceException(
                    "interrupted while consumer " + settings.consumerId() + " joined group " + settings.group(), e);
        } catch (ExecutionException e) {
            client.getConnectionStateListenable().removeListener(suspensionListener);
            throw new RebalanceException(
                    "consumer " + settings.consumerId() + " could not join group " + settings.group() + ": "
                            + e.getCause(),
                    e.getCause());
        }
        if (settings.commitOffsetPeriodMs() > 0) {
            runner.scheduleWithFixedDelay(this::periodicCommit, settings.commitOffsetPeriodMs());
        }
        if (settings.maxListenerTimeMs() > 0) {
            runner.scheduleWithFixedDelay(
                    this::watchListeners, Math.max(10, Math.min(1_000, settings.maxListenerTimeMs() / 4)));
        }
        LOG.info(
                "Consumer {} joined group {} with topics {}",
                settings.consumerId(),
                settings.group(),
                settings.topics());
    }

    /** This consumer's id, {@code <group>_<consumerIdOrUUID>}. */
    public String consumerId() {
        return settings.consumerId();
    }

    /** The partitions the fetch loop holds now, by topic (a snapshot, updated after each change). */
    public Map<String, List<Partition>> owned() {
        return owned.view();
    }

    /** A test seam: {@code hook} runs on the coordinator thread just before a commit is written. */
    void beforeCommitWrite(Runnable hook) {
        commits.beforeWrite = hook;
    }

    /** How many rebalance rounds completed successfully (for monitoring and tests). */
    public long completedRounds() {
        return completedRounds.get();
    }

    /**
     * Leaves the group: stops the coordinator's thread, revokes every partition from the fetch loop,
     * commits the positions, deletes the owner nodes and the ids node. Idempotent; failures go to the
     * error handler.
     */
    @Override
    public void close() {
        client.getConnectionStateListenable().removeListener(suspensionListener);
        runner.close();
    }

    // ---- events --------------------------------------------------------------------------------

    private void onWatchEvent(WatchedEvent event) {
        if (event.getType() != Watcher.Event.EventType.None) {
            requestRound();
        }
    }

    /** Schedules a round after the coalescing delay, unless one is already scheduled. */
    @SuppressWarnings("FutureReturnValueIgnored") // the round is guarded()
    private void requestRound() {
        if (runner.isClosing() || leftForHungListener || !roundScheduled.compareAndSet(false, true)) {
            return;
        }
        boolean scheduled = runner.schedule(
                () -> {
                    roundScheduled.set(false);
                    rebalanceRound();
                },
                settings.coalesceDelayMs());
        if (!scheduled) {
            // Only once close() began: no round is wanted any more.
            roundScheduled.set(false);
        }
    }

    // ---- registration ----------------------------------------------------------------------------

    /**
     * Creates the group's persistent paths and this consumer's ephemeral ids node; returns the session
     * it was created in. Coordinator thread.
     */
    private long register() throws Exception {
        nodes.ensureGroupPaths(settings);
        // Read only now: before the first request has waited for the connection, the id is still 0, and a
        // later CONNECTED event would be taken for a new session (dropping owner nodes that stay behind).
        long sessionId = nodes.sessionId();
        nodes.registerIds(settings.idPath(), settings.topicList(), sessionId);
        return sessionId;
    }

    // ---- rebalance -------------------------------------------------------------------------------

    /**
     * One round: up to MAX_ATTEMPTS attempts, releasing everything between them. A round in a session
     * other than the registered one does nothing: the repair that is due registers again and runs a
     * round of its own. Coordinator thread.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the retry, requestRound, only schedules a guarded() round
    private void rebalanceRound() throws Exception {
        Exception lastFailure = null;
        for (int attempt = 1; attempt <= RebalanceSettings.MAX_ATTEMPTS; attempt++) {
            if (runner.isClosing() || leftForHungListener || nodes.sessionChanged()) {
                return;
            }
            try {
                if (rebalanceOnce()) {
                    completedRounds.incrementAndGet();
                    return;
                }
                lastFailure = null;
                LOG.debug(
                        "Consumer {} found a partition still owned by another consumer (attempt {})",
                        settings.consumerId(),
                        attempt);
            } catch (InterruptedException e) {
                throw e;
            } catch (SessionChangedException e) {
                LOG.info(
                        "Consumer {} ends its rebalance round: {}; it registers again and rebalances in the new session",
                        settings.consumerId(),
                        e.getMessage());
                return;
            } catch (Exception e) {
                lastFailure = e;
                LOG.debug("Rebalance attempt {} of consumer {} failed", attempt, settings.consumerId(), e);
            }
            releaseAll();
            if (runner.awaitClose(settings.zkSyncTimeMs())) {
                return;
            }
        }
        long retryMs = roundRetryMs();
        runner.report(new RebalanceException(
                "consumer " + settings.consumerId() + " of group "
                        + settings.group() + " could not rebalance in " + RebalanceSettings.MAX_ATTEMPTS
                        + " attempts ("
                        + (lastFailure == null
                                ? "its partitions stayed owned by other consumers"
                                : String.valueOf(lastFailure))
                        + "); it owns nothing and tries again in " + retryMs
                        + " ms or at the next change",
                lastFailure));
        // owner nodes of a dead session vanish without any watch firing here: retry on a timer too
        if (!runner.schedule(this::requestRound, retryMs)) {
            LOG.debug("Consumer {} is closing; no retry", settings.consumerId());
        }
    }

    /** The pause after a round that failed every attempt (and the longest before registering again). */
    private long roundRetryMs() {
        return Math.max(1_000L, 2L * settings.zkSyncTimeMs());
    }

    /** One attempt; false on an owner conflict (the caller releases everything). */
    private boolean rebalanceOnce() throws Exception {
        Map<String, TopicView> views = reader.views(settings.consumerId(), settings.topics());
        RoundPlan plan = RoundPlan.of(settings, views, lastViews, owned);
        release(plan.toRelease());
        if (!claim(plan.toClaim())) {
            return false;
        }
        assign(plan.toClaim());
        owned.startRoundDone();
        lastViews = views;
        if (plan.changesOwnership()) {
            LOG.info(
                    "Consumer {} rebalanced: released {}, claimed {}, owns {}",
                    settings.consumerId(),
                    plan.toRelease(),
                    plan.toClaim(),
                    owned.view());
        }
        for (String topic : plan.brokersChanged()) {
            fetchControl.brokersChanged(topic);
        }
        return true;
    }

    /**
     * Takes partitions back from the fetch loop, commits their positions (while still ours, retried
     * {@value #RELEASE_COMMIT_ATTEMPTS} times), then deletes their owner nodes, so that the next owner
     * starts where this one stopped.
     */
    private void release(List<PartitionAssignment> partitions) throws Exception {
        if (partitions.isEmpty()) {
            return;
        }
        fetchControl.revoke(partitions);
        commitForRelease(partitions);
        owned.takenBack(partitions);
        for (PartitionAssignment assignment : partitions) {
            String partition = assignment.partition().toString();
            nodes.deleteIfOurs(settings.ownerPath(assignment.topic(), partition));
            owned.unhold(assignment.topic(), partition);
        }
    }

    /**
     * Commits the positions of partitions about to be released: a failed commit is retried after 100,
     * then 200 ms; a partition no longer ours is left to its new owner; after the last attempt the
     * partition is released uncommitted (so the group is not blocked by a store that is down), which
     * is logged and reported: its next owner delivers again what this consumer consumed since the last
     * commit.
     */
    private void commitForRelease(List<PartitionAssignment> partitions) throws InterruptedException {
        List<PartitionAssignment> toCommit = partitions;
        for (int attempt = 1; !toCommit.isEmpty(); attempt++) {
            List<PartitionAssignment> failed = new ArrayList<>();
            Exception lastFailure = null;
            for (Map.Entry<PartitionAssignment, GuardedCommits.Result> result :
                    commits.commit(toCommit).entrySet()) {
                PartitionAssignment assignment = result.getKey();
                switch (result.getValue().outcome()) {
                    case COMMITTED -> {}
                    case NOT_OURS ->
                        LOG.warn(
                                "Consumer {} no longer owns {} (its session or owner node is gone): position {} is"
                                        + " not committed; the partition's new owner continues from its own",
                                settings.consumerId(),
                                assignment,
                                assignment.position().getOffset());
                    case FAILED -> {
                        failed.add(assignment);
                        lastFailure = result.getValue().failure();
                    }
                }
            }
            if (failed.isEmpty()) {
                return;
            }
            if (attempt >= RELEASE_COMMIT_ATTEMPTS || runner.isClosing()) {
                LOG.warn(
                        "Consumer {} could not commit the positions of {} in {} attempts ({}); it releases them"
                                + " anyway: their next owners start from the positions committed before and"
                                + " deliver again what lies between",
                        settings.consumerId(),
                        failed,
                        attempt,
                        String.valueOf(lastFailure));
                runner.report(new RebalanceException(
                        "consumer " + settings.consumerId() + " released " + failed + " without committing",
                        lastFailure));
                return;
            }
            LOG.info(
                    "Consumer {} retries the commit of {} before releasing them (attempt {} failed: {})",
                    settings.consumerId(),
                    failed,
                    attempt,
                    String.valueOf(lastFailure));
            Thread.sleep(RELEASE_COMMIT_RETRY_MS << (attempt - 1));
            toCommit = failed;
        }
    }

    /** The periodic commit: the positions of the partitions still ours; a failure is retried next time. */
    private void periodicCommit() {
        List<PartitionAssignment> failed = new ArrayList<>();
        Exception lastFailure = null;
        for (Map.Entry<PartitionAssignment, GuardedCommits.Result> result :
                commits.commit(owned.all()).entrySet()) {
            if (result.getValue().outcome() == GuardedCommits.Outcome.FAILED) {
                failed.add(result.getKey());
                lastFailure = result.getValue().failure();
            }
        }
        if (!failed.isEmpty()) {
            runner.report(new RebalanceException(
                    "consumer " + settings.consumerId() + " could not commit the positions of " + failed
                            + "; the next commit writes them",
                    lastFailure));
        }
    }

    /** Creates the owner nodes; false as soon as one is owned by someone else. */
    private boolean claim(Map<String, Set<String>> toClaim) throws Exception {
        for (Map.Entry<String, Set<String>> entry : toClaim.entrySet()) {
            String topic = entry.getKey();
            for (String partition : entry.getValue()) {
                if (!nodes.createOwner(settings.ownerPath(topic, partition))) {
                    return false;
                }
                owned.hold(topic, partition);
            }
        }
        return true;
    }

    /** Loads the positions of the claimed partitions and hands them to the fetch loop. */
    private void assign(Map<String, Set<String>> claimed) throws MetaClientException {
        List<PartitionAssignment> assignments = owned.loadPositions(claimed);
        if (assignments.isEmpty()) {
            return;
        }
        owned.handedOver(assignments);
        fetchControl.assigned(assignments);
    }

    /**
     * Takes every partition back from the fetch loop, commits their positions (as {@link #release}
     * does: retried, then released anyway), and deletes every owner node this session holds.
     */
    private void releaseAll() throws InterruptedException {
        List<PartitionAssignment> all = owned.all();
        if (!all.isEmpty()) {
            fetchControl.revoke(all);
            commitForRelease(all);
        }
        nodes.deleteOwnersIfOurs(owned.ownerPaths(), runner::report);
        forgetAll();
    }

    /** After a lost session: the owner nodes are gone with it and others may already own the partitions. */
    private void dropAll() {
        List<PartitionAssignment> all = owned.all();
        if (!all.isEmpty()) {
            fetchControl.revoke(all);
        }
        forgetAll();
    }

    private void forgetAll() {
        owned.clear();
        lastViews = Map.of();
    }

    // ---- suspension ------------------------------------------------------------------------------

    /**
     * Connected again in the registered session after a suspension: the partitions whose owner nodes
     * are still ours are fetched again; the others (an owner node removed meanwhile) are taken back
     * without a commit. A read that fails leaves the fetch loop paused until the next reconnection.
     */
    private void confirmOwnershipAndResume() throws Exception {
        long pausedAt = pauseGate.epoch();
        if (!pauseGate.isPaused()) {
            return;
        }
        List<PartitionAssignment> lost = new ArrayList<>();
        for (PartitionAssignment assignment : owned.all()) {
            if (nodes.isOurs(settings.ownerPath(
                            assignment.topic(), assignment.partition().toString()))
                    == null) {
                lost.add(assignment);
            }
        }
        if (!lost.isEmpty()) {
            LOG.warn(
                    "Consumer {} no longer owns {} after its ZooKeeper connection came back; it gives them up"
                            + " without a commit",
                    settings.consumerId(),
                    lost);
            fetchControl.revoke(lost);
            owned.forget(lost);
        }
        if (pauseGate.resumeIf(pausedAt)) {
            LOG.info(
                    "Consumer {} is connected to ZooKeeper again and still owns {}; fetching resumes",
                    settings.consumerId(),
                    owned.view());
        }
    }

    /**
     * Stops the fetch loop as soon as the ZooKeeper connection is in doubt (any thread: Curator's event
     * thread calls {@link #pause}); only the coordinator thread resumes it, once it knows what it still
     * owns, and only if no new suspension came meanwhile ({@link #resumeIf}).
     */
    private final class PauseGate {
        private boolean paused;
        private long epoch;

        synchronized void pause(ConnectionState state) {
            epoch++;
            if (!paused) {
                paused = true;
                fetchControl.pause();
                LOG.warn(
                        "Consumer {}: ZooKeeper connection {}; fetching and delivery pause until it knows its"
                                + " partitions are still its own",
                        settings.consumerId(),
                        state);
            }
        }

        synchronized long epoch() {
            return epoch;
        }

        synchronized boolean isPaused() {
            return paused;
        }

        /** Resumes if paused and no suspension came since {@code seenEpoch}; true if it resumed. */
        synchronized boolean resumeIf(long seenEpoch) {
            if (!paused || epoch != seenEpoch) {
                return false;
            }
            paused = false;
            fetchControl.resume();
            return true;
        }
    }

    // ---- listeners that do not return -------------------------------------------------------------

    /**
     * Every so often: a listener call running past {@code maxListenerTimeMs} makes this consumer leave
     * its group (like Kafka's {@code max.poll.interval.ms}), so that the others take its partitions
     * from the committed positions; once no call is past the bound, it joins again.
     */
    private void watchListeners() throws Exception {
        Optional<String> hung = fetchControl.hungListener(settings.maxListenerTimeMs());
        if (hung.isPresent() && !leftForHungListener) {
            LOG.error(
                    "Consumer {}: a listener call has run for more than {} ms ({}); the consumer gives up its"
                            + " partitions {} and leaves group {} until it returns",
                    settings.consumerId(),
                    settings.maxListenerTimeMs(),
                    hung.get(),
                    owned.view(),
                    settings.group());
            leftForHungListener = true;
            releaseAll();
            nodes.deleteIdsIfOurs(settings.idPath());
        } else if (hung.isEmpty() && leftForHungListener) {
            register();
            leftForHungListener = false;
            LOG.info(
                    "Consumer {}: the listener returned; the consumer joins group {} again",
                    settings.consumerId(),
                    settings.group());
            requestRound();
        }
    }
    /** The coordinator's duties: {@link #runner} calls them on the coordinator thread, onClose on the closing one. */
    private final class Coordinator implements ZooKeeperAgent {
        @Override
        public String roleName() {
            return "imago-rebalance-" + settings.consumerId();
        }

        @Override
        public long onStart() throws Exception {
            long sessionId = register();
            rebalanceRound();
            return sessionId;
        }

        /** A new session: the owner nodes went with the old one; the ids node is registered again, then a round. */
        @Override
        public long onRepair(int attempt) throws Exception {
            LOG.info(
                    "Consumer {} is in a new ZooKeeper session; registering again (attempt {})",
                    settings.consumerId(),
                    attempt);
            long pausedAt = pauseGate.epoch();
            dropAll();
            if (leftForHungListener) {
                return nodes.sessionId(); // out of the group until the listener returns
            }
            long sessionId;
            try {
                sessionId = register();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw new RebalanceException(
                        "consumer " + settings.consumerId() + " could not register again in group " + settings.group(),
                        e);
            }
            requestRound();
            pauseGate.resumeIf(pausedAt); // nothing is owned in the new session yet
            return sessionId;
        }

        @Override
        public void onStateChanged(ConnectionState state) throws Exception {
            if (state == ConnectionState.LOST) {
                LOG.warn("Consumer {} lost its ZooKeeper session; its partitions are revoked", settings.consumerId());
                dropAll();
            } else if (state.isConnected()) {
                confirmOwnershipAndResume();
                requestRound();
            }
        }

        @Override
        public void onClose() {
            try {
                releaseAll();
                nodes.deleteIdsIfOurs(settings.idPath());
            } catch (Exception e) {
                runner.report(new RebalanceException(
                        "consumer " + settings.consumerId() + " could not remove its nodes from group "
                                + settings.group(),
                        e));
            } finally {
                zk.removeWatchers();
            }
            LOG.info("Consumer {} left group {}", settings.consumerId(), settings.group());
        }
    }
}
