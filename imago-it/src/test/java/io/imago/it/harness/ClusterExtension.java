package io.imago.it.harness;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * JUnit 5 extension that gives a test class one {@link BrokerCluster} for all its tests: started
 * before the class's {@code @BeforeAll} methods, closed after the class (every broker process
 * stopped, even when tests failed). A failing test gets the tail of every broker's log attached as
 * a suppressed exception, so the report shows what the broker said.
 *
 * <p>Use as {@code @RegisterExtension static final ClusterExtension CLUSTER = new ClusterExtension();}.
 * Not thread-safe (JUnit runs a class's callbacks on one thread).
 */
public final class ClusterExtension implements BeforeAllCallback, AfterAllCallback, TestExecutionExceptionHandler {
    private BrokerCluster cluster;

    public BrokerCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException(
                    "the cluster starts in beforeAll; register the extension on a static field");
        }
        return cluster;
    }

    public Target target() {
        return cluster().target();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster = new BrokerCluster(context.getRequiredTestClass().getSimpleName(), Target.current()).start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        if (cluster != null) {
            for (BrokerProcess broker : cluster.brokers()) {
                throwable.addSuppressed(new BrokerLogTail(broker));
            }
        }
        throw throwable;
    }

    /** Carries a broker's recent output into a test failure report. */
    static final class BrokerLogTail extends Exception {
        BrokerLogTail(BrokerProcess broker) {
            super(
                    "log of broker " + broker.brokerId() + " (" + broker.logFile() + "), last lines:\n"
                            + broker.logTail(30),
                    null,
                    false,
                    false);
        }
    }
}
