package io.imago.broker.config;

import static io.imago.broker.config.ConfigFixtures.ENVIRONMENT;
import static io.imago.broker.config.ConfigFixtures.HOME;
import static io.imago.broker.config.ConfigFixtures.load;
import static io.imago.broker.config.ConfigFixtures.loadSystem;
import static io.imago.broker.config.ConfigFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.store.retention.RetentionPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class BrokerConfigTest {
    @TempDir
    Path dir;

    @Test
    void everySystemKeyHasItsDefaultWhenTheSectionsAreAbsent() {
        BrokerConfig config = load(dir, "[topic=test]\n");
        assertThat(config.brokerId()).isZero();
        assertThat(config.hostName()).isEqualTo(ConfigFixtures.LOCAL_ADDRESS);
        assertThat(config.serverPort()).isEqualTo(8123);
        assertThat(config.dashboardHttpPort()).isEqualTo(8120);
        assertThat(config.numPartitions()).isEqualTo(1);
        assertThat(config.dataPath()).isEqualTo(HOME.resolve("meta"));
        assertThat(config.dataLogPath()).isEqualTo(HOME.resolve("meta"));
        assertThat(config.appClassPath()).isEmpty();
        assertThat(config.unflushThreshold()).isZero();
        assertThat(config.unflushIntervalMs()).isEqualTo(10_000);
        assertThat(config.maxSegmentBytes()).isEqualTo(1_073_741_824);
        assertThat(config.maxTransferBytes()).isEqualTo(1_048_576);
        assertThat(config.maxMessageBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(config.getProcessThreadCount()).isEqualTo(10 * ConfigFixtures.PROCESSORS);
        assertThat(config.putProcessThreadCount()).isEqualTo(10 * ConfigFixtures.PROCESSORS);
        assertThat(config.deletePolicy()).isEqualTo(RetentionPolicy.parse("delete,168h"));
        assertThat(config.deleteWhen()).isEqualTo("0 0 6,18 * * ?");
        assertThat(config.quartzThreadCount()).isEqualTo(5);
        assertThat(config.maxCheckpoints()).isEqualTo(3);
        assertThat(config.checkpointIntervalMs()).isEqualTo(3_600_000L);
        assertThat(config.maxTxTimeoutTimerCapacity()).isEqualTo(30_000);
        assertThat(config.maxTxTimeoutSeconds()).isEqualTo(60);
        assertThat(config.flushTxLogAtCommit()).isEqualTo(1);
        assertThat(config.acceptsPublish()).isTrue();
        assertThat(config.acceptsSubscribe()).isTrue();
        assertThat(config.collectsStats()).isFalse();
        assertThat(config.updatesConsumerOffsets()).isFalse();
        assertThat(config.loadsStoresInParallel()).isFalse();
    }

    @Test
    void everyZooKeeperKeyHasItsDefault() {
        assertThat(load(dir, "[topic=test]\n").zooKeeper())
                .isEqualTo(new ZooKeeperConfig(true, "127.0.0.1:2181", "/meta", 30_000, 30_000, 5_000));
    }

    @Test
    void everyKeyCanBeOverridden() {
        BrokerConfig config = load(dir, """
                [system]
                brokerId=1023
                hostName=broker7.example.org
                serverPort=9123
                dashboardHttpPort=9120
                numPartitions=8
                dataPath=/srv/imago/data
                dataLogPath=/srv/imago/txlog
                appClassPath=/srv/imago/filters
                unflushThreshold=1000
                unflushInterval=500
                maxSegmentSize=64*1024*1024
                maxTransferSize=512 * 1024
                maxMessageSize=1024*1024
                getProcessThreadCount=7
                putProcessThreadCount=9
                deletePolicy=archive,30m,true
                deleteWhen=0 30 2 * * ?
                quartzThreadCount=2
                maxCheckpoints=5
                checkpointInterval=60*1000
                maxTxTimeoutTimerCapacity=100
                maxTxTimeoutInSeconds=30
                flushTxLogAtCommit=2
                acceptPublish=false
                acceptSubscribe=FALSE
                stat=True
                updateConsumerOffsets=true
                loadMessageStoresInParallel=true
                [zookeeper]
                zk.zkEnable=false
                zk.zkConnect=zk1:2181,zk2:2182/imago
                zk.zkRoot=/metaq
                zk.zkSessionTimeoutMs=6000
                zk.zkConnectionTimeoutMs=7000
                zk.zkSyncTimeMs=0
                [topic=test]
                """);
        assertThat(config.brokerId()).isEqualTo(1023);
        assertThat(config.hostName()).isEqualTo("broker7.example.org");
        assertThat(config.serverPort()).isEqualTo(9123);
        assertThat(config.dashboardHttpPort()).isEqualTo(9120);
        assertThat(config.numPartitions()).isEqualTo(8);
        assertThat(config.dataPath()).isEqualTo(Path.of("/srv/imago/data").toAbsolutePath());
        assertThat(config.dataLogPath()).isEqualTo(Path.of("/srv/imago/txlog").toAbsolutePath());
        assertThat(config.appClassPath()).contains(Path.of("/srv/imago/filters").toAbsolutePath());
        assertThat(config.unflushThreshold()).isEqualTo(1000);
        assertThat(config.unflushIntervalMs()).isEqualTo(500);
        assertThat(config.maxSegmentBytes()).isEqualTo(64 * 1024 * 1024);
        assertThat(config.maxTransferBytes()).isEqualTo(512 * 1024);
        assertThat(config.maxMessageBytes()).isEqualTo(1024 * 1024);
        assertThat(config.getProcessThreadCount()).isEqualTo(7);
        assertThat(config.putProcessThreadCount()).isEqualTo(9);
        assertThat(config.deletePolicy()).isEqualTo(RetentionPolicy.parse("archive,30m,true"));
        assertThat(config.deleteWhen()).isEqualTo("0 30 2 * * ?");
        assertThat(config.quartzThreadCount()).isEqualTo(2);
        assertThat(config.maxCheckpoints()).isEqualTo(5);
        assertThat(config.checkpointIntervalMs()).isEqualTo(60_000L);
        assertThat(config.maxTxTimeoutTimerCapacity()).isEqualTo(100);
        assertThat(config.maxTxTimeoutSeconds()).isEqualTo(30);
        assertThat(config.flushTxLogAtCommit()).isEqualTo(2);
        assertThat(config.acceptsPublish()).isFalse();
        assertThat(config.acceptsSubscribe()).isFalse();
        assertThat(config.collectsStats()).isTrue();
        assertThat(config.updatesConsumerOffsets()).isTrue();
        assertThat(config.loadsStoresInParallel()).isTrue();
        assertThat(config.zooKeeper())
                .isEqualTo(new ZooKeeperConfig(false, "zk1:2181,zk2:2182/imago", "/metaq", 6000, 7000, 0));
    }

    @Test
    void blankValueMeansUnset() {
        BrokerConfig config = loadSystem(dir, "serverPort=\nhostName=  \nunflushThreshold=\ndeletePolicy=\nstat=");
        assertThat(config.serverPort()).isEqualTo(8123);
        assertThat(config.hostName()).isEqualTo(ConfigFixtures.LOCAL_ADDRESS);
        assertThat(config.unflushThreshold()).isZero();
        assertThat(config.deletePolicy()).isEqualTo(RetentionPolicy.parse(RetentionPolicy.DEFAULT));
        assertThat(config.isSet(ConfigKeys.SERVER_PORT)).isFalse();
    }

    @Test
    void numericValuesMayBeArithmetic() {
        BrokerConfig config = loadSystem(dir, "maxSegmentSize=1024*1024\nmaxTransferSize=(1+2)*3\nunflushThreshold=-1");
        assertThat(config.maxSegmentBytes()).isEqualTo(1_048_576);
        assertThat(config.maxTransferBytes()).isEqualTo(9);
        assertThat(config.unflushThreshold()).isEqualTo(-1);
    }

    @Test
    void hostNameIsLookedUpOnlyWhenUnset() {
        ConfigEnvironment failing = new ConfigEnvironment(HOME, 1, () -> {
            throw new AssertionError("hostName is set, the local address must not be looked up");
        });
        BrokerConfig config = BrokerConfig.load(write(dir, "[system]\nhostName=127.0.0.1\n[topic=t]\n"), failing);
        assertThat(config.hostName()).isEqualTo("127.0.0.1");
    }

    @Test
    void defaultHostIsAnIpv4AddressOfThisMachine() {
        assertThat(ConfigEnvironment.firstNonLoopbackIpv4()).matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    @Test
    void dataLogPathFollowsDataPathUnlessSet() {
        assertThat(loadSystem(dir, "dataPath=/a").dataLogPath())
                .isEqualTo(Path.of("/a").toAbsolutePath());
        assertThat(loadSystem(dir, "dataPath=/a\ndataLogPath=/b").dataLogPath())
                .isEqualTo(Path.of("/b").toAbsolutePath());
    }

    @Test
    void relativeDataPathIsResolvedAgainstTheWorkingDirectory() {
        assertThat(loadSystem(dir, "dataPath=data/../store").dataPath())
                .isEqualTo(Path.of("store").toAbsolutePath().normalize());
    }

    @Test
    void appClassPathDefaultsToTheProvidedDirectoryBesideTheConfigDirectory() throws IOException {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path provided = Files.createDirectories(dir.resolve("provided"));
        BrokerConfig config = BrokerConfig.load(write(conf, "[topic=t]\n"), ENVIRONMENT);
        assertThat(config.appClassPath()).contains(provided);
    }

    @Test
    void overridesReplaceDataPathAndPortAndKeepTheRest() {
        BrokerConfig config =
                load(dir, "[system]\nbrokerId=3\ndataPath=/a\n[topic=own]\ndataPath=/own\n[topic=inherits]\n");
        BrokerConfig overridden = config.withOverrides(Optional.of(dir.resolve("d")), OptionalInt.of(9999));
        assertThat(overridden.dataPath()).isEqualTo(dir.resolve("d"));
        assertThat(overridden.dataLogPath()).isEqualTo(dir.resolve("d"));
        assertThat(overridden.serverPort()).isEqualTo(9999);
        assertThat(overridden.brokerId()).isEqualTo(3);
        assertThat(overridden.resolve("inherits").orElseThrow().dataPath()).isEqualTo(dir.resolve("d"));
        assertThat(overridden.resolve("own").orElseThrow().dataPath())
                .isEqualTo(Path.of("/own").toAbsolutePath());
        assertThat(config.serverPort()).as("the original snapshot is unchanged").isEqualTo(8123);
        assertThat(config.withOverrides(Optional.empty(), OptionalInt.empty()).dataPath())
                .isEqualTo(config.dataPath());
    }

    @Test
    void checksumIsTheCrc32OfTheFileBytes() throws IOException {
        Path file = write(dir, "; comment\n[system]\nbrokerId=2\n[topic=test]\n");
        BrokerConfig config = BrokerConfig.load(file, ENVIRONMENT);
        byte[] bytes = Files.readAllBytes(file);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        assertThat(config.checksumCrc32()).isEqualTo(crc.getValue());
        assertThat(config.rawBytes()).isEqualTo(bytes);
        assertThat(config.sourceFile()).contains(file.toAbsolutePath());
        assertThat(config.withOverrides(Optional.empty(), OptionalInt.of(1)).checksumCrc32())
                .isEqualTo(crc.getValue());
    }

    @Test
    void rawBytesCannotBeChangedThroughTheAccessor() {
        BrokerConfig config = load(dir, "[topic=test]\n");
        config.rawBytes()[0] = 'X';
        assertThat(new String(config.rawBytes(), StandardCharsets.UTF_8)).startsWith("[topic");
    }

    @Test
    void valueGivesTypedAccessToAnySystemKey() {
        BrokerConfig config = loadSystem(dir, "quartzThreadCount=2*4");
        assertThat(config.value(ConfigKeys.QUARTZ_THREAD_COUNT)).isEqualTo(8);
        assertThat(config.isSet(ConfigKeys.QUARTZ_THREAD_COUNT)).isTrue();
    }
}
