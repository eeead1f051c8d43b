package io.imago.client.internal.producer;

import io.imago.client.MetaClientConfig;
import io.imago.client.internal.cluster.TopicRoutes;
import io.imago.client.internal.remoting.RemotingClient;
import io.imago.client.internal.transaction.XaBranches;
import io.imago.client.producer.PartitionSelector;
import io.imago.client.producer.XAMessageProducer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.Consumer;
import javax.transaction.xa.XAResource;

/**
 * The XA producer: a {@link SimpleMessageProducer} whose threads also have an {@link XAResource}
 * (see {@link XaBranches} for how one branch spans several brokers). The default unique qualifier
 * is {@code XAMessageProducer-<hostname>}, the host name taken from the system property
 * {@code metaq.client.xaproducer.hostname} when set, as in MetaQ. Thread-safe.
 */
public final class SimpleXAMessageProducer extends SimpleMessageProducer implements XAMessageProducer {
    /** MetaQ's system property overriding the host name of the default qualifier. */
    public static final String HOSTNAME_PROPERTY = "metaq.client.xaproducer.hostname";

    private final XaBranches branches;

    public SimpleXAMessageProducer(
            TopicRoutes routes,
            RemotingClient remoting,
            PartitionSelector selector,
            CallbackExecutor callbacks,
            Consumer<SimpleMessageProducer> onShutdown,
            MetaClientConfig config,
            String sessionId) {
        super(routes, remoting, selector, callbacks, onShutdown, config, sessionId);
        this.branches = new XaBranches(
                transactions.requests(),
                routes::brokerUrls,
                transactions::inLocalTransaction,
                transactions::timeoutSeconds,
                transactions::requestTimeoutMs,
                DEFAULT_UNIQUE_QUALIFIER_PREFIX + "-" + localHostName());
        transactions.enableXa(branches);
    }

    /** The host name of the default qualifier. */
    static String localHostName() {
        String property = System.getProperty(HOSTNAME_PROPERTY);
        if (property != null && !property.isBlank()) {
            return property;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(
                    "Cannot read this host's name for the XA producer's qualifier; set " + HOSTNAME_PROPERTY
                            + " or setUniqueQualifier",
                    e);
        }
    }

    @Override
    public XAResource getXAResource() {
        return branches.resource();
    }

    @Override
    public String getUniqueQualifier() {
        return branches.uniqueQualifier();
    }

    @Override
    public void setUniqueQualifier(String uniqueQualifier) {
        branches.setUniqueQualifier(checkQualifier(uniqueQualifier));
    }

    @Override
    public void setUniqueQualifierPrefix(String prefix) {
        branches.setUniqueQualifier(checkQualifier(prefix) + "-" + localHostName());
    }

    /** The branches of this producer (for tests). */
    XaBranches branches() {
        return branches;
    }

    /** MetaQ's rule: not blank, no CR, LF, TAB, {@code ':'} nor space (they would break the XID key). */
    static String checkQualifier(String qualifier) {
        if (qualifier == null || qualifier.isBlank()) {
            throw new IllegalArgumentException("Blank unique qualifier for an XA producer");
        }
        for (char c : new char[] {'\r', '\n', '\t', ':', ' '}) {
            if (qualifier.indexOf(c) >= 0) {
                throw new IllegalArgumentException("Invalid unique qualifier '" + qualifier
                        + "': it must not contain a newline, a tab, ':' or a space");
            }
        }
        return qualifier;
    }
}
