package io.imago.client.internal.consumer;

import io.imago.client.internal.remoting.OpaqueGenerator;
import io.imago.client.internal.remoting.RemotingClient;
import io.imago.exception.MetaClientException;
import io.imago.protocol.command.OffsetCommand;
import io.imago.protocol.command.RequestCommand;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.StatusCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The fetch loop's synchronous questions to a partition's broker: the nearest valid offset at or below a
 * fetch offset ({@code offset}, after a corrupt record), the end of the partition ({@code offset} at
 * {@code Long.MAX_VALUE}, which every broker answers with its max offset), and the reading of an offset
 * in a reply.
 * Stateless but for what it is given; thread-safe.
 */
final class OffsetQueries implements PastEndPositions.EndLookup {
    /** How much longer than the request's own timeout the caller waits for its future. */
    static final long AWAIT_SLACK_MS = 1_000;

    private final FetchSettings settings;
    private final RemotingClient remoting;
    private final BrokerLocator locator;

    OffsetQueries(FetchSettings settings, RemotingClient remoting, BrokerLocator locator) {
        this.settings = settings;
        this.remoting = remoting;
        this.locator = locator;
    }

    /** The nearest valid offset at or below the task's fetch offset (a segment start), from the broker. */
    long nearestValidOffset(FetchTask task) throws MetaClientException, InterruptedException {
        OffsetCommand command = new OffsetCommand(
                task.topic(),
                settings.group(),
                task.partition().getPartition(),
                task.fetchOffset,
                OpaqueGenerator.next());
        ResponseCommand reply = call(task, command);
        try {
            if (!(reply instanceof ResultCommand result) || !result.isSuccess()) {
                throw new MetaClientException("offset of " + task + " refused: " + reply);
            }
            return parseOffset(result, task);
        } finally {
            reply.release();
        }
    }

    /**
     * The partition's end on its broker: {@code offset} at {@code Long.MAX_VALUE} answers the max offset
     * (spec section 1.4); 0 when the broker answers 404, holding no such partition (an empty log: an
     * Imago broker creates a partition's log on its first put).
     */
    @Override
    public long maxOffset(FetchTask task) throws MetaClientException, InterruptedException {
        OffsetCommand command = new OffsetCommand(
                task.topic(),
                settings.group(),
                task.partition().getPartition(),
                Long.MAX_VALUE,
                OpaqueGenerator.next());
        ResponseCommand reply = call(task, command);
        try {
            if (reply instanceof ResultCommand result && result.code() == StatusCode.NOT_FOUND.code()) {
                return 0;
            }
            if (!(reply instanceof ResultCommand result) || !result.isSuccess()) {
                throw new MetaClientException("offset of " + task + " refused: " + reply);
            }
            return parseOffset(result, task);
        } finally {
            reply.release();
        }
    }

    /**
     * Whether the task's broker's max offset is its acknowledged end, what a get can read (an Imago
     * broker, known by its {@code longpoll} announcement); the original broker's is the flushed end, which
     * a consumer reading unflushed data is often past.
     */
    @Override
    public boolean knowsExactEnd(FetchTask task) throws MetaClientException {
        return remoting.supportsLongPoll(locator.url(task.partition().getBrokerId()));
    }

    private ResponseCommand call(FetchTask task, RequestCommand command)
            throws MetaClientException, InterruptedException {
        String url = locator.url(task.partition().getBrokerId());
        CompletableFuture<ResponseCommand> f = remoting.invoke(url, command, settings.fetchTimeoutMs());
        try {
            return RemotingClient.await(f, settings.fetchTimeoutMs() + AWAIT_SLACK_MS);
        } catch (ExecutionException e) {
            throw new MetaClientException(command + " to " + url + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new MetaClientException(command + " to " + url + " timed out", e);
        }
    }

    static long parseOffset(ResultCommand result, FetchTask task) throws MetaClientException {
        try {
            return Long.parseLong(result.text().trim());
        } catch (NumberFormatException e) {
            throw new MetaClientException("broker answered " + task + " with an invalid offset: " + result.text(), e);
        }
    }
}
