package io.imago.it.harness;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a test broker is started with, rendered as a MetaQ {@code server.ini} (spec §5) that both
 * targets read: {@code [system]}, {@code [zookeeper]} and one {@code [topic=…]} section per topic.
 * Only keys known to the original broker are written, because it rejects unknown keys.
 *
 * <p>Defaults suit tests: {@code hostName=127.0.0.1}, group commit ({@code unflushThreshold=0}),
 * one partition per topic, a short {@code zk.zkSyncTimeMs} so that a stopping broker does not
 * linger. The port and the directories are filled in by {@link BrokerCluster}. Immutable.
 */
public final class BrokerProcessConfig {
    private final int brokerId;
    private final int serverPort;
    private final Path dataPath;
    private final Path dataLogPath;
    private final String zkConnect;
    private final Map<String, String> system;
    private final Map<String, String> zookeeper;
    private final Map<String, Map<String, String>> topics;
    private final String maxHeap;
    private final Map<String, String> jvmProperties;

    private BrokerProcessConfig(Builder b) {
        this.brokerId = b.brokerId;
        this.serverPort = b.serverPort;
        this.dataPath = b.dataPath;
        this.dataLogPath = b.dataLogPath;
        this.zkConnect = b.zkConnect;
        this.system = Map.copyOf(b.system);
        this.zookeeper = Map.copyOf(b.zookeeper);
        this.topics = copyTopics(b.topics);
        this.maxHeap = b.maxHeap;
        this.jvmProperties = Collections.unmodifiableMap(new TreeMap<>(b.jvmProperties));
    }

    public static Builder builder(int brokerId) {
        return new Builder(brokerId);
    }

    public int brokerId() {
        return brokerId;
    }

    public int serverPort() {
        return serverPort;
    }

    public Path dataPath() {
        return dataPath;
    }

    /** Where the transaction journal goes; kept out of {@link #dataPath()} (see the builder). */
    public Path dataLogPath() {
        return dataLogPath;
    }

    public String zkConnect() {
        return zkConnect;
    }

    /** The broker JVM's {@code -Xmx} value, e.g. {@code 256m} (the default). */
    public String maxHeap() {
        return maxHeap;
    }

    /** System properties of the broker JVM ({@code -Dkey=value}), e.g. test hooks; not part of {@code server.ini}. */
    public Map<String, String> jvmProperties() {
        return jvmProperties;
    }

    public List<String> topicNames() {
        return List.copyOf(topics.keySet());
    }

    /**
     * Topics the broker must register under {@code /meta/brokers/topics-sub} at startup: configured
     * names without wildcards whose {@code acceptSubscribe} is not {@code false} (spec §4.1).
     */
    public List<String> subscribableTopics() {
        return topics.entrySet().stream()
                .filter(e -> !e.getKey().contains("*"))
                .filter(e -> !"false"
                        .equals(e.getValue()
                                .getOrDefault("acceptSubscribe", system.getOrDefault("acceptSubscribe", "true"))))
                .map(Map.Entry::getKey)
                .toList();
    }

    /** A builder that starts from this configuration (used to restart on the same directories). */
    public Builder toBuilder() {
        Builder b = new Builder(brokerId);
        b.serverPort = serverPort;
        b.dataPath = dataPath;
        b.dataLogPath = dataLogPath;
        b.zkConnect = zkConnect;
        b.maxHeap = maxHeap;
        b.jvmProperties.putAll(jvmProperties);
        b.system.putAll(system);
        b.zookeeper.putAll(zookeeper);
        topics.forEach((name, keys) -> b.topics.put(name, new LinkedHashMap<>(keys)));
        return b;
    }

    /** The {@code server.ini} text. */
    public String toIni() {
        StringBuilder ini = new StringBuilder();
        ini.append("[system]\n");
        line(ini, "brokerId", Integer.toString(brokerId));
        line(ini, "hostName", "127.0.0.1");
        line(ini, "serverPort", Integer.toString(serverPort));
        line(ini, "dataPath", dataPath.toAbsolutePath().toString());
        line(ini, "dataLogPath", dataLogPath.toAbsolutePath().toString());
        new TreeMap<>(system).forEach((k, v) -> line(ini, k, v));
        ini.append("\n[zookeeper]\n");
        line(ini, "zk.zkConnect", zkConnect);
        new TreeMap<>(zookeeper).forEach((k, v) -> line(ini, k, v));
        topics.forEach((name, keys) -> {
            ini.append("\n[topic=").append(name).append("]\n");
            keys.forEach((k, v) -> line(ini, k, v));
        });
        return ini.toString();
    }

