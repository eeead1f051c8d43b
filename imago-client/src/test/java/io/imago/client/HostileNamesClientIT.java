package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.Message;
import io.imago.broker.BrokerHarness;
import io.imago.broker.HostileNames;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.MessageListener;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import io.imago.protocol.Names;
import io.imago.store.LogDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

/**
 * Hostile topic and group names through the client: every call that takes a topic (a message, publish,
 * default topic, subscribe, topic browser) or a group (consumer, broadcast consumer) refuses a name that
 * breaks {@link Names}' rule before anything reaches a file or ZooKeeper, and the broker keeps serving.
 */
class HostileNamesClientIT {
    private static final MessageListener IGNORE = new MessageListener() {
        @Override
        public void receiveMessages(Message message) {}

        @Override
        public Executor getExecutor() {
            return null;
        }
    };

    private static Path root;
    private static BrokerHarness harness;
    private static MetaMessageSessionFactory factory;
    private static MessageProducer producer;
    private static CuratorFramework zk;
    private static List<String> zkTreeAtStart;
    private static List<Path> filesAtStart;

    @BeforeContainer
    static void start() throws Exception {
        root = Files.createTempDirectory("imago-hostile-client");
        harness = BrokerHarness.start(root.resolve("broker"), "", "[topic=known]");
        factory = new MetaMessageSessionFactory(ConsumerTesting.zkClient(harness.zkConnect()));
        producer = factory.createProducer();
        producer.publish("known");
        assertThat(producer.sendMessage(new Message("known", ConsumerTesting.bytes("before")))
                        .isSuccess())
                .isTrue();
        zk = CuratorFrameworkFactory.newClient(harness.zkConnect(), new RetryOneTime(100));
        zk.start();
        zkTreeAtStart = zkTree("/");
        filesAtStart = files();
    }

    @AfterContainer
    static void stop() throws Exception {
        try {
            if (zk != null) {
                zk.close();
            }
            ConsumerTesting.shutdown(factory, harness);
        } finally {
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Property(tries = 200)
    void hostileNamesAreRefusedBeforeTheyReachAFileOrZooKeeper(@ForAll("names") String name) throws Exception {
        if (Names.isValidTopic(name)) {
            assertThat(new Message(name, new byte[1]).getTopic()).isEqualTo(name);
        } else {
            assertThatThrownBy(() -> new Message(name, new byte[1])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> producer.publish(name)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> producer.setDefaultTopic(name)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> factory.createTopicBrowser(name)).isInstanceOf(IllegalArgumentException.class);
            MessageConsumer consumer = factory.createConsumer(config("valid-group"));
            try {
                assertThatThrownBy(() -> consumer.subscribe(name, 1024, IGNORE))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("invalid topic name");
            } finally {
                consumer.shutdown();
            }
        }
        if (Names.groupProblem(name).isPresent()) {
            assertThatThrownBy(() -> factory.createConsumer(config(name)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid consumer group name");
        }
        // a broadcast group is <group>-<this host's address>: "CON" becomes a valid "CON-127-0-0-1"
        if (Names.groupProblem(name + "-0").isPresent()) {
            assertThatThrownBy(() -> factory.createBroadcastConsumer(config(name)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid consumer group name");
        }

        assertThat(files()).as("files").isEqualTo(filesAtStart);
        assertThat(zkTree("/")).as("ZooKeeper nodes").isEqualTo(zkTreeAtStart);
        SendResult stillServed = producer.sendMessage(new Message("known", ConsumerTesting.bytes("after")));
        assertThat(stillServed.isSuccess()).as("the broker keeps serving").isTrue();
    }

    private static ConsumerConfig config(String group) {
        return ConsumerTesting.consumerConfig(group, root.resolve("client"));
    }

    /**
     * Every file and directory under the temporary root but the broker's segments (sends grow them) and
     * a checkpoint being rewritten (the store's acknowledged-end marker writes it in the background).
     */
    private static List<Path> files() throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(p -> !p.getFileName().toString().endsWith(".meta"))
                    .filter(p -> !p.getFileName().toString().equals(LogDescriptor.RECOVERY_POINT_TEMP_FILE))
                    .filter(p -> !p.startsWith(root.resolve("broker").resolve("zk")))
                    .sorted()
                    .toList();
        }
    }

    private static List<String> zkTree(String path) throws Exception {
        List<String> all = new ArrayList<>();
        for (String child : zk.getChildren().forPath(path)) {
            String full = path.endsWith("/") ? path + child : path + "/" + child;
            all.add(full);
            all.addAll(zkTree(full));
        }
        all.sort(null);
        return all;
    }

    @Provide
    Arbitrary<String> names() {
        return HostileNames.any();
    }
}
