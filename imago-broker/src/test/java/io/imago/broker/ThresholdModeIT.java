package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.protocol.command.ResultCommand;
import io.imago.store.LogDescriptor;
import io.imago.store.fs.FaultInjectingStorageIo;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Threshold mode ({@code unflushThreshold > 0}) through a whole broker over the fault-injecting seam
 * (issue 13 section 2 item 6): the interval fsync does not wait for retention.
 */
@Timeout(120)
class ThresholdModeIT {
    private static final String TOPIC = "[topic=test]";

    @RegisterExtension
    final BrokerHarnessExtension brokers = BrokerHarnessExtension.onDemand();

    @Test
    void theIntervalFsyncHappensWhileARetentionPassIsHeldInADelete() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        // a 120-byte record fills a segment: the first put seals segment 0, which expires after a second
        BrokerHarness harness = brokers.start(
                "unflushThreshold=1000\nunflushInterval=1000\nmaxSegmentSize=100\n"
                        + "deletePolicy=delete,1s\ndeleteWhen=* * * * * ?",
                TOPIC,
                io);
        FaultInjectingStorageIo.Gate deletes =
                io.holdDeletes(p -> p.getFileName().toString().endsWith(LogDescriptor.SEGMENT_SUFFIX));
        try (WireClient c = harness.connect()) {
            assertThat(put(c, new byte[100], 1)).isEqualTo(200);
            assertThat(deletes.awaitHeld(30, TimeUnit.SECONDS))
                    .as("a retention pass is held deleting the expired segment")
                    .isTrue();

            // more than the interval has passed since the last fsync: this put's write asks for one at once
            long beforeA = io.fsyncCount();
            assertThat(put(c, new byte[] {1}, 2)).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> io.fsyncCount() > beforeA);

            // this one comes within the interval: only the periodic flusher fsyncs it, an interval later
            long beforeB = io.fsyncCount();
            assertThat(put(c, new byte[] {2}, 3)).isEqualTo(200);
            await().atMost(Duration.ofSeconds(4))
                    .alias("the interval fsync of the last put, while retention is still held")
                    .until(() -> io.fsyncCount() > beforeB);
        } finally {
            deletes.open();
        }
    }

    private static int put(WireClient c, byte[] body, int opaque) throws IOException {
        c.put("test", 0, body, opaque);
        ResultCommand reply = (ResultCommand) c.read();
        try {
            return reply.code();
        } finally {
            reply.release();
        }
    }
}
