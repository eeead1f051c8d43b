package io.imago.client.internal.rebalance;

import java.util.List;
import java.util.Optional;

/**
 * What the {@link GroupCoordinator} tells the consumer's fetch loop: which partitions it owns. The
 * fetch loop implements it.
 *
 * <p><b>Threading.</b> Every method is called on the coordinator's one thread (or, in
 * {@link GroupCoordinator#close()}, on the closing thread after that thread has ended), never two at
 * once and in the order of the events. Implementations must not block on the coordinator (for
 * example call {@link GroupCoordinator#close()}) from inside these methods.
 *
 * <p><b>Ordering guarantees the coordinator gives.</b> A partition is passed to {@link #assigned}
 * only after its owner node was created by this consumer and its offset was loaded; it is passed to
 * {@link #revoke} before its offset is committed and before its owner node is deleted. So between
 * {@code assigned} and {@code revoke}, and only then, this consumer is the group's one owner of it.
 * A partition is never assigned twice without a revoke in between.
 */
public interface FetchControl {

    /**
     * Starts fetching newly owned partitions, each from {@code position().getOffset()}
     * ({@code Long.MAX_VALUE} means "from the end": the broker answers 301 with its max offset). As
     * messages are consumed the fetch loop calls {@code position().advance(...)}; the coordinator
     * commits these positions every {@code commitOffsetPeriodInMills}, before releasing a partition and
     * at close. With transactional consumption the fetch loop must advance a position only on ack.
     *
     * @param partitions the new partitions, possibly of several topics; never empty
     */
    void assigned(List<PartitionAssignment> partitions);

    /**
     * Stops fetching partitions this consumer is about to give up. Must return only when no fetch or
     * listener call of them is in flight and their positions will not change any more: the
     * coordinator commits them right after (except after a lost session, see below) and then deletes
     * the owner nodes, after which another consumer may start from the committed position. The one
     * exception is a listener call that has run past the consumer's bound ({@code
     * maxListenerTimeInMills}, or the shutdown timeout once closing began): it is abandoned, logged,
     * and revoke returns without it (its message is delivered again by the next owner).
     *
     * <p>After a lost ZooKeeper session every partition is revoked at once and nothing is committed
     * (another consumer may already own them and have committed further; as in MetaQ, the
     * messages consumed since the last commit may be delivered again).
     *
     * @param partitions instances earlier passed to {@link #assigned}; never empty
     */
    void revoke(List<PartitionAssignment> partitions);

    /**
     * The broker registrations of a topic under {@code topics-sub} changed (a master went and its
     * slave serves the partitions, or the reverse) while this consumer's partitions did not: the fetch
     * loop should pick again, for each owned partition of the topic, the broker to fetch from (the
     * master if registered, else a slave). Called after a rebalance round that changed nothing else.
     *
     * @param topic the topic whose registrations changed
     */
    void brokersChanged(String topic);

    /**
     * Stops fetching and delivering every partition until {@link #resume()}: no {@code get} is sent and
     * no further message reaches a listener (a listener call in progress ends as it will; the rest of its
     * answer is dropped and fetched again). The partitions stay assigned and their positions stay where
     * the last delivered message left them. Called when the coordinator cannot be sure that it still
     * owns them (its ZooKeeper connection is suspended). Unlike the other methods it may be called on
     * Curator's event thread, at any time; it must not block.
     */
    void pause();

    /** Fetches and delivers again after {@link #pause()}; a no-op when not paused. */
    void resume();

    /**
     * A listener (or filter) call that has been running for longer than {@code boundMs}, described for
     * the log (partition, message, listener, thread and where it is), or empty if none has.
     *
     * @param boundMs the longest a listener call may take
     */
    Optional<String> hungListener(long boundMs);
}
