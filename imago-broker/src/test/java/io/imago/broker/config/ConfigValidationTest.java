package io.imago.broker.config;

import static io.imago.broker.config.ConfigFixtures.ENVIRONMENT;
import static io.imago.broker.config.ConfigFixtures.load;
import static io.imago.broker.config.ConfigFixtures.loadSystem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class ConfigValidationTest {
    @TempDir
    Path dir;

    private ConfigException failure(String text) {
        Throwable thrown = catchThrowable(() -> load(dir, text));
        assertThat(thrown).isInstanceOf(ConfigException.class);
        return (ConfigException) thrown;
    }

    private String file() {
        return dir.resolve("server.ini").toString();
    }

    @Test
    void unknownKeyNamesFileSectionKeyAndTheClosestKey() {
        ConfigException e = failure("[system]\nbrokerId=0\nunflushThreshhold=0\n[topic=t]\n");
        assertThat(e)
                .hasMessage("Invalid config key 'unflushThreshhold' in [system] of " + file()
                        + ":3, did you mean 'unflushThreshold'?");
        assertThat(e.file()).contains(dir.resolve("server.ini"));
        assertThat(e.section()).contains("system");
        assertThat(e.key()).contains("unflushThreshhold");
        assertThat(e.line()).hasValue(3);
    }

    @Test
    void unknownKeyFarFromAnyListsTheValidKeys() {
        assertThat(failure("[zookeeper]\ncolour=blue\n[topic=t]\n").getMessage())
                .startsWith("Invalid config key 'colour' in [zookeeper] of " + file()
                        + ":2; valid keys are: zk.zkEnable, ");
    }

    @Test
    void unknownKeyInATopicSectionSuggestsATopicKey() {
        assertThat(failure("[topic=t]\nnumPartition=2\n").getMessage())
                .isEqualTo("Invalid config key 'numPartition' in [topic=t] of " + file()
                        + ":2, did you mean 'numPartitions'?");
    }

    @Test
    void keyInTheWrongSectionSaysWhereItBelongs() {
        assertThat(failure("[system]\nzk.zkConnect=a:1\n[topic=t]\n").getMessage())
                .endsWith("it belongs in [zookeeper]");
        assertThat(failure("[zookeeper]\nbrokerId=1\n[topic=t]\n").getMessage()).endsWith("it belongs in [system]");
        assertThat(failure("[topic=t]\nserverPort=1\n").getMessage()).endsWith("it can only be set in [system]");
        assertThat(failure("[system]\ngroup.g=a.B\n[topic=t]\n").getMessage())
                .endsWith("consumer filters belong in a [topic=<name>] section");
    }

    @Test
    void unknownSectionSuggestsTheClosest() {
        assertThat(failure("[sytem]\nbrokerId=1\n[topic=t]\n").getMessage())
                .isEqualTo("Unknown section [sytem] in " + file() + ":1, did you mean [system]?");
    }

    @ParameterizedTest(name = "{0}={1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            brokerId           | 1024          | must be between 0 and 1023
            brokerId           | -1            | must be between 0 and 1023
            serverPort         | abc           | not an integer expression
            serverPort         | 65536         | must be between 0 and 65535
            dashboardHttpPort  | 80.5          | not an integer expression
            numPartitions      | 0             | must be at least 1
            numPartitions      | true          | not an integer expression
            unflushInterval    | -5            | must be at least 1
            unflushThreshold   | 4294967296    | is above 2147483647, the largest 32-bit integer
            maxSegmentSize     | 2*1024*1024*1024 | is above 2147483647
            maxTransferSize    | 0             | must be at least 1
            maxMessageSize     | -1            | must be at least 1
            getProcessThreadCount | 0          | must be at least 1
            logWriterThreads   | 0             | must be between 1 and 1024
            logBufferBytes     | 0             | must be at least 1
            preallocateMaxBytes | 100          | must be 0 (off) or at least 4096
            preallocateMaxBytes | -1           | must not be negative
            checkpointInterval | 9223372036854775807+1 | overflow
            flushTxLogAtCommit | 3             | must be between 0 and 2
            acceptPublish      | yes           | not a boolean
            stat               | 1             | not a boolean
            hostName           | bad host      | not a host name
            deletePolicy       | remove,3      | unknown policy 'remove'
            deletePolicy       | delete,abc    | bad age 'abc'
            deleteWhen         | every day     | not a Quartz cron expression
            deleteWhen         | 0 0 25 * * ?  | not a Quartz cron expression
            """)
    void badSystemValueNamesFileKeyAndValue(String key, String value, String reason) {
        ConfigException e = failure("[system]\n" + key + "=" + value + "\n[topic=t]\n");
        assertThat(e.getMessage())
                .startsWith(
                        "Invalid value '" + value + "' for config key '" + key + "' in [system] of " + file() + ":2: ")
                .contains(reason);
        assertThat(e.file()).contains(dir.resolve("server.ini"));
        assertThat(e.key()).contains(key);
        assertThat(e.value()).contains(value);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            zk.zkEnable             | maybe
            zk.zkConnect            | host:99999
            zk.zkConnect            | a b:2181
            zk.zkConnect            | host:2181/
            zk.zkRoot               | meta
            zk.zkRoot               | /
            zk.zkRoot               | /meta/
            zk.zkSessionTimeoutMs   | 0
            zk.zkConnectionTimeoutMs | x
            zk.zkSyncTimeMs         | -1
            """)
    void badZooKeeperValueNamesFileKeyAndValue(String key, String value) {
        ConfigException e = failure("[zookeeper]\n" + key + "=" + value + "\n[topic=t]\n");
        assertThat(e.getMessage())
                .startsWith("Invalid value '" + value + "' for config key '" + key + "' in [zookeeper] of " + file()
                        + ":2: ");
        assertThat(e.value()).contains(value);
    }

    @Test
    void badTopicValuesNameTheTopicSection() {
        assertThat(failure("[topic=orders]\ndeletePolicy=delete\n").getMessage())
                .startsWith(
                        "Invalid value 'delete' for config key 'deletePolicy' in [topic=orders] of " + file() + ":2: ");
        assertThat(failure("[topic=orders]\ndeleteWhen=* * *\n").getMessage())
                .startsWith(
                        "Invalid value '* * *' for config key 'deleteWhen' in [topic=orders] of " + file() + ":2: ");
        assertThat(failure("[topic=orders]\ngroup.billing=not a class\n").getMessage())
                .startsWith("Invalid value 'not a class' for config key 'group.billing' in [topic=orders] of " + file()
                        + ":2: ");
    }

    @Test
    void aFileWithoutTopicSectionsIsRefused() {
        assertThat(failure("[system]\nbrokerId=1\n").getMessage())
                .isEqualTo("No [topic=<name>] section in " + file()
                        + ": this broker would accept no topic; add [topic=*] to accept any topic");
    }

    @Test
    void invalidOrRepeatedTopicNamesAreRefused() {
        assertThat(failure("[topic=]\n").getMessage()).startsWith("Invalid topic name ''");
        assertThat(failure("[topic=a b]\n").getMessage()).startsWith("Invalid topic name 'a b'");
        assertThat(failure("[topic=a]\n[topic= a]\n").getMessage())
                .isEqualTo("Topic 'a' is declared twice, again in [topic= a] of " + file() + ":2");
        assertThat(failure("[topic=a]\ngroup.=a.B\n").getMessage())
                .startsWith("Missing consumer group in config key 'group.'");
    }

    @Test
    void duplicateKeyIsRefusedThroughTheLoader() {
        assertThat(failure("[system]\nbrokerId=1\nbrokerId=1\n[topic=t]\n").getMessage())
                .isEqualTo("Duplicate config key 'brokerId' in [system] of " + file() + ":3, first set on line 2");
    }

    @Test
    void missingFileIsAConfigException() {
        Path missing = dir.resolve("nope.ini");
        assertThatThrownBy(() -> BrokerConfig.load(missing, ENVIRONMENT))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Configuration file " + missing + " does not exist");
    }

    @Test
    void invalidPortOverrideIsRefused() {
        BrokerConfig config = loadSystem(dir, "");
        assertThatThrownBy(() -> config.withOverrides(Optional.empty(), OptionalInt.of(70000)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid --port 70000: must be between 0 and 65535");
    }
}
