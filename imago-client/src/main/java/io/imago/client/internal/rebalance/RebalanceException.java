package io.imago.client.internal.rebalance;

/**
 * A consumer could not join or rebalance its group: ZooKeeper refused or did not answer the
 * registration, or every attempt of a rebalance round failed (an owner conflict that did not clear
 * within the retries, or ZooKeeper errors). The coordinator keeps watching after a failed round.
 */
public final class RebalanceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RebalanceException(String message, Throwable cause) {
        super(message, cause);
    }
}
