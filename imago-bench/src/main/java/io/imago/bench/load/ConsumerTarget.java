package io.imago.bench.load;

/**
 * One system's consumer, as the load runner drives it: reads the topic from its earliest offset and
 * hands every record's payload to a sink.
 */
public interface ConsumerTarget extends AutoCloseable {
    /** Starts consuming from the earliest offset of every partition; {@code sink} may be called from any thread. */
    void start(RecordSink sink) throws Exception;

    /** Stops consuming and releases connections. */
    @Override
    void close();

    /** Receives each consumed record. */
    @FunctionalInterface
    interface RecordSink {
        void accept(byte[] payload);
    }
}
