package io.imago.client.internal.rebalance;

import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.consumer.storage.OffsetStorage;
import io.imago.client.consumer.storage.ZkOffsetStorage;
import io.imago.client.internal.storage.PositionSnapshot;
import io.imago.protocol.zk.OffsetNodeData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;

/**
 * Commits positions only while this consumer owns their partitions (issue 12 item 4): a consumer that
 * lost its session but has not heard of it yet must not overwrite the positions of the partitions'
 * new owners (MetaQ does, and they deliver again what they consumed).
 *
 * <p>With positions in ZooKeeper through the coordinator's own client (the default store), the check
 * and the write are one ZooKeeper transaction in the session that owns the partition
 * ({@link ConsumerNodes#writeIfOwner}): the owner node is ephemeral, so the write lands only while no one
 * else can own the partition. With another store (a file, a database) the owner node is read and then
 * the position written: a session that ends between the two can still write a stale position, which
 * the next owner's later commits overwrite; documented in {@code docs/client-consumer.md}.
 *
 * <p>Threading: the coordinator thread only (and {@code close} after it ended).
 */
final class GuardedCommits {
    /** How the commit of one partition's position ended. */
    enum Outcome {
        /** Written, or nothing to write (it had not moved since the last commit). */
        COMMITTED,
        /** Not written: the partition is no longer ours (the owner node is gone, or the session). */
        NOT_OURS,
        /** Not written: the store or ZooKeeper failed; the position is written by the next commit. */
        FAILED
    }

    /** The outcome of one partition's commit, and the failure when it FAILED. */
    record Result(Outcome outcome, Exception failure) {}

    private final RebalanceSettings settings;
    private final OffsetStorage offsetStorage;
    private final ConsumerNodes nodes;
    /** The store, when it keeps positions in ZooKeeper through the coordinator's client; else null. */
    private final ZkOffsetStorage sameSession;
    /** A test seam: runs before the positions of a commit are taken and written. */
    Runnable beforeWrite = () -> {};

    GuardedCommits(
            RebalanceSettings settings, OffsetStorage offsetStorage, ConsumerNodes nodes, CuratorFramework client) {
        this.settings = settings;
        this.offsetStorage = offsetStorage;
        this.nodes = nodes;
        this.sameSession = offsetStorage instanceof ZkOffsetStorage zk && zk.writesThrough(client) ? zk : null;
    }

    /** Whether the check and the write are one ZooKeeper transaction (else: a read, then the write). */
    boolean atomic() {
        return sameSession != null;
    }

    /** Commits the positions of {@code assignments} that are still ours; the outcome of each, in order. */
    Map<PartitionAssignment, Result> commit(List<PartitionAssignment> assignments) {
        Map<PartitionAssignment, Result> results = new LinkedHashMap<>();
        if (assignments.isEmpty()) {
            return results;
        }
        beforeWrite.run();
        if (sameSession != null) {
            for (PartitionAssignment assignment : assignments) {
                results.put(assignment, commitInTransaction(assignment));
            }
        } else {
            commitAfterCheck(assignments, results);
        }
        return results;
    }

    private Result commitInTransaction(PartitionAssignment assignment) {
        TopicPartitionRegInfo info = assignment.position();
        Optional<PositionSnapshot> snapshot = PositionSnapshot.takeIfModified(info);
        if (snapshot.isEmpty()) {
            return new Result(Outcome.COMMITTED, null);
        }
        byte[] data = OffsetNodeData.encode(
                        snapshot.get().messageId(), snapshot.get().offset())
                .getBytes(StandardCharsets.UTF_8);
        try {
            boolean written = nodes.writeIfOwner(
                    ownerPath(assignment),
                    sameSession.offsetPath(settings.group(), info.getTopic(), info.getPartition()),
                    data);
            return new Result(written ? Outcome.COMMITTED : Outcome.NOT_OURS, null);
        } catch (Exception e) {
            snapshot.get().remark();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return new Result(Outcome.FAILED, e);
        }
    }

    private void commitAfterCheck(List<PartitionAssignment> assignments, Map<PartitionAssignment, Result> results) {
        List<PartitionAssignment> ours = new ArrayList<>();
        for (PartitionAssignment assignment : assignments) {
            try {
                if (nodes.isOurs(ownerPath(assignment)) != null) {
                    ours.add(assignment);
                } else {
                    results.put(assignment, new Result(Outcome.NOT_OURS, null));
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                results.put(assignment, new Result(Outcome.FAILED, e));
            }
        }
        if (ours.isEmpty()) {
            return;
        }
        Result result;
        try {
            offsetStorage.commitOffset(
                    settings.group(),
                    ours.stream().map(PartitionAssignment::position).toList());
            result = new Result(Outcome.COMMITTED, null);
        } catch (Exception e) {
            result = new Result(Outcome.FAILED, e);
        }
        for (PartitionAssignment assignment : ours) {
            results.put(assignment, result);
        }
    }

    private String ownerPath(PartitionAssignment assignment) {
        return settings.ownerPath(assignment.topic(), assignment.partition().toString());
    }
}
