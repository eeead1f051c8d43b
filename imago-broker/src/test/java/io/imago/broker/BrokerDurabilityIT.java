package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.broker.partition.PartitionEntry;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.store.PartitionLog;
import io.imago.store.fs.FaultInjectingStorageIo;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A whole broker over the store's fault-injecting filesystem seam. */
@Timeout(120)
class BrokerDurabilityIT {
    /** Queued bytes past which the broker stops reading a connection's puts (PutProcessor.InFlight). */
    private static final long PAUSE_QUEUED_BYTES = 64L << 20;
    /**
     * Most bytes a paused connection may have queued: the pause threshold plus what the broker had read
     * before pausing, well under the 160 MiB the writer tries to send.
     */
    private static final long QUEUED_BYTES_LIMIT = 96L << 20;

    @RegisterExtension
    final BrokerHarnessExtension brokers = BrokerHarnessExtension.onDemand();

    @Test
    void aPutWhoseFsyncFailsIsAnsweredWithAnErrorAndLaterPutsAreRefused() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        BrokerHarness harness = brokers.start("", "[topic=test]", io);
        try (WireClient c = harness.connect()) {
            c.put("test", 0, new byte[] {1}, 1);
            assertThat(((ResultCommand) c.read()).code()).isEqualTo(200);

            io.failNextFsync();
            c.put("test", 0, new byte[] {2}, 2);
            ResultCommand failed = (ResultCommand) c.read();
            assertThat(failed.code()).isEqualTo(500);
            assertThat(failed.text()).startsWith("Put message to [broker 'meta://127.0.0.1:");
            failed.release();

            c.put("test", 0, new byte[] {3}, 3);
            ResultCommand refused = (ResultCommand) c.read();
            assertThat(refused.code())
                    .as("nothing is acknowledged after a failed fsync")
                    .isEqualTo(500);
            refused.release();
        }
        PartitionEntry partition = harness.broker().partitions().find("test", 0).orElseThrow();
        assertThat(partition.log().isOnline()).isFalse();
        assertThat(partition.log().maxOffset())
                .as("only the first, fsynced record is visible")
                .isEqualTo(21);
    }

    @Test
    void aConnectionPipeliningFasterThanTheDiskIsPausedInsteadOfBuffered() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        BrokerHarness harness = brokers.start("maxMessageSize=1048576", "[topic=test]", io);
        int messages = 160;
        byte[] body = new byte[1 << 20];
        CompletableFuture<Void> writing = new CompletableFuture<>();
        FaultInjectingStorageIo.FsyncGate gate = null;
        Thread writer = null;
        try (WireClient c = harness.connect()) {
            c.put("test", 0, new byte[] {0}, 0);
            c.read().release();
            PartitionLog log =
                    harness.broker().partitions().find("test", 0).orElseThrow().log();
            gate = io.holdFsyncs();
            writer = new Thread(
                    () -> {
                        try {
                            for (int i = 1; i <= messages; i++) {
                                c.put("test", 0, body, i);
                            }
                            writing.complete(null);
                        } catch (Throwable t) {
                            writing.completeExceptionally(t);
                        }
                    },
                    "pipelining-writer");
            writer.start();
            assertThat(gate.awaitHeld(30, TimeUnit.SECONDS))
                    .as("the first pipelined put reached its fsync")
                    .isTrue();
            // the broker reads the puts until the partition's queue passes the pause threshold ...
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(log.queuedBytes())
                            .as("bytes queued for the held fsync")
                            .isGreaterThan(PAUSE_QUEUED_BYTES));
            // ... then stops reading the connection: while the fsync is held the queue stays there and the
            // writer, blocked by TCP flow control, cannot get the rest of its puts out
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(writing).as("the writer while the fsync is held").isNotDone();
                assertThat(log.queuedBytes())
                        .as("bytes queued for the held fsync")
                        .isLessThan(QUEUED_BYTES_LIMIT);
            });

            gate.open();
            assertThat(writing).as("the writer once the fsync passes").succeedsWithin(Duration.ofSeconds(60));
            writer.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(writer.isAlive()).as("the writer thread ended").isFalse();
            List<ResponseCommand> acks = c.read(messages);
            Set<Integer> opaques = new HashSet<>();
            for (ResponseCommand ack : acks) {
                assertThat(((ResultCommand) ack).code()).isEqualTo(200);
                opaques.add(ack.opaque());
                ack.release();
            }
            assertThat(opaques).hasSize(messages);
        } finally {
            if (gate != null) {
                gate.open();
            }
            if (writer != null) {
                writer.join(TimeUnit.SECONDS.toMillis(10)); // the connection is closed: a blocked put fails
            }
        }
    }
}
