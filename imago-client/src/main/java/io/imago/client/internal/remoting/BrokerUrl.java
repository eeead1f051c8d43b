package io.imago.client.internal.remoting;

import java.net.InetSocketAddress;

/**
 * A broker address written {@code meta://host:port} (IPv6 hosts bracketed, {@code meta://[::1]:8123}),
 * as brokers publish it in ZooKeeper. Parsing ignores a query ({@code ?slaveId=1}). Immutable.
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

    /** The socket address (resolves a host name; an IP literal needs no lookup). */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return SCHEME + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
