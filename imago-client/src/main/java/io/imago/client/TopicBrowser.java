package io.imago.client;

import io.imago.Message;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.util.Iterator;
import java.util.List;

/**
 * Reads every message of a topic, partition after partition from offset 0, as MetaQ's
 * {@code TopicBrowser} (pull {@code get} with the group {@code Just_for_Browser}; no offsets are
 * stored). Not thread-safe: one iterator at a time, from one thread.
 */
public interface TopicBrowser extends Shutdownable {

    /**
     * The messages of every partition, in partition order, then offset order. {@code hasNext} and
     * {@code next} throw {@link IllegalStateException} (with the {@link MetaClientException} as
     * cause) when a broker cannot be read.
     */
    Iterator<Message> iterator();

    /** The partitions browsed, sorted. */
    List<Partition> getPartitions();

    String getTopic();

    /** Releases the browser. Idempotent. */
    @Override
    void shutdown();
}
