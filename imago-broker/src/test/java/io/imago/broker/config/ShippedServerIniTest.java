package io.imago.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The files shipped at the repository root: conf/server.ini and docs/configuration.md. */
@Timeout(10)
class ShippedServerIniTest {
    private static final Path SERVER_INI = Path.of("..", "conf", "server.ini");
    private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");

    private static List<ConfigKey<?>> allKeys() {
        List<ConfigKey<?>> keys = new ArrayList<>(ConfigKeys.SYSTEM);
        keys.addAll(ConfigKeys.ZOOKEEPER);
        return keys;
    }

    @Test
    void shippedServerIniLoadsAndBehavesLikeStandaloneOnLoopback() {
        BrokerConfig config = BrokerConfig.load(SERVER_INI, ConfigFixtures.ENVIRONMENT);
        assertThat(config.brokerId()).isZero();
        assertThat(config.hostName()).isEqualTo("127.0.0.1");
        assertThat(config.serverPort()).isEqualTo(8123);
        assertThat(config.unflushThreshold()).isZero();
        assertThat(config.zooKeeper().connectString()).isEqualTo("127.0.0.1:2181");
        assertThat(config.zooKeeper().enabled()).isTrue();
        assertThat(config.configuredTopics()).containsExactly("*");
        TopicConfig any = config.resolve("anything-at-all").orElseThrow();
        assertThat(any.numPartitions()).isEqualTo(1);
        assertThat(any.isGroupCommit()).isTrue();
    }

    @Test
    void everyCommentedOutKeyInTheShippedFileIsValidWhenUncommented() throws IOException {
        List<String> lines = Files.readAllLines(SERVER_INI);
        List<String> uncommented = lines.stream()
                .map(l -> l.matches(";[A-Za-z.]+=.*") ? l.substring(1) : l)
                .toList();
        Path copy = Files.createTempFile("server", ".ini");
        try {
            Files.write(copy, uncommented);
            BrokerConfig config = BrokerConfig.load(copy, ConfigFixtures.ENVIRONMENT);
            for (ConfigKey<?> key : ConfigKeys.SYSTEM) {
                Object expected =
                        key == ConfigKeys.HOST_NAME ? "127.0.0.1" : key.defaultValue(ConfigFixtures.ENVIRONMENT);
                assertThat((Object) config.value(key))
                        .as(key.name() + " as shipped equals its default")
                        .isEqualTo(expected);
            }
            assertThat(config.zooKeeper())
                    .isEqualTo(new ZooKeeperConfig(true, "127.0.0.1:2181", "/meta", 30_000, 30_000, 5_000));
        } finally {
            Files.delete(copy);
        }
    }

    @Test
    void shippedServerIniMentionsEveryKey() throws IOException {
        String text = Files.readString(SERVER_INI);
        for (ConfigKey<?> key : allKeys()) {
            assertThat(text).as(key.name()).containsPattern("(?m)^;?" + Pattern.quote(key.name()) + "=");
        }
    }

    @Test
    void referenceDocumentsEveryKey() throws IOException {
        String text = Files.readString(REFERENCE);
        for (ConfigKey<?> key : allKeys()) {
            assertThat(text).as(key.name()).contains("| `" + key.name() + "` |");
        }
    }
}
