package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.broker.store.PartitionEntry;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.store.io.FaultInjectingStorageIo;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A whole broker over the store's fault-injecting filesystem seam. */
@Timeout(120)
class BrokerDurabilityIT {
    @TempDir
    Path dir;
    private BrokerHarness harness;

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void aPutWhoseFsyncFailsIsAnsweredWithAnErrorAndLaterPutsAreRefused() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        harness = BrokerHarness.start(dir, "", "[topic=test]", io);
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
            assertThat(refused.code()).as("nothing is acknowledged after a failed fsync").isEqualTo(500);
            refused.release();
        }
        PartitionEntry partition = harness.broker().partitions().find("test", 0).orElseThrow();
        assertThat(partition.log().isOnline()).isFalse();
        assertThat(partition.log().maxOffset()).as("only the first, fsynced record is visible").isEqualTo(21);
    }

    @Test
    void aConnectionPipeliningFasterThanTheDiskIsPausedInsteadOfBuffered() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        harness = BrokerHarness.start(dir, "maxMessageSize=1048576", "[topic=test]", io);
        int messages = 160;
        byte[] body = new byte[1 << 20];
        try (WireClient c = harness.connect()) {
            c.put("test", 0, new byte[] {0}, 0);
            c.read().release();
            PartitionEntry partition = harness.broker().partitions().find("test", 0).orElseThrow();
            FaultInjectingStorageIo.FsyncGate gate = io.holdFsyncs();
            AtomicLong maxQueued = new AtomicLong();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 1; i <= messages; i++) {
                        c.put("test", 0, body, i);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            assertThat(gate.awaitHeld(30, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < deadline) {
                maxQueued.accumulateAndGet(partition.log().queuedBytes(), Math::max);
                Thread.onSpinWait();
            }
            assertThat(writer.isAlive()).as("the client is blocked by TCP flow control").isTrue();
            assertThat(maxQueued.get()).as("queued bytes stay near the pause threshold")
                    .isLessThan(96L << 20);
            gate.open();
            writer.join(60_000);
            List<ResponseCommand> acks = c.read(messages);
            Set<Integer> opaques = new HashSet<>();
            for (ResponseCommand ack : acks) {
                assertThat(((ResultCommand) ack).code()).isEqualTo(200);
                opaques.add(ack.opaque());
                ack.release();
            }
            assertThat(opaques).hasSize(messages);
        }
    }
}
