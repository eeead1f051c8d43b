package io.imago.bench.load;

/** Creates producers and consumers of one system (Imago, Kafka) for a load run. */
public interface Targets {
    /** A producer for {@code options.topic}. */
    ProducerTarget producer(LoadOptions options) throws Exception;

    /** A consumer of {@code options.topic} in consumer group {@code group}, from the earliest offset. */
    ConsumerTarget consumer(LoadOptions options, String group) throws Exception;

    /**
     * A producer that sends in transactions ({@code bench transactions}), safe to use from several
     * threads at once.
     *
     * @throws UnsupportedOperationException when the system's load tool has no transactions
     */
    default TransactionalProducer transactionalProducer(LoadOptions options) throws Exception {
        throw new UnsupportedOperationException("no transactions for " + options.target);
    }

    /** Creates the topic with {@code options.partitions} partitions where the system needs it; may do nothing. */
    default void createTopic(LoadOptions options) throws Exception {}
}
