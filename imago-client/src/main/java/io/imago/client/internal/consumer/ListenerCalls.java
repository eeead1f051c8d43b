package io.imago.client.internal.consumer;

import io.imago.Message;
import io.imago.client.consumer.MessageListener;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;

/**
 * Calls a {@link MessageListener} for one message, on the calling thread or on the listener's
 * executor (then waiting for the call to end, so that a partition's messages are handled one at a
 * time and in order). A thrown exception, or a message marked rollback-only, is a failed delivery.
 * Stateless; thread-safe.
 */
final class ListenerCalls {
    private ListenerCalls() {}

    /** Delivers {@code message}; returns the failure, or null on success. */
    static Throwable deliver(MessageListener listener, Message message) throws InterruptedException {
        Executor executor = listener.getExecutor();
        Throwable failure;
        if (executor == null) {
            failure = call(listener, message);
        } else {
            FutureTask<Throwable> task = new FutureTask<>(() -> call(listener, message));
            executor.execute(task);
            try {
                failure = task.get();
            } catch (ExecutionException e) {
                failure = e.getCause();
            }
        }
        if (failure == null && message.isRollbackOnly()) {
            failure = new RollbackOnlyException(message);
        }
        return failure;
    }

    /**
     * Refuses a listener that implements neither spelling of the receive method (each default hands over
     * to the other, so such a listener could only fail on every message).
     */
    static void checkImplemented(MessageListener listener) {
        if (declaredByInterface(listener, "recieveMessages") && declaredByInterface(listener, "receiveMessages")) {
            throw new IllegalArgumentException("listener " + listener.getClass().getName()
                    + " implements neither recieveMessages(Message) (MetaQ's spelling) nor receiveMessages(Message)");
        }
    }

    private static boolean declaredByInterface(MessageListener listener, String method) {
        try {
            return listener.getClass().getMethod(method, Message.class).getDeclaringClass() == MessageListener.class;
        } catch (NoSuchMethodException e) {
            throw new AssertionError("MessageListener declares " + method, e);
        }
    }

    /**
     * The listener's failure, or null. Every {@code Throwable} counts as a failure, JVM errors too: an
     * AssertionError, a NoClassDefFoundError or a StackOverflowError in user code goes through the
     * back-off, the retries and the recover store like an exception. (Rethrowing a
     * VirtualMachineError only requeued the message at once, to fail again in a loop that never
     * reached the recover store; the fetch thread has nothing better to do with it.)
     */
    private static Throwable call(MessageListener listener, Message message) {
        try {
            listener.recieveMessages(message);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** The listener asked for the message to be delivered again. */
    static final class RollbackOnlyException extends Exception {
        private static final long serialVersionUID = 1L;

        RollbackOnlyException(Message message) {
            super("message " + message.getId() + " was marked rollback-only");
        }
    }
}
