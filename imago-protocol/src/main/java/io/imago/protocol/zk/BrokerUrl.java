package io.imago.protocol.zk;

/**
 * A broker address as brokers publish it in ZooKeeper ({@link ZnodeDescriptor}: the {@code ids/<id>}
 * and {@code ids/<id>/master} nodes) and clients name brokers: {@code meta://host:port}. The original
 * broker writes its host as configured, so an IPv6 address may come bracketed ({@code meta://[::1]:8123})
 * or not ({@code meta://::1:8123}); parsing takes the port after the last {@code :}, drops the brackets
 * and ignores a query ({@code ?slaveId=1}, which the original client appends for slaves). Immutable
 * and thread-safe.
 *
 * @param host the host name or address, without brackets
 * @param port the broker's TCP port, 1 to 65535
 */
public record BrokerUrl(String host, int port) {
    /** The scheme of broker URLs. */
    public static final String SCHEME = "meta://";

    /** Checks the host and the port range. */
    public BrokerUrl {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("broker url without host");
        }
        if (port <= 0 || port > 65_535) {
            throw new IllegalArgumentException("broker port " + port + " outside 1..65535");
        }
    }

    /**
     * {@code meta://host:port} with {@code host} written as given, as MetaQ brokers publish their
     * {@code hostName} (an IPv6 address is not bracketed unless {@code host} is).
     */
    public static String format(String host, int port) {
        return SCHEME + host + ":" + port;
    }

    /**
     * Parses {@code meta://host:port}.
     *
     * @throws IllegalArgumentException naming the text when it is not such a URL
     */
    public static BrokerUrl parse(String url) {
        if (url == null || !url.startsWith(SCHEME)) {
            throw new IllegalArgumentException("invalid broker url '" + url + "', expected meta://host:port");
        }
        String rest = url.substring(SCHEME.length());
        int query = rest.indexOf('?');
        if (query >= 0) {
            rest = rest.substring(0, query);
        }
        int colon = rest.lastIndexOf(':');
        if (colon <= 0 || colon == rest.length() - 1) {
            throw new IllegalArgumentException("invalid broker url '" + url + "', expected meta://host:port");
        }
        String host = rest.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new BrokerUrl(host, Integer.parseInt(rest.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid port in broker url '" + url + "'", e);
        }
    }

    /** {@code meta://host:port}, an IPv6 host bracketed ({@code meta://[::1]:8123}). */
    @Override
    public String toString() {
        return format(host.indexOf(':') >= 0 ? "[" + host + "]" : host, port);
    }
}