    private static void line(StringBuilder ini, String key, String value) {
        ini.append(key).append('=').append(value).append('\n');
    }

    private static Map<String, Map<String, String>> copyTopics(Map<String, Map<String, String>> source) {
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        source.forEach((name, keys) -> copy.put(name, new LinkedHashMap<>(keys)));
        return Collections.unmodifiableMap(copy);
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private final int brokerId;
        private int serverPort;
        private Path dataPath;
        private Path dataLogPath;
        private String zkConnect;
        private final Map<String, String> system = new LinkedHashMap<>();
        private final Map<String, String> zookeeper = new LinkedHashMap<>();
        private final Map<String, Map<String, String>> topics = new LinkedHashMap<>();
        private String maxHeap = "256m";
        private final Map<String, String> jvmProperties = new LinkedHashMap<>();

        private Builder(int brokerId) {
            this.brokerId = brokerId;
            system.put("numPartitions", "1");
            system.put("unflushThreshold", "0");
            system.put("unflushInterval", "10000");
            system.put("maxSegmentSize", Integer.toString(1024 * 1024 * 1024));
            system.put("maxTransferSize", Integer.toString(1024 * 1024));
            zookeeper.put("zk.zkSessionTimeoutMs", "30000");
            zookeeper.put("zk.zkConnectionTimeoutMs", "30000");
            zookeeper.put("zk.zkSyncTimeMs", "100");
        }

        /** Declares a {@code [topic=name]} section; {@code keyValues} are pairs of per-topic overrides. */
        public Builder topic(String name, String... keyValues) {
            if (keyValues.length % 2 != 0) {
                throw new IllegalArgumentException("topic keys come in key/value pairs: " + List.of(keyValues));
            }
            Map<String, String> keys = new LinkedHashMap<>();
            for (int i = 0; i < keyValues.length; i += 2) {
                keys.put(keyValues[i], keyValues[i + 1]);
            }
            topics.put(name, keys);
            return this;
        }

        /** Sets a {@code [system]} key, e.g. {@code maxSegmentSize}. */
        public Builder system(String key, String value) {
            system.put(key, value);
            return this;
        }

        public Builder numPartitions(int n) {
            return system("numPartitions", Integer.toString(n));
        }

        public Builder maxSegmentBytes(int bytes) {
            return system("maxSegmentSize", Integer.toString(bytes));
        }

        public Builder updateConsumerOffsets(boolean update) {
            return system("updateConsumerOffsets", Boolean.toString(update));
        }

        public Builder zkSessionTimeoutMs(int ms) {
            zookeeper.put("zk.zkSessionTimeoutMs", Integer.toString(ms));
            return this;
        }

        /** The broker JVM's {@code -Xmx} (default {@code 256m}); not part of {@code server.ini}. */
        public Builder maxHeap(String xmx) {
            this.maxHeap = xmx;
            return this;
        }

        /** Sets a system property of the broker JVM ({@code -Dkey=value}); not part of {@code server.ini}. */
        public Builder jvmProperty(String key, String value) {
            jvmProperties.put(key, value);
            return this;
        }

        /** Removes a system property set by {@link #jvmProperty}, e.g. a test hook for a restart. */
        public Builder withoutJvmProperty(String key) {
            jvmProperties.remove(key);
            return this;
        }

        public Builder serverPort(int port) {
            this.serverPort = port;
            return this;
        }

        /**
         * The message directory. The transaction journal goes to a sibling {@code <dataPath>-txlog}:
         * the original broker skips loading partitions at startup when dataPath holds any other
         * entry (spec §3.5), which would hide data after a restart.
         */
        public Builder dataPath(Path path) {
            this.dataPath = path;
            this.dataLogPath = path.resolveSibling(path.getFileName() + "-txlog");
            return this;
        }

        public Builder zkConnect(String connect) {
            this.zkConnect = connect;
            return this;
        }

        public BrokerProcessConfig build() {
            if (serverPort <= 0 || dataPath == null || zkConnect == null) {
                throw new IllegalStateException(
                        "serverPort, dataPath and zkConnect must be set (BrokerCluster does it)");
            }
            if (topics.isEmpty()) {
                throw new IllegalStateException("a broker needs at least one [topic=...] section");
            }
            return new BrokerProcessConfig(this);
        }
    }
}
