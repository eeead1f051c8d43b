package io.imago.client.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.broker.BrokerHarness;
import io.imago.client.MetaClientConfig;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.consumer.MessageListener;
import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.internal.rebalance.PartitionAssignment;
import io.imago.client.internal.remoting.RemotingClient;
import io.imago.client.internal.remoting.RemotingConfig;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import io.imago.cluster.Partition;
import io.imago.protocol.command.ResponseCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fetch answer that is waiting in the queue when its partition is revoked (a rebalance moves it)
 * is released: the pooled buffer that holds it goes back to Netty's pool. Drives a
 * {@link FetchManager} as the group coordinator does, against a real broker: its one fetch thread is
 * held in partition 0's listener while partition 1's long-polling get is answered by a new message,
 * so that answer stays queued until the revoke.
 */
@Timeout(60)
class FetchManagerRevokeIT {
    @TempDir
    Path dir;

    @Test
    void anAnswerStillQueuedWhenItsPartitionIsRevokedIsReleased() throws Exception {
        try (BrokerHarness h = BrokerHarness.start(dir.resolve("broker"), "", "[topic=revoke]\nnumPartitions=2\n")) {
            String url = "meta://127.0.0.1:" + h.port();
            MetaMessageSessionFactory producers = new MetaMessageSessionFactory(direct(url));
            try {
                answerQueuedAtRevokeIsReleased(url, producers.createProducer());
            } finally {
                producers.shutdown();
            }
        }
    }

    private void answerQueuedAtRevokeIsReleased(String url, MessageProducer producer) throws Exception {
        producer.publish("revoke");
        long[] ends = sendToBothPartitions(producer);
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        MessageListener listener = new MessageListener() {
            @Override
            public void receiveMessages(Message message) throws Exception {
                if (message.getPartition().getPartition() == 0 && inListener.getCount() > 0) {
                    inListener.countDown();
                    release.await();
                }
            }

            @Override
            public Executor getExecutor() {
                return null;
            }
        };
        Map<String, Subscription> subscriptions =
                Map.of("revoke", new Subscription("revoke", 64 * 1024, listener, null));
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        PartitionAssignment p0 = assignment(0, 0);
        PartitionAssignment p1 = assignment(1, ends[1]); // at the end: its get waits at the broker
        try (RemotingClient remoting = new RemotingClient(RemotingConfig.defaults());
                RecoverManager recover =
                        new RecoverManager(dir.resolve("recover"), "revokers", subscriptions, 60_000, 1, errors::add)) {
            remoting.start();
            remoting.connect(url).get();
            await().atMost(Duration.ofSeconds(10)).until(() -> remoting.supportsLongPoll(url));
            FetchManager fetch = new FetchManager(
                    new FetchSettings(
                            "revokers", 1, 3_000, 200, 2, 1, RemotingConfig.DEFAULT_MAX_REPLY_BODY_BYTES, 20_000),
                    subscriptions,
                    remoting,
                    BrokerLocator.fixed(url),
                    new MessageIdCache(64),
                    recover,
                    errors::add);
            fetch.start();
            try {
                fetch.assigned(List.of(p0, p1));
                await().atMost(Duration.ofSeconds(10)).until(() -> inListener.getCount() == 0);
                FetchTask queued = fetch.task(p1);
                sendTo(producer, 1); // answers partition 1's waiting get while the only fetch thread is busy
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    synchronized (queued) {
                        assertThat(queued.reply)
                                .as(
                                        "answer of %s (ready %s, failure %s, errors %s)",
                                        queued, queued.replyReady, queued.replyFailure, errors)
                                .isNotNull();
                    }
                });
                ResponseCommand reply;
                synchronized (queued) {
                    reply = queued.reply;
                }
                fetch.revoke(List.of(p1));
                assertThat(reply.refCnt())
                        .as("references left on the answer of the revoked partition")
                        .isZero();
            } finally {
                release.countDown();
                fetch.revoke(List.of(p0));
                fetch.close();
            }
        }
        assertThat(errors).isEmpty();
    }

    private static PartitionAssignment assignment(int partition, long offset) {
        Partition p = new Partition(0, partition);
        return new PartitionAssignment("revoke", p, new TopicPartitionRegInfo("revoke", p, offset));
    }

    private static MetaClientConfig direct(String url) {
        MetaClientConfig client = new MetaClientConfig();
        client.setServerUrl(url);
        client.setZkConfig(null);
        return client;
    }

    /** Sends until each of the two partitions holds a message (the broker picks); returns their ends. */
    private static long[] sendToBothPartitions(MessageProducer producer) throws Exception {
        long[] ends = new long[2];
        ends[0] = sendTo(producer, 0);
        ends[1] = sendTo(producer, 1);
        return ends;
    }

    /** Sends until a message lands on {@code partition} (the broker picks); returns the end of that partition. */
    private static long sendTo(MessageProducer producer, int partition) throws Exception {
        for (int i = 0; i < 200; i++) {
            byte[] data = ("r" + i).getBytes(StandardCharsets.UTF_8);
            SendResult r = producer.sendMessage(new Message("revoke", data));
            assertThat(r.isSuccess()).isTrue();
            if (r.getPartition().getPartition() == partition) {
                return r.getOffset() + 20 + data.length;
            }
        }
        throw new AssertionError("the broker never picked partition " + partition);
    }
}
