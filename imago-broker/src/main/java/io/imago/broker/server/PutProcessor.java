package io.imago.broker.server;

import io.imago.broker.config.TopicConfig;
import io.imago.broker.partition.PartitionEntry;
import io.imago.broker.trace.BrokerTrace;
import io.imago.broker.tx.TxError;
import io.imago.protocol.Names;
import io.imago.protocol.RecordDescriptor;
import io.imago.protocol.command.PutBatchCommand;
import io.imago.protocol.command.PutCommand;
import io.imago.protocol.command.Replies;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.StatusCode;
import io.imago.store.Record;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code put}: validates the request (topic name, topic accepted, publishing allowed, partition in
 * range, checksum), appends the message and answers {@code <id> <partition> <offset>} once the append
 * is acknowledged under the topic's durability (group commit: fsynced). It does not wait for the disk:
 * the append copies the body, and the writer thread that fsynced it ({@code imago-log-writer-…}, shared
 * by the partitions of a data directory) completes it, which hands the reply to the channel's event
 * loop. Nor does the first put of a partition: the partition's directory and first segment are created
 * on an opener thread of the registry, and the put (with the later puts of its connection to that
 * partition, in order) waits in {@link WaitingPuts} meanwhile, while the event loop serves its other
 * connections and requests. Thread-safe and stateless apart from a warning limiter.
 */
