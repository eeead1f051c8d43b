package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.ValueCommand;
import io.imago.store.LogDescriptor;
import io.imago.store.PartitionLog;
import io.imago.store.fs.FaultInjectingStorageIo;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Threshold mode ({@code unflushThreshold > 0}) through a whole broker over the fault-injecting seam
 * (issue 13 section 2 item 6): the interval fsync does not wait for retention, and after a power loss a
 * consumer's offset past the recovered end is answered without bytes.
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

    @Test
    void aGetPastTheEndRecoveredAfterAPowerLossAnswers404WithoutBytes() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        BrokerHarness harness = lostTail(io);
        try (WireClient c = harness.connect()) {
            assertThat(log(harness).maxOffset()).as("the recovered end").isEqualTo(60);
            ResultCommand past = get(c, 90);
            assertThat(past.code()).isEqualTo(404);
            assertThat(past.text()).isEqualTo("Could not find message at position 90");
            past.release();
            ResultCommand atEnd = get(c, 60);
            assertThat(atEnd.code()).isEqualTo(404);
            atEnd.release();
            c.send("offset test g 0 " + Long.MAX_VALUE + " 7\r\n");
            ResultCommand end = (ResultCommand) c.read();
            assertThat(end.text())
                    .as("the end the Imago client asks for when a get is answered 404")
                    .isEqualTo("60");
            end.release();
        }
    }

    @Test
    void aGetPastTheEndRecoveredAfterAPowerLossAnswers301ToTheEndWhenTheBrokerUpdatesOffsets() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        BrokerHarness harness = lostTail(io);
        harness.stopBroker();
        harness.startBroker(new FaultInjectingStorageIo(), "unflushThreshold=2\nupdateConsumerOffsets=true", TOPIC);
        try (WireClient c = harness.connect()) {
            ResultCommand past = get(c, 90);
            assertThat(past.code()).isEqualTo(301);
            assertThat(past.text()).isEqualTo("60");
            past.release();
        }
    }

    /**
     * Once puts after the restart have grown the log past a lost offset, the offset lies inside a new
     * record. The broker serves it as is (spec section 1.4 get step 6, as MetaQ): no record boundary is
     * known without reading from the segment start. The consumer finds the bytes fail their checksum and
     * asks {@code offset}, which answers the segment start, a record boundary.
     */
    @Test
    void aLostOffsetInsideARecordWrittenAfterTheRestartIsServedAsIsAndOffsetAnswersARecordBoundary() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        BrokerHarness harness = lostTail(io);
        try (WireClient c = harness.connect()) {
            byte[] body = new byte[100];
            Arrays.fill(body, (byte) 'x');
            assertThat(put(c, body, 5)).isEqualTo(200); // the record at [60, 180)
            c.send("get test g 0 90 1024 6\r\n");
            ValueCommand value = (ValueCommand) c.read();
            try {
                assertThat(value.body().readableBytes())
                        .as("from offset 90 to the end of the log")
                        .isEqualTo(90);
                byte[] served = new byte[90];
                value.body().readBytes(served);
                byte[] expected = new byte[90];
                Arrays.fill(expected, (byte) 'x');
                assertThat(served)
                        .as("the payload of the new record, from its 11th byte")
                        .isEqualTo(expected);
            } finally {
                value.release();
            }
            c.send("offset test g 0 90 7\r\n");
            ResultCommand nearest = (ResultCommand) c.read();
            assertThat(nearest.text()).as("the start of the segment").isEqualTo("0");
            nearest.release();
        }
    }

    /**
     * Threshold 2: two records are fsynced, a third ([60, 90)) is acknowledged and read by a consumer
     * (whose offset is then 90), then the power fails; the broker is restarted over the same data.
     */
    private BrokerHarness lostTail(FaultInjectingStorageIo io) throws Exception {
        BrokerHarness harness = brokers.start("unflushThreshold=2\nunflushInterval=600000", TOPIC, io);
        try (WireClient c = harness.connect()) {
            long before = io.fsyncCount();
            assertThat(put(c, new byte[10], 1)).isEqualTo(200);
            assertThat(put(c, new byte[10], 2)).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> io.fsyncCount() > before);
            assertThat(put(c, new byte[10], 3)).isEqualTo(200);
            c.send("get test g 0 60 1024 4\r\n");
            ResponseCommand unflushed = c.read();
            assertThat(unflushed).as("a consumer reads the unflushed record").isInstanceOf(ValueCommand.class);
            assertThat(unflushed.content().readableBytes()).isEqualTo(30);
            unflushed.release();
        }
        io.simulatePowerLoss();
        harness.stopBroker();
        harness.startBroker(new FaultInjectingStorageIo(), "unflushThreshold=2\nunflushInterval=600000", TOPIC);
        return harness;
    }

    private static PartitionLog log(BrokerHarness harness) {
        return harness.broker().partitions().find("test", 0).orElseThrow().log();
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

    private static ResultCommand get(WireClient c, long offset) throws IOException {
        c.send("get test g 0 " + offset + " 1024 9\r\n");
        return (ResultCommand) c.read();
    }
}
