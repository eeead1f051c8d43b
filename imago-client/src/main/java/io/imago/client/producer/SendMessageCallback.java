package io.imago.client.producer;

/** Receives the outcome of an asynchronous send; called exactly once per send, on a client thread. */
public interface SendMessageCallback {
    void onMessageSent(SendResult result);

    void onException(Throwable error);
}
