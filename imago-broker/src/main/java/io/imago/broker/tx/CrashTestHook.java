package io.imago.broker.tx;

import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A crash point for the process tests of imago-it, off unless the broker JVM is started with
 * {@code -Dimago.test.haltAfterCommitRecord=<topic>}: then the broker halts (exit code 137, no shutdown
 * hooks, like {@code kill -9}) once the commit record of a transaction with a message in that topic is
 * durable and before any of its appends, so that a test can restart it and check that the transaction
 * is completed exactly once. Only a COMMIT request reaches it, never the start-up completion of a
 * committing transaction.
 *
 * <p>Thread-safe: the property is read once.
 */
final class CrashTestHook {
    static final String HALT_AFTER_COMMIT_RECORD = "imago.test.haltAfterCommitRecord";
    private static final Logger LOG = LoggerFactory.getLogger(CrashTestHook.class);
    private static final String HALT_TOPIC = System.getProperty(HALT_AFTER_COMMIT_RECORD);

    private CrashTestHook() {}

    /** Called after the commit record of transaction {@code key}, before its appends to {@code topics}. */
    static void afterCommitRecord(String key, Collection<String> topics) {
        if (HALT_TOPIC != null && topics.contains(HALT_TOPIC)) {
            LOG.warn("test hook {}: halting after the commit record of {}", HALT_AFTER_COMMIT_RECORD, key);
            Runtime.getRuntime().halt(137);
        }
    }
}
