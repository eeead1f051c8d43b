package io.imago.broker;

/**
 * The version the broker reports in {@code version} replies and {@code stats}. Clients do not parse
 * it (the original broker from Maven Central answered {@code 0.1}).
 */
public final class BrokerVersion {
    public static final String VERSION = "imago-0.1.0";

    private BrokerVersion() {}
}
