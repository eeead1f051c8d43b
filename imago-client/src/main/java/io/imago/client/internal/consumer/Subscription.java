package io.imago.client.internal.consumer;

import io.imago.client.consumer.MessageListener;
import io.imago.consumer.ConsumerMessageFilter;
import java.util.Objects;

/**
 * One topic a consumer subscribed to: the fetch size it asked for, its listener and its optional
 * client-side filter. Immutable record.
 *
 * @param filter null when every message is delivered
 */
public record Subscription(String topic, int maxSize, MessageListener listener, ConsumerMessageFilter filter) {
    public Subscription {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(listener, "listener");
        if (maxSize <= 0) {
            throw new IllegalArgumentException("maxSize must be positive, was " + maxSize);
        }
    }

    /** Whether the group's listener should see {@code message}. */
    public boolean accepts(String group, io.imago.Message message) {
        return filter == null || filter.accept(group, message);
    }
}