final class PutProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(PutProcessor.class);
    private static final long WARN_INTERVAL_MS = 10_000;

    private final BrokerContext ctx;
    private final WarnLimiter warnings;

    PutProcessor(BrokerContext ctx) {
        this.ctx = ctx;
        this.warnings = new WarnLimiter(LOG, ctx.clock(), WARN_INTERVAL_MS);
    }

    /** Handles one put and takes over its body reference. */
    @SuppressWarnings("FutureReturnValueIgnored") // void promise: a failed write reaches exceptionCaught
    void process(Channel channel, PutCommand put) {
        var traced = BrokerTrace.putBegin(); // JFR, off unless a recording enables it
        try {
            Optional<TopicConfig> accepted = ctx.registry().topicConfig(put.topic());
            boolean stat = accepted.map(TopicConfig::collectsStats).orElse(false);
            ctx.stats().put(put.topic(), stat, put.bodyLength());
            Optional<ResultCommand> refusal = refusal(channel, put, accepted);
            if (refusal.isPresent()) {
                ctx.stats().putFailed(put.topic(), stat);
                channel.writeAndFlush(refusal.get(), channel.voidPromise());
                return;
            }
            TopicConfig topic = accepted.orElseThrow();
            if (put.isTransactional()) {
                journal(channel, put, topic);
                return;
            }
            int partition = put.partition() == -1 ? ctx.registry().pickPartition(topic) : put.partition();
            append(channel, put, topic, partition);
        } finally {
            BrokerTrace.putEnd(traced, put.topic(), put.partition(), put.bodyLength());
            put.release();
        }
    }

    /** The refusal of a put that cannot be appended; empty when it can. */
    private Optional<ResultCommand> refusal(Channel channel, PutCommand put, Optional<TopicConfig> topic) {
        String uri = ctx.brokerUri();
        int opaque = put.opaque();
        if (put.isTransactional()) {
            // as MetaQ: the transaction is looked up first, then the partition -1 a transaction cannot take
            try {
                ctx.transactions().checkPut(put.txKey(), channel);
            } catch (TxError e) {
                return Optional.of(e.toReply(opaque));
            }
            if (put.partition() == -1) {
                return Optional.of(ResultCommand.of(
                        StatusCode.INTERNAL_SERVER_ERROR,
                        "Invalid partition for transaction command:" + put.partition(),
                        opaque));
            }
        }
        Optional<ResultCommand> placement = placementRefusal(put.topic(), put.partition(), true, topic, opaque);
        if (placement.isPresent()) {
            return placement;
        }
        if (put.hasChecksum() && RecordDescriptor.checksum(put.body().nioBuffer()) != put.checksum()) {
            return Optional.of(Replies.putChecksumFailure(uri, put.topic(), put.partition(), opaque));
        }
        return Optional.empty();
    }

    /**
     * A put inside a transaction: journalled, not appended; it gets its id now and answers
     * {@code <id> <partition> -1} (MetaQ's offset of a message that is not in its partition yet).
     */
    @SuppressWarnings("FutureReturnValueIgnored") // void promise: a failed write reaches exceptionCaught
    private void journal(Channel channel, PutCommand put, TopicConfig topic) {
        int checksum = put.hasChecksum() ? put.checksum() : Record.NO_CHECKSUM;
        try {
            long id = ctx.transactions()
                    .put(
                            put.txKey(),
                            channel,
                            topic.topic(),
                            put.partition(),
                            put.flag(),
                            put.body().nioBuffer(),
                            checksum);
            channel.writeAndFlush(Replies.putOk(id, put.partition(), -1, put.opaque()), channel.voidPromise());
        } catch (TxError e) {
            ctx.stats().putFailed(topic.topic(), topic.collectsStats());
            channel.writeAndFlush(e.toReply(put.opaque()), channel.voidPromise());
        }
    }

    /**
     * Where a put or a batch goes, checked alike: the topic name is valid ({@link Names}), the topic is accepted, publishing is allowed, the
     * partition exists ({@code -1}, "the broker picks", only where {@code anyPartition} allows it).
     */
    private Optional<ResultCommand> placementRefusal(
            String topicName, int partition, boolean anyPartition, Optional<TopicConfig> topic, int opaque) {
        String uri = ctx.brokerUri();
        Optional<String> badName = Names.topicProblem(topicName);
        if (badName.isPresent()) {
            return Optional.of(Replies.putInvalidTopic(uri, topicName, partition, badName.get(), opaque));
        }
        if (topic.isEmpty()) {
            return Optional.of(Replies.putTopicNotAccepted(uri, topicName, partition, opaque));
        }
        if (!topic.get().acceptsPublish()) {
            return Optional.of(Replies.putPublishNotAccepted(uri, topicName, partition, opaque));
        }
        boolean picked = anyPartition && partition == -1;
        if (!picked && (partition < 0 || partition >= topic.get().numPartitions())) {
            return Optional.of(Replies.putWrongPartition(uri, topicName, partition, opaque));
        }
        return Optional.empty();
    }

    /**
     * Appends once the partition is open: at once when it is (the common case, no allocation), else
     * after its open, on this channel's event loop, behind the puts of this channel that wait for it.
     */
    private void append(Channel channel, PutCommand put, TopicConfig topic, int partition) {
        CompletableFuture<PartitionEntry> opened = ctx.registry().getOrCreateAsync(topic, partition);
        if (!WaitingPuts.mustWait(channel, opened, topic.topic(), partition)) {
            append(channel, put, topic, partition, opened);
            return;
        }
        put.retain(); // process() releases its reference; this one goes once the put has gone on
        WaitingPuts.add(channel, topic.topic(), partition, opened, put.bodyLength(), () -> {
            try {
                append(channel, put, topic, partition, opened);
            } finally {
                put.release();
            }
        });
    }

    // replies go with the void promise (a failed write reaches exceptionCaught); the append's
    // callback is where its outcome is handled: it answers success and failure alike
    @SuppressWarnings("FutureReturnValueIgnored")
    private void append(
            Channel channel,
            PutCommand put,
            TopicConfig topic,
            int partition,
            CompletableFuture<PartitionEntry> opened) {
        PartitionEntry entry;
        try {
            entry = opened.join(); // done: the open has ended
        } catch (CompletionException | CancellationException e) {
            warnings.warn(
                    "Creating partition {}-{} failed: {}",
                    put.topic(),
                    partition,
                    WaitingPuts.cause(e).toString());
            ctx.stats().putFailed(topic.topic(), topic.collectsStats());
            channel.writeAndFlush(
                    Replies.putFailed(ctx.brokerUri(), put.topic(), partition, put.opaque()), channel.voidPromise());
            return;
        }
        if (entry.isOffline()) {
            ctx.stats().putFailed(topic.topic(), topic.collectsStats());
            channel.writeAndFlush(GetProcessor.offline(ctx.brokerUri(), entry, put.opaque()), channel.voidPromise());
            return;
        }
        long id = ctx.ids().nextId();
        int opaque = put.opaque();
        ByteBuffer payload = put.body().nioBuffer();
        InFlight inFlight = InFlight.of(channel);
        inFlight.started(channel, entry.log().queuedBytes());
        // the checksum was verified by refusal(): the log stores it instead of computing it again
        int checksum = put.hasChecksum() ? put.checksum() : Record.NO_CHECKSUM;
        entry.log().append(id, put.flag(), payload, checksum).whenComplete((offset, error) -> {
            inFlight.finished(channel, entry.log().queuedBytes());
            if (error == null) {
                entry.countAppended(1);
                BrokerTrace.writeReply(channel, Replies.putOk(id, partition, offset, opaque), partition);
            } else {
                warnings.warn("Put to {}-{} failed: {}", topic.topic(), partition, error.toString());
                ctx.stats().putFailed(topic.topic(), topic.collectsStats());
                channel.writeAndFlush(
                        entry.isOffline()
                                ? GetProcessor.offline(ctx.brokerUri(), entry, opaque)
                                : Replies.putFailed(ctx.brokerUri(), topic.topic(), partition, opaque),
                        channel.voidPromise());
            }
        });
    }

    /**
     * Handles one {@code putb} (Imago extension) and takes over its body reference: the same checks
     * as a put, for every entry, before anything is appended (one bad checksum refuses the whole
     * batch with the put's checksum-failure reply); then {@code count} consecutive ids, one
     * {@link io.imago.store.PartitionLog#appendBatch} and one reply
     * {@code <firstId> <partition> <firstOffset> <count>}. The body is released once the log has
     * copied it (appendBatch copies before returning).
     */
    @SuppressWarnings("FutureReturnValueIgnored") // void promise: a failed write reaches exceptionCaught
    void processBatch(Channel channel, PutBatchCommand batch) {
        try {
            Optional<TopicConfig> accepted = ctx.registry().topicConfig(batch.topic());
            boolean stat = accepted.map(TopicConfig::collectsStats).orElse(false);
            int count = batch.count();
            ctx.stats()
                    .putBatch(
                            batch.topic(),
                            stat,
                            count,
                            batch.bodyLength() - (long) count * PutBatchCommand.ENTRY_HEADER_BYTES);
            Optional<ResultCommand> refusal = batchRefusal(batch, accepted);
            if (refusal.isPresent()) {
                ctx.stats().putBatchFailed(batch.topic(), stat, count);
                channel.writeAndFlush(refusal.get(), channel.voidPromise());
                return;
            }
            appendBatch(channel, batch, accepted.orElseThrow());
        } finally {
            batch.release();
        }
    }

    private Optional<ResultCommand> batchRefusal(PutBatchCommand batch, Optional<TopicConfig> topic) {
        String uri = ctx.brokerUri();
        int opaque = batch.opaque();
        Optional<ResultCommand> placement = placementRefusal(batch.topic(), batch.partition(), false, topic, opaque);
        if (placement.isPresent()) {
            return placement;
        }
        boolean[] corrupt = new boolean[1];
        batch.forEachEntry((i, flag, checksum, payload) -> {
            if (!corrupt[0] && RecordDescriptor.checksum(payload) != checksum) {
                corrupt[0] = true;
            }
        });
        if (corrupt[0]) {
            return Optional.of(Replies.putChecksumFailure(uri, batch.topic(), batch.partition(), opaque));
        }
        return Optional.empty();
    }

    /** As {@link #append(Channel, PutCommand, TopicConfig, int)}, for a batch. */
    private void appendBatch(Channel channel, PutBatchCommand batch, TopicConfig topic) {
        int partition = batch.partition();
        CompletableFuture<PartitionEntry> opened = ctx.registry().getOrCreateAsync(topic, partition);
        if (!WaitingPuts.mustWait(channel, opened, topic.topic(), partition)) {
            appendBatch(channel, batch, topic, opened);
            return;
        }
        batch.retain(); // processBatch() releases its reference; this one goes once the batch has gone on
        WaitingPuts.add(channel, topic.topic(), partition, opened, batch.bodyLength(), () -> {
            try {
                appendBatch(channel, batch, topic, opened);
            } finally {
                batch.release();
            }
        });
    }

    @SuppressWarnings("FutureReturnValueIgnored") // as in append: void promise, and the callback answers both outcomes
    private void appendBatch(
            Channel channel, PutBatchCommand batch, TopicConfig topic, CompletableFuture<PartitionEntry> opened) {
        int partition = batch.partition();
        int opaque = batch.opaque();
        int count = batch.count();
        PartitionEntry entry;
        try {
            entry = opened.join(); // done: the open has ended
        } catch (CompletionException | CancellationException e) {
            warnings.warn(
                    "Creating partition {}-{} failed: {}",
                    batch.topic(),
                    partition,
                    WaitingPuts.cause(e).toString());
            ctx.stats().putBatchFailed(topic.topic(), topic.collectsStats(), count);
            channel.writeAndFlush(
                    Replies.putFailed(ctx.brokerUri(), batch.topic(), partition, opaque), channel.voidPromise());
            return;
        }
        if (entry.isOffline()) {
            ctx.stats().putBatchFailed(topic.topic(), topic.collectsStats(), count);
            channel.writeAndFlush(GetProcessor.offline(ctx.brokerUri(), entry, opaque), channel.voidPromise());
            return;
        }
        long firstId = ctx.ids().nextIds(count);
        List<Record> records = new ArrayList<>(count);
        // every entry's checksum was verified by batchRefusal(): the log stores them as given
        batch.forEachEntry(
                (i, flag, checksum, payload) -> records.add(new Record(firstId + i, flag, payload, checksum)));
        InFlight inFlight = InFlight.of(channel);
        inFlight.started(channel, entry.log().queuedBytes());
        CompletableFuture<long[]> appended;
        try {
            appended = entry.log().appendBatch(records);
        } catch (RuntimeException e) {
            appended = CompletableFuture.failedFuture(e);
        }
        appended.whenComplete((offsets, error) -> {
            inFlight.finished(channel, entry.log().queuedBytes());
            if (error == null) {
                entry.countAppended(count);
                channel.writeAndFlush(
                        Replies.putBatchOk(firstId, partition, offsets[0], count, opaque), channel.voidPromise());
            } else {
                warnings.warn(
                        "Put of a batch of {} to {}-{} failed: {}", count, topic.topic(), partition, error.toString());
                ctx.stats().putBatchFailed(topic.topic(), topic.collectsStats(), count);
                channel.writeAndFlush(
                        entry.isOffline()
                                ? GetProcessor.offline(ctx.brokerUri(), entry, opaque)
                                : Replies.putFailed(
                                        ctx.brokerUri(),
                                        topic.topic(),
                                        partition,
                                        String.valueOf(error.getMessage()),
                                        opaque),
                        channel.voidPromise());
            }
        });
    }

    /**
     * Backpressure per connection: while the partition a connection writes to has more than
     * {@link #PAUSE_QUEUED_BYTES} queued for its writer, the connection stops being read (its puts
     * wait in the kernel's socket buffer, and then in the client); reading resumes once that queue is
     * under {@link #RESUME_QUEUED_BYTES} or the connection has no put in flight. Without this, a client
     * pipelining puts faster than the disk takes them would grow the broker's heap without bound.
     */
    static final class InFlight {
        static final long PAUSE_QUEUED_BYTES = 64L << 20;
        static final long RESUME_QUEUED_BYTES = 16L << 20;
        private static final AttributeKey<InFlight> KEY = AttributeKey.valueOf("imago.putsInFlight");

        private final AtomicInteger puts = new AtomicInteger();

        static InFlight of(Channel channel) {
            InFlight f = channel.attr(KEY).get();
            if (f == null) {
                f = new InFlight();
                InFlight raced = channel.attr(KEY).setIfAbsent(f);
                if (raced != null) {
                    f = raced;
                }
            }
            return f;
        }

        void started(Channel channel, long queuedBytes) {
            puts.incrementAndGet();
            if (queuedBytes > PAUSE_QUEUED_BYTES && channel.config().isAutoRead()) {
                channel.config().setAutoRead(false);
            }
        }

        void finished(Channel channel, long queuedBytes) {
            int left = puts.decrementAndGet();
            if ((left == 0 || queuedBytes < RESUME_QUEUED_BYTES)
                    && !channel.config().isAutoRead()) {
                channel.config().setAutoRead(true);
            }
        }
    }
}
