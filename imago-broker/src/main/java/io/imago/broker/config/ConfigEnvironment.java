package io.imago.broker.config;

import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * The facts of the machine that some defaults depend on: the user's home (default {@code dataPath} is
 * {@code ${user.home}/meta}), the processor count (default thread counts are 10 per processor) and the
 * host address published when {@code hostName} is unset. Passed in so tests are deterministic.
 * Immutable; the host supplier is called at most once per load, only when {@code hostName} is unset.
 *
 * @param userHome the directory that a relative default data path lives under
 * @param availableProcessors the processor count, at least 1
 * @param localHostAddress supplies the address to publish when {@code hostName} is unset
 */
public record ConfigEnvironment(Path userHome, int availableProcessors, Supplier<String> localHostAddress) {

    /** The running JVM's environment. */
    public static ConfigEnvironment system() {
        return new ConfigEnvironment(
                Path.of(System.getProperty("user.home")),
                Runtime.getRuntime().availableProcessors(),
                ConfigEnvironment::firstNonLoopbackIpv4);
    }

    /**
     * MetaQ's rule for an unset {@code hostName}: the first IPv4 address of an interface that is up and
     * not loopback (interfaces in index order, link-local addresses skipped); {@code 127.0.0.1} when the
     * machine has none.
     */
    public static String firstNonLoopbackIpv4() {
        try {
            List<NetworkInterface> interfaces = NetworkInterface.networkInterfaces()
                    .sorted(Comparator.comparingInt(NetworkInterface::getIndex))
                    .toList();
            for (NetworkInterface nic : interfaces) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : nic.inetAddresses().toList()) {
                    if (address instanceof Inet4Address
                            && !address.isLoopbackAddress()
                            && !address.isLinkLocalAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
            return "127.0.0.1";
        } catch (SocketException e) {
            throw new UncheckedIOException("Cannot list network interfaces to choose a default hostName", e);
        }
    }
}
