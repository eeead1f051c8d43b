package io.imago.client;

import java.util.concurrent.Executor;

/**
 * Receives the messages of a subscription, one at a time. A listener that throws gets the message
 * again, up to {@link ConsumerConfig#getMaxFetchRetries()} times; then the message goes to the local
 * recover store and is redelivered in the background while consumption moves on.
 */
public interface MessageListener {
    void receiveMessages(Message message) throws Exception;

    /** Where to call {@link #receiveMessages}; null = on the fetch thread. */
    Executor getExecutor();
}
