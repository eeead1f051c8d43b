package io.imago.broker.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.broker.BrokerHarness;
import io.imago.broker.WireClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A whole broker's ZooKeeper nodes come back, unchanged, after its session expires. */
@Tag("fault-fast")
@Timeout(60)
class BrokerSessionExpiryIT {
    @TempDir
    Path dir;

    @Test
    void everyNodeOfARunningBrokerReturnsAfterItsSessionExpires() throws Exception {
        try (BrokerHarness harness = BrokerHarness.start(dir, "", "[topic=test]\n[topic=dyn*]");
                CuratorFramework observer = ZkTestSupport.observer(harness.zkConnect())) {
            try (WireClient c = harness.connect()) {
                c.put("dynamic", 0, "x".getBytes(StandardCharsets.UTF_8), 1);
                c.read().release();
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> observer.checkExists().forPath("/meta/brokers/topics-sub/dynamic/0-m") != null);
            Map<String, ZkTestSupport.Node> before = ZkTestSupport.tree(observer, "/meta/brokers");
            BrokerRegistration registration = harness.broker().registration().orElseThrow();
            ZooKeeper handle = registration.client().getZookeeperClient().getZooKeeper();
            long oldSession = handle.getSessionId();

            ZkTestSupport.expireOnServer(harness.zkConnect(), handle);

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                Map<String, ZkTestSupport.Node> after = ZkTestSupport.tree(observer, "/meta/brokers");
                assertThat(after.keySet()).isEqualTo(before.keySet());
                after.forEach((path, node) -> {
                    assertThat(node.data()).as(path).isEqualTo(before.get(path).data());
                    assertThat(node.ephemeral())
                            .as(path)
                            .isEqualTo(before.get(path).ephemeral());
                    if (node.ephemeral()) {
                        assertThat(node.ephemeralOwner()).as(path).isNotEqualTo(oldSession);
                    }
                });
            });
        }
    }
}
