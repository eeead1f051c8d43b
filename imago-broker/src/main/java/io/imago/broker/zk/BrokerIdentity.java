package io.imago.broker.zk;

import io.imago.protocol.zk.BrokerUrl;
import java.util.Objects;

/**
 * Who a broker is in ZooKeeper: its id and the address clients connect to. The address is
 * published as a {@link BrokerUrl} (spec section 4.1); {@code host} is MetaQ's {@code hostName} and
 * {@code port} its {@code serverPort}.
 *
 * <p>Only the master role exists for now. Slaves (a later issue) will add a slave id here, which
 * changes the role node ({@code slave<N>} instead of {@code master}) and the registration name
 * ({@code <id>-s<N>} instead of {@code <id>-m}); both are derived in {@link BrokerZnodeDescriptor}
 * and nowhere else in the broker. Immutable and thread-safe.
 *
 * @param brokerId MetaQ's {@code brokerId}, at least 0 (clients parse it with {@code Integer.parseInt})
 * @param host the host name or address published to clients
 * @param port the broker's TCP port
 */
public record BrokerIdentity(int brokerId, String host, int port) {

    public BrokerIdentity {
        if (brokerId < 0) {
            throw new IllegalArgumentException("brokerId must be >= 0, was " + brokerId);
        }
        Objects.requireNonNull(host, "host");
        if (host.isBlank() || host.contains("/")) {
            throw new IllegalArgumentException("host must be a host name or address, was '" + host + "'");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be in 1..65535, was " + port);
        }
    }

    /** The broker's address as MetaQ publishes it: {@code meta://host:port}, {@code host} as given. */
    public String uri() {
        return BrokerUrl.format(host, port);
    }
}
