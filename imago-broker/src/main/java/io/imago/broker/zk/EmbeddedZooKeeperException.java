package io.imago.broker.zk;

/** The embedded ZooKeeper server could not start: its port is taken, or its data directory is unusable. */
public final class EmbeddedZooKeeperException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EmbeddedZooKeeperException(String message, Throwable cause) {
        super(message, cause);
    }
}
