package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.broker.BrokerHarness;
import io.imago.client.internal.producer.OrderedProducer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The ordered producer keeps each partition's order across a broker restart (issue 4 §3). */
@Timeout(120)
class OrderedProducerIT {
    private static final String TOPIC = "ordered";
    private static final int MESSAGES = 60;

    @TempDir
    Path dir;

    @Test
    void messagesSentWhileTheBrokerIsDownWaitLocallyAndArriveInOrder() throws Exception {
        try (BrokerHarness harness = BrokerHarness.start(dir.resolve("broker"), "",
                "[topic=" + TOPIC + "]\nnumPartitions=2")) {
            MetaClientConfig config = new MetaClientConfig();
            config.setZkConnect(harness.zkConnect());
            config.setZkSessionTimeoutMs(4_000);
            config.setZkConnectionTimeoutMs(4_000);
            config.setOrderedMessageDirectory(dir.resolve("local").toString());
            MetaMessageSessionFactory factory = new MetaMessageSessionFactory(config);
            try {
                MessageProducer producer = factory.createOrderedProducer(new HashPartitionSelector());
                producer.publish(TOPIC);
                Map<String, Partition> partitionOfKey = new HashMap<>();
                for (int i = 0; i < MESSAGES / 3; i++) {
                    SendResult r = producer.sendMessage(message(i));
                    assertThat(r.isSuccess()).isTrue();
                    assertThat(r.getOffset()).isGreaterThanOrEqualTo(0);
                    partitionOfKey.put(key(i), r.getPartition());
                }

                harness.stopBroker();
                for (int i = MESSAGES / 3; i < 2 * MESSAGES / 3; i++) {
                    SendResult r = producer.sendMessage(message(i));
                    assertThat(r.isSuccess()).as("stored locally while the broker is down").isTrue();
                    assertThat(r.getPartition()).isEqualTo(partitionOfKey.get(key(i)));
                }
                OrderedProducer ordered = (OrderedProducer) producer;
                int stored = partitionOfKey.values().stream().distinct()
                        .mapToInt(p -> ordered.pending(TOPIC, p)).sum();
                assertThat(stored).isEqualTo(MESSAGES / 3);

                harness.restartBrokerOnSamePort("", "[topic=" + TOPIC + "]\nnumPartitions=2");
                for (int i = 2 * MESSAGES / 3; i < MESSAGES; i++) {
                    assertThat(producer.sendMessage(message(i)).isSuccess()).isTrue();
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> partitionOfKey.values().stream().distinct()
                        .mapToInt(p -> ordered.pending(TOPIC, p)).sum() == 0);

                TopicBrowser browser = factory.createTopicBrowser(TOPIC);
                Map<String, List<Integer>> received = new HashMap<>();
                for (Iterator<Message> it = browser.iterator(); it.hasNext();) {
                    Message m = it.next();
                    String[] parts = new String(m.getData(), StandardCharsets.UTF_8).split(":");
                    assertThat(m.getPartition()).isEqualTo(partitionOfKey.get(parts[0]));
                    received.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
                }
                browser.shutdown();
                for (Map.Entry<String, List<Integer>> e : received.entrySet()) {
                    assertThat(e.getValue()).as("messages of key %s, in partition order", e.getKey()).isSorted()
                            .doesNotHaveDuplicates();
                }
                assertThat(received.values().stream().mapToInt(List::size).sum()).isEqualTo(MESSAGES);
            } finally {
                factory.shutdown();
            }
        }
    }

    private static String key(int i) {
        return "k" + (i % 3);
    }

    private static Message message(int i) {
        return new Message(TOPIC, (key(i) + ":" + i).getBytes(StandardCharsets.UTF_8), key(i));
    }
}
