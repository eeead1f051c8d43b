package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.broker.partition.DataDirLock;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.ValueCommand;
import io.imago.protocol.message.MessageSetIterator;
import io.imago.protocol.message.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(60)
class BrokerIT {
    @RegisterExtension
    final BrokerHarnessExtension brokers = BrokerHarnessExtension.onDemand();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPutIsAcknowledgedWithItsOffsetAndAGetReturnsTheStoredRecord() throws Exception {
        BrokerHarness harness = brokers.start("numPartitions=2", "[topic=test]");
        try (WireClient c = harness.connect()) {
            c.put("test", 1, utf8("hello"), 1).put("test", 1, utf8("world!"), 2);
            List<ResponseCommand> acks = c.read(2);
            assertThat(acks)
                    .extracting(r -> ((ResultCommand) r).text().split(" ")[2])
                    .containsExactlyInAnyOrder("0", "25");
            acks.forEach(ResponseCommand::release);
            c.send("get test g 1 0 1024 3\r\n");
            ValueCommand value = (ValueCommand) c.read();
            try {
                MessageSetIterator it = new MessageSetIterator(value.body(), 0);
                StoredMessage first = it.next();
                StoredMessage second = it.next();
                assertThat(it.hasNext()).isFalse();
                assertThat(first.offset()).isZero();
                assertThat(second.offset()).isEqualTo(25);
                assertThat(value.body().readableBytes()).isEqualTo(25 + 26);
            } finally {
                value.release();
            }
        }
    }

    @Test
    void aTopicCreatedByItsFirstPutIsRegisteredInZooKeeper() throws Exception {
        BrokerHarness harness = brokers.start("", "[topic=dyn*]\nnumPartitions=3");
        try (WireClient c = harness.connect();
                CuratorFramework zk = observer(harness.zkConnect())) {
            c.put("dynamic", 2, utf8("x"), 1);
            ResultCommand ack = (ResultCommand) c.read();
            assertThat(ack.code()).isEqualTo(200);
            ack.release();
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(new String(
                                    zk.getData().forPath("/meta/brokers/topics-pub/dynamic/0-m"),
                                    StandardCharsets.UTF_8))
                            .isIn("{\"numParts\":3,\"broker\":\"0-m\"}", "{\"broker\":\"0-m\",\"numParts\":3}"));
        }
    }

    @Test
    void aPutToATopicThatRefusesPublishingIsForbidden() throws Exception {
        BrokerHarness harness = brokers.start("", "[topic=closed]\nacceptPublish=false");
        try (WireClient c = harness.connect()) {
            c.put("closed", 0, utf8("x"), 9);
            ResultCommand reply = (ResultCommand) c.read();
            assertThat(reply.code()).isEqualTo(403);
            assertThat(reply.opaque()).isEqualTo(9);
            reply.release();
        }
    }

    @Test
    void partitionsOnDiskAreServedAfterARestartWithoutAnyPut() throws Exception {
        BrokerHarness harness = brokers.start("", "[topic=test]");
        try (WireClient c = harness.connect()) {
            c.put("test", 0, utf8("kept"), 1);
            c.read().release();
        }
        harness.stopBroker();
        harness.startBroker("", "[topic=test]");
        try (WireClient c = harness.connect()) {
            c.send("offset test g 0 1000 2\r\n");
            ResultCommand offset = (ResultCommand) c.read();
            assertThat(offset.text()).isEqualTo("24");
            offset.release();
            c.send("get test g 0 0 100 3\r\n");
            ResponseCommand value = c.read();
            assertThat(value).isInstanceOf(ValueCommand.class);
            assertThat(value.content().readableBytes()).isEqualTo(24);
            value.release();
        }
    }

    @Test
    void aSecondBrokerOnTheSameDataDirectoryRefusesToStart() throws Exception {
        BrokerHarness harness = brokers.start("", "[topic=test]");
        Broker second = new Broker(harness.config(), Clock.systemUTC());
        assertThatThrownBy(second::start)
                .isInstanceOf(DataDirLock.DataDirLockedException.class)
                .hasMessageContaining("is in use by another broker");
        second.close();
    }

    @Test
    void aMalformedFrameIsAnsweredAndClosesOnlyItsOwnConnection() throws Exception {
        BrokerHarness harness = brokers.start("", "[topic=test]");
        try (WireClient good = harness.connect();
                WireClient bad = harness.connect()) {
            bad.send("bogus 1\r\n");
            ResultCommand reply = (ResultCommand) bad.read();
            assertThat(reply.code()).isEqualTo(500);
            reply.release();
            assertThat(bad.closedByBroker(5_000)).isTrue();
            good.send("version 5\r\n");
            ResultCommand version = (ResultCommand) good.read();
            assertThat(version.opaque()).isEqualTo(5);
            version.release();
        }
    }

    @Test
    void syncIsRefusedAsNotSupportedYetWhileTransactionsAreServed() throws Exception {
        BrokerHarness harness = brokers.start("", "[topic=test]");
        try (WireClient c = harness.connect()) {
            c.send("transaction TX:s:1 s BEGIN 4\r\n");
            c.send("sync test 0 1 0 77 -1 5\r\nx");
            List<ResponseCommand> replies = c.read(2);
            replies.sort(Comparator.comparingInt(ResponseCommand::opaque));
            ResultCommand begin = (ResultCommand) replies.get(0);
            ResultCommand sync = (ResultCommand) replies.get(1);
            assertThat(begin.code()).isEqualTo(200);
            assertThat(sync.code()).isEqualTo(500);
            assertThat(sync.text()).contains("not supported");
            replies.forEach(ResponseCommand::release);
        }
    }

    private static CuratorFramework observer(String connect) throws InterruptedException {
        CuratorFramework zk = CuratorFrameworkFactory.newClient(connect, 4000, 4000, new RetryOneTime(100));
        zk.start();
        zk.blockUntilConnected();
        return zk;
    }
}
