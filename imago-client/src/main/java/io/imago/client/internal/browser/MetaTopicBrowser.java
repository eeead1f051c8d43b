package io.imago.client.internal.browser;

import io.imago.Message;
import io.imago.client.TopicBrowser;
import io.imago.client.internal.cluster.TopicBrokers;
import io.imago.client.internal.remoting.OpaqueGenerator;
import io.imago.client.internal.remoting.RemotingClient;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import io.imago.protocol.command.GetCommand;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.StatusCode;
import io.imago.protocol.command.ValueCommand;
import io.imago.protocol.message.InvalidMessageException;
import io.imago.protocol.message.MessageSetIterator;
import io.imago.protocol.message.StoredMessage;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Browses a topic with pull {@code get}s (group {@value #GROUP}): each partition from offset 0 until
 * the broker has no more (404 or 403), following 301s to the offset they name and doubling the fetch
 * size (up to {@code maxFetchBytes}) when one message does not fit. Not thread-safe.
 */
public final class MetaTopicBrowser implements TopicBrowser {
    /** The group of the browser's fetches, as MetaQ's. */
    public static final String GROUP = "Just_for_Browser";

    private final TopicBrokers brokers;
    private final RemotingClient remoting;
    private final int maxSize;
    private final int maxFetchBytes;
    private final long timeoutMs;
    private volatile boolean shutdown;

    public MetaTopicBrowser(
            TopicBrokers brokers, RemotingClient remoting, int maxSize, int maxFetchBytes, long timeoutMs) {
        if (maxSize <= 0) {
            throw new IllegalArgumentException("maxSize must be positive, was " + maxSize);
        }
        this.brokers = brokers;
        this.remoting = remoting;
        this.maxSize = maxSize;
        this.maxFetchBytes = Math.max(maxSize, maxFetchBytes);
        this.timeoutMs = timeoutMs;
    }

    @Override
    public Iterator<Message> iterator() {
        return new Walk();
    }

    @Override
    public List<Partition> getPartitions() {
        return brokers.partitions();
    }

    @Override
    public String getTopic() {
        return brokers.topic();
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    /** The walk over all partitions: the messages of the last fetch wait in a queue. */
    private final class Walk implements Iterator<Message> {
        private final ArrayDeque<Message> fetched = new ArrayDeque<>();
        private int partitionIndex;
        private long offset;
        private int fetchSize = maxSize;

        @Override
        public boolean hasNext() {
            while (fetched.isEmpty() && partitionIndex < brokers.partitions().size()) {
                if (shutdown) {
                    throw new IllegalStateException("The topic browser of " + getTopic() + " has been shut down");
                }
                try {
                    fetch(brokers.partitions().get(partitionIndex));
                } catch (MetaClientException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
            return !fetched.isEmpty();
        }

        @Override
        public Message next() {
            if (!hasNext()) {
                throw new NoSuchElementException("no more messages in topic " + getTopic());
            }
            return fetched.poll();
        }

        private void nextPartition() {
            partitionIndex++;
            offset = 0;
            fetchSize = maxSize;
        }

        private void fetch(Partition partition) throws MetaClientException {
            String url = brokers.url(partition)
                    .orElseThrow(() -> new MetaClientException(
                            "No broker known for " + "partition " + partition + " of topic " + getTopic()));
            GetCommand get = new GetCommand(
                    getTopic(), GROUP, partition.getPartition(), offset, fetchSize, OpaqueGenerator.next());
            ResponseCommand reply = await(remoting.invoke(url, get, timeoutMs), partition);
            try {
                if (reply instanceof ValueCommand value) {
                    read(value, partition);
                } else {
                    answered((ResultCommand) reply, partition);
                }
            } finally {
                reply.release();
            }
        }

        private ResponseCommand await(CompletableFuture<ResponseCommand> f, Partition partition)
                throws MetaClientException {
            try {
                return RemotingClient.await(f, timeoutMs + 1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MetaClientException("Interrupted while browsing partition " + partition, e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof MetaClientException m
                        ? m
                        : new MetaClientException("Fetch from partition " + partition + " failed", e.getCause());
            } catch (TimeoutException e) {
                throw new MetaClientException("Fetch from partition " + partition + " timed out", e);
            }
        }

        private void read(ValueCommand value, Partition partition) throws MetaClientException {
            MessageSetIterator it = new MessageSetIterator(
                    value.body(), offset, Math.max(fetchSize, MessageSetIterator.DEFAULT_MAX_PAYLOAD_BYTES));
            try {
                while (it.hasNext()) {
                    fetched.add(toMessage(it.next(), partition));
                }
            } catch (InvalidMessageException e) {
                throw new MetaClientException(
                        "Corrupt message in partition " + partition + " of topic " + getTopic() + ": " + e.getMessage(),
                        e);
            }
            if (it.consumedBytes() > 0) {
                offset = it.nextOffset();
            } else if (value.body().readableBytes() >= fetchSize && fetchSize < maxFetchBytes) {
                fetchSize = (int) Math.min((long) fetchSize * 2, maxFetchBytes); // one message bigger than the fetch
            } else {
                nextPartition(); // an incomplete tail and nothing else: the end for now
            }
        }

        private void answered(ResultCommand result, Partition partition) throws MetaClientException {
            int code = result.code();
            if (code == StatusCode.MOVED.code()) {
                long moved = Long.parseLong(result.text().trim());
                if (moved == offset) {
                    nextPartition();
                } else {
                    offset = moved;
                }
            } else if (code == StatusCode.NOT_FOUND.code() || code == StatusCode.FORBIDDEN.code()) {
                nextPartition();
            } else {
                throw new MetaClientException("Browsing partition " + partition + " of topic " + getTopic()
                        + " failed: " + code + " " + result.text());
            }
        }

        private Message toMessage(StoredMessage stored, Partition partition) {
            Message m = new Message(
                    getTopic(),
                    stored.payload().data(),
                    stored.payload().attribute().orElse(null));
            m.setId(stored.id());
            m.setPartition(partition);
            m.setOffset(stored.offset());
            return m;
        }
    }
}
