package io.imago.client.producer;

import io.imago.exception.MetaClientException;
import javax.transaction.xa.XAResource;

/**
 * A producer whose sends can take part in a distributed (XA) transaction, as MetaQ's
 * {@code XAMessageProducer}: enlist {@link #getXAResource()} with the transaction manager, send, and
 * let the manager prepare and commit or roll back. Unlike MetaQ, one transaction may send to
 * partitions of several brokers: the resource prepares, commits and recovers all of them (see
 * docs/transactions.md). Thread-safe.
 */
public interface XAMessageProducer extends MessageProducer {

    /** The prefix of the default unique qualifier, {@code XAMessageProducer-<hostname>}. */
    String DEFAULT_UNIQUE_QUALIFIER_PREFIX = "XAMessageProducer";

    /**
     * The calling thread's resource of this producer: sends of this thread between the resource's
     * {@code start} and {@code end} belong to that branch. {@code isSameRM} holds between resources
     * of the same producer; {@code recover} lists the prepared branches of this producer's unique
     * qualifier on every broker it knows.
     *
     * @throws MetaClientException never in practice (MetaQ's signature)
     */
    XAResource getXAResource() throws MetaClientException;

    /** The qualifier written in every XID key of this producer; default {@code XAMessageProducer-<hostname>}. */
    String getUniqueQualifier();

    /**
     * Sets the qualifier. It must be unique among the producers of a cluster and stay the same across
     * restarts, or recovery cannot find the producer's prepared branches.
     *
     * @throws IllegalArgumentException blank, or holding CR, LF, TAB, {@code ':'} or a space
     */
    void setUniqueQualifier(String uniqueQualifier);

    /** Sets the qualifier to {@code <prefix>-<hostname>}; the prefix is checked as a qualifier. */
    void setUniqueQualifierPrefix(String prefix);
}
