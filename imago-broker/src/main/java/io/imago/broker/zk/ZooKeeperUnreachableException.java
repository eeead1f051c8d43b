package io.imago.broker.zk;

/** No ZooKeeper server answered within {@code zk.zkConnectionTimeoutMs}; the message names the connect string. */
public final class ZooKeeperUnreachableException extends ZkRegistrationException {
    private static final long serialVersionUID = 1L;

    public ZooKeeperUnreachableException(String message) {
        super(message);
    }
}
