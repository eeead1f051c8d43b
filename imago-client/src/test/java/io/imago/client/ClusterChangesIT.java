package io.imago.client;

import static io.imago.client.ConsumerTesting.zkClient;
import static io.imago.client.ProducerIT.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.broker.BrokerHarness;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.PartitionSelector;
import io.imago.client.producer.SendResult;
import io.imago.cluster.Partition;
import io.imago.exception.MessageNotSentException;
import io.imago.exception.MetaClientException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Brokers that stop, come back, join, or are unreachable while a producer runs. */
@Timeout(90)
class ClusterChangesIT {
    private static final String TOPIC = "[topic=t]\nnumPartitions=2";

    @TempDir
    Path dir;

    @Test
    void sendsSucceedAgainOnceTheBrokerIsBackOnItsPort() throws Exception {
        try (BrokerHarness h = BrokerHarness.start(dir, "", TOPIC)) {
            MessageSessionFactory f = new MetaMessageSessionFactory(zkClient(h.zkConnect()));
            try {
                MessageProducer producer = f.createProducer();
                producer.publish("t");
                assertThat(producer.sendMessage(new Message("t", bytes("before")))
                                .isSuccess())
                        .isTrue();
                h.stopBroker();
                h.restartBrokerOnSamePort("", TOPIC);
                await().atMost(Duration.ofSeconds(30))
                        .ignoreExceptions()
                        .until(() -> producer.sendMessage(new Message("t", bytes("after")))
                                .isSuccess());
                assertThat(ProducerIT.browse(f, "t"))
                        .extracting(m -> new String(m.getData(), StandardCharsets.UTF_8))
                        .contains("before", "after");
            } finally {
                f.shutdown();
            }
        }
    }

    @Test
    void aBrokerRegisteredAtRunTimeIsUsedWithoutRestart() throws Exception {
        try (BrokerHarness h = BrokerHarness.start(dir.resolve("b0"), "", TOPIC)) {
            MessageSessionFactory f = new MetaMessageSessionFactory(zkClient(h.zkConnect()));
            try {
                MessageProducer producer = f.createProducer();
                producer.publish("t");
                assertThat(f.getPartitionsForTopic("t")).containsExactly(new Partition(0, 0), new Partition(0, 1));
                try (BrokerHarness second = h.startAnother(dir.resolve("b1"), 1, "", TOPIC)) {
                    assertThat(second.broker().config().brokerId()).isEqualTo(1);
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> f.getPartitionsForTopic("t").size() == 4);
                    assertThat(f.getPartitionsForTopic("t"))
                            .containsExactly(
                                    new Partition(0, 0), new Partition(0, 1), new Partition(1, 0), new Partition(1, 1));
                    Set<Partition> used = new HashSet<>();
                    for (int i = 0; i < 8; i++) {
                        SendResult r = producer.sendMessage(new Message("t", bytes("m" + i)));
                        assertThat(r.isSuccess()).as(r.toString()).isTrue();
                        used.add(r.getPartition());
                    }
                    assertThat(used).hasSize(4);
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> f.getPartitionsForTopic("t").size() == 2);
                for (int i = 0; i < 4; i++) {
                    assertThat(producer.sendMessage(new Message("t", bytes("n" + i)))
                                    .getPartition()
                                    .getBrokerId())
                            .isZero();
                }
            } finally {
                f.shutdown();
            }
        }
    }

    @Test
    void aSendToAnUnreachableBrokerFailsOverToAnotherBrokerButAnErrorReplyIsNotRetried() throws Exception {
        try (BrokerHarness h = BrokerHarness.start(dir, "", TOPIC);
                CuratorFramework zk = CuratorFrameworkFactory.newClient(h.zkConnect(), new RetryOneTime(100))) {
            zk.start();
            int deadPort;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                deadPort = s.getLocalPort();
            }
            // broker 7: registered, unreachable; broker 8: broker 0's URL with partitions broker 0 lacks.
            // Fields in the other order than the broker writes them, as the original's Jackson sometimes did.
            register(zk, 7, "meta://127.0.0.1:" + deadPort, 1);
            register(zk, 8, "meta://127.0.0.1:" + h.port(), 10);
            MessageSessionFactory f = new MetaMessageSessionFactory(zkClient(h.zkConnect()));
            try {
                PartitionSelector sevenFirst = (topic, ps, m) -> ps.stream()
                        .filter(p -> p.getBrokerId() == 7 || ps.stream().noneMatch(q -> q.getBrokerId() == 7))
                        .findFirst()
                        .orElseThrow();
                MessageProducer toSeven = f.createProducer(new PartitionSelector() {
                    @Override
                    public Partition getPartition(String topic, List<Partition> ps, Message m)
                            throws MetaClientException {
                        return sevenFirst.getPartition(topic, ps, m);
                    }

                    @Override
                    public boolean allowsFailover() {
                        return true;
                    }
                });
                toSeven.publish("t");
                assertThat(f.getPartitionsForTopic("t")).contains(new Partition(7, 0), new Partition(8, 9));
                SendResult failedOver = toSeven.sendMessage(new Message("t", bytes("x")));
                assertThat(failedOver.isSuccess()).as(failedOver.toString()).isTrue();
                assertThat(failedOver.getPartition().getBrokerId()).isIn(0, 8);

                // a selector that does not allow failover keeps its choice: the send fails, not sent
                MessageProducer onlySeven = f.createProducer(sevenFirst);
                onlySeven.publish("t");
                assertThatThrownBy(() -> onlySeven.sendMessage(new Message("t", bytes("z"))))
                        .isInstanceOf(MessageNotSentException.class);

                MessageProducer toWrongPartition = f.createProducer((topic, ps, m) -> new Partition(8, 9));
                toWrongPartition.publish("t");
                SendResult refused = toWrongPartition.sendMessage(new Message("t", bytes("y")));
                assertThat(refused.isSuccess()).isFalse();
                assertThat(refused.getPartition()).isEqualTo(new Partition(8, 9));
                assertThat(refused.getErrorMessage()).contains("wrong partition 9");
            } finally {
                f.shutdown();
            }
        }
    }

    private static void register(CuratorFramework zk, int id, String url, int numParts) throws Exception {
        zk.create()
                .creatingParentsIfNeeded()
                .withMode(CreateMode.EPHEMERAL)
                .forPath("/meta/brokers/ids/" + id + "/master", url.getBytes(StandardCharsets.UTF_8));
        zk.create()
                .creatingParentsIfNeeded()
                .withMode(CreateMode.EPHEMERAL)
                .forPath(
                        "/meta/brokers/topics-pub/t/" + id + "-m",
                        ("{\"broker\":\"" + id + "-m\",\"numParts\":" + numParts + "}")
                                .getBytes(StandardCharsets.UTF_8));
    }
}
