package io.imago.client;

import static io.imago.client.ConsumerTesting.consumerConfig;
import static io.imago.client.ConsumerTesting.send;
import static io.imago.client.ConsumerTesting.zkClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.broker.BrokerHarnessExtension;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.internal.consumer.FetchManager;
import io.imago.client.internal.consumer.SimpleMessageConsumer;
import io.imago.client.producer.MessageProducer;
import io.imago.client.testing.TcpLink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 4 against a real broker and ZooKeeper: a consumer cut off from ZooKeeper (its broker
 * connection intact) stops delivering at once, so that when its session ends and another member takes
 * its partitions, the two never deliver the same messages; back in a new session it shares the
 * partitions again.
 */
@Timeout(90)
@LeavesNoConsumerThreads
class ZooKeeperCutConsumerIT {
    private static final String TOPIC = "cut";
    private static final String GROUP = "cut-group";

    @RegisterExtension
    static final BrokerHarnessExtension BROKER = BrokerHarnessExtension.of("", "[topic=cut]\nnumPartitions=4");

    @TempDir
    Path dir;

    @Test
    void aConsumerCutOffFromZooKeeperStopsDeliveringBeforeAnotherTakesItsPartitions() throws Exception {
        String zkConnect = BROKER.harness().zkConnect();
        int zkPort = Integer.parseInt(zkConnect.substring(zkConnect.lastIndexOf(':') + 1));
        MetaMessageSessionFactory factory = new MetaMessageSessionFactory(zkClient(zkConnect));
        MetaMessageSessionFactory cutFactory = null;
        try (TcpLink link = new TcpLink(zkPort)) {
            cutFactory = new MetaMessageSessionFactory(zkClient(link.address()));
            MessageProducer producer = factory.createProducer();
            producer.publish(TOPIC);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> factory.getPartitionsForTopic(TOPIC).size() == 4);

            ConsumerTesting.Counting cutOff = new ConsumerTesting.Counting();
            MessageConsumer a = cutFactory.createConsumer(consumerConfig(GROUP, dir.resolve("a")));
            a.subscribe(TOPIC, 1 << 20, cutOff);
            a.completeSubscribe();
            List<Long> before = send(producer, TOPIC, "before", 20);
            await("a consuming")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> cutOff.seen.keySet().containsAll(before));

            link.cut();
            FetchManager aFetch = ((SimpleMessageConsumer) a).fetchManager();
            await("a pausing").atMost(Duration.ofSeconds(10)).until(aFetch::isPaused);

            ConsumerTesting.Counting other = new ConsumerTesting.Counting();
            MessageConsumer b = factory.createConsumer(consumerConfig(GROUP, dir.resolve("b")));
            b.subscribe(TOPIC, 1 << 20, other);
            b.completeSubscribe();
            List<Long> during = send(producer, TOPIC, "during", 20);
            await("b delivering everything sent while a is cut off, once a's session ended")
                    .atMost(Duration.ofSeconds(40))
                    .until(() -> other.seen.keySet().containsAll(during));
            assertThat(cutOff.seen.keySet())
                    .as("a delivered nothing while cut off")
                    .doesNotContainAnyElementsOf(during);

            link.restore();
            await("a fetching again in a new session")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> !aFetch.isPaused() && !aFetch.assignments().isEmpty());
            List<Long> after = send(producer, TOPIC, "after", 20);
            await("everything sent after delivered by the group")
                    .atMost(Duration.ofSeconds(30))
                    .until(() ->
                            after.stream().allMatch(id -> cutOff.seen.containsKey(id) || other.seen.containsKey(id)));
            b.shutdown();
            a.shutdown();
            producer.shutdown();
        } finally {
            if (cutFactory != null) {
                cutFactory.shutdown();
            }
            factory.shutdown();
        }
    }
}
