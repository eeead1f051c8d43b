package io.imago.broker.zk;

/**
 * A broker could not write (or remove) its registration in ZooKeeper. The message names the
 * broker id and, where one is involved, the znode. Subclasses name the two failures a user must act
 * on: {@link ZooKeeperUnreachableException} and {@link BrokerIdConflictException}.
 */
public class ZkRegistrationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ZkRegistrationException(String message) {
        super(message);
    }

    public ZkRegistrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
