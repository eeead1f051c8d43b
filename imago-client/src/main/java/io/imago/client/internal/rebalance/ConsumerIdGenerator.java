package io.imago.client.internal.rebalance;

import io.imago.client.consumer.ConsumerConfig;
import io.imago.protocol.zk.ZnodeDescriptor;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Clock;
import java.util.Collections;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the consumer ids MetaQ 1.4.6.2 registers: {@code <group>_<consumerIdOrUUID>}, where the
 * UUID is {@code <localIp>-<pid>-<millis>-<counter>} (e.g. {@code grp1_192.0.2.2-13181-1795639330297-1})
 * and is used only when {@link ConsumerConfig#getConsumerId()} is not set. The counter is shared by
 * the whole process, so two consumers created in the same millisecond still differ. Thread-safe.
 */
public final class ConsumerIdGenerator {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String localIp;
    private final long pid;
    private final Clock clock;

    /**
     * @param localIp the address written in UUIDs (see {@link #localIp()} for the original's rule)
     * @param pid the process id written in UUIDs
     * @param clock the source of the milliseconds written in UUIDs
     */
    public ConsumerIdGenerator(String localIp, long pid, Clock clock) {
        this.localIp = Objects.requireNonNull(localIp, "localIp");
        this.pid = pid;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A generator with this machine's address ({@link #localIp()}), this process's id and the system clock. */
    public static ConsumerIdGenerator forThisProcess() {
        return new ConsumerIdGenerator(localIp(), ProcessHandle.current().pid(), Clock.systemUTC());
    }

    /** The consumer id of {@code config}: its configured id, or a new UUID, after the group and {@code _}. */
    public String consumerId(ConsumerConfig config) {
        String configured = config.getConsumerId();
        String idOrUuid = configured != null && !configured.isEmpty() ? configured : nextUuid();
        return ZnodeDescriptor.consumerId(config.getGroup(), idOrUuid);
    }

    /** {@code <localIp>-<pid>-<millis>-<counter>}. */
    public String nextUuid() {
        return localIp + "-" + pid + "-" + clock.millis() + "-" + COUNTER.incrementAndGet();
    }

    /**
     * The address MetaQ puts in consumer UUIDs: the first non-loopback IPv4 address of an interface
     * that is up, else the first such IPv6 address, else the loopback address. Contacts nothing.
     */
    public static String localIp() {
        InetAddress ipv6 = null;
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address.isLoopbackAddress() || address.isLinkLocalAddress()) {
                        continue;
                    }
                    if (address instanceof Inet4Address) {
                        return address.getHostAddress();
                    }
                    if (ipv6 == null && address instanceof Inet6Address) {
                        ipv6 = address;
                    }
                }
            }
        } catch (SocketException e) {
            // No interface list: fall back to the loopback address, as the original does.
            return InetAddress.getLoopbackAddress().getHostAddress();
        }
        return (ipv6 != null ? ipv6 : InetAddress.getLoopbackAddress()).getHostAddress();
    }
}
