package io.imago.broker.zk;

/**
 * Another live broker holds this broker's id at a different address, and its session did not end
 * within {@code zk.zkSessionTimeoutMs}. The message names the id and the other broker's address.
 */
public final class BrokerIdConflictException extends ZkRegistrationException {
    private static final long serialVersionUID = 1L;

    public BrokerIdConflictException(String message) {
        super(message);
    }
}
