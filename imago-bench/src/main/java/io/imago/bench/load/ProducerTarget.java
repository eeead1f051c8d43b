package io.imago.bench.load;

/**
 * One system's producer, as the load runner drives it. Implementations are thread-safe: several
 * load threads send through one target.
 */
public interface ProducerTarget extends AutoCloseable {
    /**
     * Sends {@code payload} asynchronously and calls {@code done} exactly once, from any thread, when
     * it is acknowledged ({@code error == null}) or has failed. Must not block for the acknowledgement
     * (it may block for buffer space, as Kafka's producer does).
     */
    void send(byte[] payload, Completion done);

    /** Flushes what is buffered and releases connections. */
    @Override
    void close();

    /** The outcome of one send. */
    @FunctionalInterface
    interface Completion {
        void completed(Throwable error);
    }
}
