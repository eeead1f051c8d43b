package io.imago.broker.server;

import io.imago.broker.config.TopicConfig;
import io.imago.broker.partition.PartitionEntry;
import io.imago.protocol.Names;
import io.imago.protocol.command.GetCommand;
import io.imago.protocol.command.OffsetCommand;
import io.imago.protocol.command.Replies;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.ValueHeader;
import io.imago.store.CorruptRecordException;
import io.imago.store.LogRegion;
import io.imago.store.ReadResult;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code get} and {@code offset}, with the decision table of spec section 1.4 (and, first, Imago's 400 for a
 * topic name that breaks {@link Names}' rule): 404 for an unknown
 * partition, 400 for {@code maxSize <= 0}, 301 with the first offset below the log, 404 at the end
 * (or 301 with the end past it when {@code updateConsumerOffsets} is on or the offset is
 * {@code Long.MAX_VALUE}), otherwise {@code value <n>} followed by the bytes of one segment sent
 * with {@code sendfile}. A read of a range known to be corrupt answers 500 and logs; corrupt bytes
 * are never served. Imago's long-polling get (a {@code maxWaitMs} token) at the end of the log waits
 * for data instead of answering 404 at once. A partition the broker took offline (its log failed) answers
 * 500 naming it and the cause, never bytes. Runs on the event loop: it only reads in-memory state.
 * Thread-safe.
 */
final class GetProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(GetProcessor.class);

    private static final long WARN_INTERVAL_MS = 10_000;
    /** The longest a long-polling get is held, whatever it asks for. */
    static final int MAX_WAIT_MS = 30_000;

    private final BrokerContext ctx;
    private final WarnLimiter corruptWarnings;

    GetProcessor(BrokerContext ctx) {
        this.ctx = ctx;
        this.corruptWarnings = new WarnLimiter(LOG, ctx.clock(), WARN_INTERVAL_MS);
    }

    void get(Channel channel, GetCommand get) {
        Optional<String> badName = Names.topicProblem(get.topic());
        if (badName.isPresent()) {
            reply(channel, Replies.invalidTopic(get.topic(), badName.get(), get.opaque()));
            return;
        }
        Optional<PartitionEntry> entry = ctx.registry().find(get.topic(), get.partition());
        boolean stat = entry.isPresent() && statTopic(entry.get());
        ctx.stats().get(get.topic(), stat);
        if (entry.isEmpty()) {
            ctx.stats().getMiss(get.topic(), false);
            reply(channel, Replies.topicPartitionNotExists(get.topic(), get.partition(), get.opaque()));
            return;
        }
        if (get.maxSize() <= 0) {
            reply(channel, Replies.invalidMaxSize(get.maxSize(), get.opaque()));
            return;
        }
        read(channel, get, entry.get(), stat);
    }

    private void read(Channel channel, GetCommand get, PartitionEntry entry, boolean stat) {
        if (entry.isOffline()) {
            reply(channel, offline(ctx.brokerUri(), entry, get.opaque()));
            return;
        }
        ReadResult result;
        try {
            result = entry.log().read(get.offset(), Math.min(get.maxSize(), ctx.transferCapBytes()));
        } catch (CorruptRecordException e) {
            corruptWarnings.warn(
                    "Refused to serve corrupt data of {} to group {}: {}",
                    entry.topicPartition(),
                    get.group(),
                    e.getMessage());
            reply(
                    channel,
                    Replies.getFailed(ctx.brokerUri(), get.topic(), get.partition(), e.getMessage(), get.opaque()));
            return;
        } catch (RuntimeException e) {
            // e.g. LogClosedException while the broker shuts down: answer, as spec section 1.4 get step 8 says
            reply(
                    channel,
                    Replies.getFailed(ctx.brokerUri(), get.topic(), get.partition(), e.getMessage(), get.opaque()));
            return;
        }
        if (get.waits() && result instanceof ReadResult.OffsetAtOrAfterMax end && get.offset() == end.maxOffset()) {
            park(channel, get, entry, stat);
            return;
        }
        answer(channel, get, result, stat);
    }

    /**
     * Long poll (Imago extension): nothing at the end of the log yet, so the answer waits until an
     * append is acknowledged there or {@code maxWaitMs} passes (at most {@link #MAX_WAIT_MS}), then
     * the get is read again, once, without waiting: data, or the usual 404. Nothing is held but a
     * waiter on the log and a timer on the channel's event loop.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the callback only hands the read to the event loop
    private void park(Channel channel, GetCommand get, PartitionEntry entry, boolean stat) {
        CompletableFuture<Void> data = entry.log().awaitDataBeyond(get.offset());
        ScheduledFuture<?> timeout = channel.eventLoop()
                .schedule(() -> data.complete(null), Math.min(get.maxWaitMs(), MAX_WAIT_MS), TimeUnit.MILLISECONDS);
        GetCommand now =
                new GetCommand(get.topic(), get.group(), get.partition(), get.offset(), get.maxSize(), get.opaque());
        data.whenComplete((ignored, error) -> {
            timeout.cancel(false);
            channel.eventLoop().execute(() -> read(channel, now, entry, stat));
        });
    }

    @SuppressWarnings("FutureReturnValueIgnored") // void promise: a failed write reaches exceptionCaught
    private void answer(Channel channel, GetCommand get, ReadResult result, boolean stat) {
        if (result instanceof LogRegion region) {
            channel.write(new ValueHeader(region.length(), get.opaque()), channel.voidPromise());
            channel.writeAndFlush(new SegmentFileRegion(region), channel.voidPromise());
        } else if (result instanceof ReadResult.OffsetBelowMin below) {
            reply(channel, Replies.moved(below.minOffset(), get.opaque()));
        } else if (result instanceof ReadResult.OffsetAtOrAfterMax end) {
            boolean past = get.offset() > end.maxOffset();
            if (past && (ctx.config().updatesConsumerOffsets() || get.offset() == Long.MAX_VALUE)) {
                reply(channel, Replies.moved(end.maxOffset(), get.opaque()));
            } else {
                ctx.stats().getMiss(get.topic(), stat);
                reply(channel, Replies.noMessageAt(get.offset(), get.opaque()));
            }
        }
    }

    /** The refusal of a get or put of a partition the broker took offline. */
    static ResultCommand offline(String brokerUri, PartitionEntry entry, int opaque) {
        Throwable cause = entry.offlineCause().orElseThrow();
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return Replies.partitionOffline(
                brokerUri,
                entry.topicPartition().topic(),
                entry.topicPartition().partition(),
                cause.toString(),
                opaque);
    }

    void offset(Channel channel, OffsetCommand offset) {
        Optional<String> badName = Names.topicProblem(offset.topic());
        if (badName.isPresent()) {
            reply(channel, Replies.invalidTopic(offset.topic(), badName.get(), offset.opaque()));
            return;
        }
        Optional<PartitionEntry> entry = ctx.registry().find(offset.topic(), offset.partition());
        ctx.stats().offset(offset.topic(), entry.isPresent() && statTopic(entry.get()));
        if (entry.isEmpty()) {
            reply(channel, Replies.topicPartitionNotExists(offset.topic(), offset.partition(), offset.opaque()));
            return;
        }
        try {
            reply(channel, Replies.offsetOk(entry.get().log().nearestOffset(offset.offset()), offset.opaque()));
        } catch (RuntimeException e) {
            reply(channel, Replies.internalError(e.getMessage(), offset.opaque()));
        }
    }

    private static boolean statTopic(PartitionEntry entry) {
        return entry.topicConfig().map(TopicConfig::collectsStats).orElse(false);
    }

    @SuppressWarnings("FutureReturnValueIgnored") // void promise: a failed write reaches exceptionCaught
    private static void reply(Channel channel, Object reply) {
        channel.writeAndFlush(reply, channel.voidPromise());
    }
}
