package io.imago.client.consumer;

import io.imago.Message;
import java.util.concurrent.Executor;

/**
 * Receives the messages of a subscription, one at a time. A listener that throws gets the message
 * again, up to {@link ConsumerConfig#getMaxFetchRetries()} times; then the message goes to the local
 * recover store and is redelivered in the background while consumption moves on.
 *
 * <p>The consumer calls {@link #recieveMessages}, spelled as in MetaQ so that a MetaQ listener ports by
 * replacing the package name. A listener implements either that method or the correctly spelled
 * {@link #receiveMessages}; each default hands over to the other's implementation, and a listener that
 * implements neither fails on its first message with an error saying so.
 */
public interface MessageListener {
    /**
     * Handles one message (MetaQ's spelling and signature, the one the consumer calls). By default hands
     * the message to {@link #receiveMessages} and lets whatever it throws through unchanged, checked
     * exceptions included, so the consumer's retries see the listener's own failure.
     */
    default void recieveMessages(Message message) throws InterruptedException {
        try {
            receiveMessages(message);
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw MessageListener.<RuntimeException>unchecked(e);
        }
    }

    /**
     * Handles one message: implement this or {@link #recieveMessages}. The consumer only calls it through
     * {@code recieveMessages}'s default.
     */
    default void receiveMessages(Message message) throws Exception {
        throw new UnsupportedOperationException(getClass().getName()
                + " implements neither recieveMessages(Message) (MetaQ's spelling) nor receiveMessages(Message)");
    }

    /** Where to call the listener; null = on the fetch thread. */
    Executor getExecutor();

    /** Throws {@code failure} as it is, without the compiler asking to declare it. */
    @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"}) // T exists only to be inferred unchecked
    private static <T extends Exception> T unchecked(Exception failure) throws T {
        throw (T) failure;
    }
}
