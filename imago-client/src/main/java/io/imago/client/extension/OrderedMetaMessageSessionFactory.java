package io.imago.client.extension;

import io.imago.client.MetaClientConfig;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.extension.producer.OrderedMessagePartitionSelector;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.PartitionSelector;
import io.imago.client.producer.RoundRobinPartitionSelector;
import io.imago.client.producer.SendResult;
import io.imago.exception.MetaClientException;
import java.nio.file.Path;

/**
 * A session factory whose producers are ordered (MetaQ's {@code OrderedMetaMessageSessionFactory},
 * spec section 6.3): the selector (an {@link OrderedMessagePartitionSelector}, typically by a key of
 * the message) chooses among every partition configured in
 * {@link MetaClientConfig#setPartitionsInfo} ({@code topic.num.<topic>=<brokerId>:<count>;...}),
 * available or not; the messages of one partition reach it in the order they were sent, and while it
 * is unavailable they wait on disk ({@code <localMessageDir>/<topic>@<brokerId>-<p>.recover}; by
 * default {@code ~/.meta_localmessage}, system property {@code meta.localmessage.path}) and go out
 * first, in order, when it returns. A kept message's {@link SendResult} is successful with offset -1.
 * When the broker refuses the oldest kept message of a partition with anything but 403, sends to that
 * partition throw {@link io.imago.exception.MessageNotSentException} naming the refusal (logged once)
 * until it takes it. Without partitionsInfo for a topic, the partitions published since the first
 * send stay choices when their broker leaves, so keys do not move (their messages wait on disk).
 * Consumers and browsers are those of {@link MetaMessageSessionFactory}. Thread-safe.
 */
public class OrderedMetaMessageSessionFactory extends MetaMessageSessionFactory
        implements OrderedMessageSessionFactory {
    /** How often the kept messages are tried again in the background. */
    public static final long RESEND_INTERVAL_MS = 1_000;

    private final Path localMessageDir;

    public OrderedMetaMessageSessionFactory(MetaClientConfig config) throws MetaClientException {
        this(
                config,
                Path.of(System.getProperty(
                        "meta.localmessage.path",
                        Path.of(System.getProperty("user.home"), ".meta_localmessage")
                                .toString())));
    }

    public OrderedMetaMessageSessionFactory(MetaClientConfig config, Path localMessageDir) throws MetaClientException {
        super(config);
        this.localMessageDir = localMessageDir;
    }

    /** An ordered producer with the round-robin selector (order holds per partition, not per key). */
    @Override
    public MessageProducer createProducer() {
        return createProducer(new RoundRobinPartitionSelector());
    }

    /** An ordered producer; a selector that is not an {@link OrderedMessagePartitionSelector} is used as is. */
    @Override
    public MessageProducer createProducer(PartitionSelector partitionSelector) {
        try {
            return createOrderedProducer(partitionSelector, localMessageDir, RESEND_INTERVAL_MS);
        } catch (MetaClientException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
