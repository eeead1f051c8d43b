package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.ValueCommand;
import io.imago.protocol.message.MessageSetIterator;
import io.imago.store.PartitionLog;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Imago's long-polling {@code get} (an 8th token, {@code maxWaitMs}) over a raw socket. A {@link WireClient}
 * read gives up after 10 s, a third of {@link #LONGEST_WAIT_MS}, so a get asking for that wait that is
 * answered within a read was answered by something other than its timer.
 */
@Timeout(60)
class LongPollGetIT {
    /** The longest wait the broker grants (GetProcessor.MAX_WAIT_MS). */
    private static final int LONGEST_WAIT_MS = 30_000;

    @RegisterExtension
    final BrokerHarnessExtension brokers = BrokerHarnessExtension.onDemand();

    @Test
    void aWaitingGetAtTheEndIsAnsweredByTheNextPut() throws Exception {
        BrokerHarness harness = brokers.start("numPartitions=1", "[topic=lp]");
        try (WireClient consumer = harness.connect();
                WireClient producer = harness.connect()) {
            producer.put("lp", 0, "first".getBytes(StandardCharsets.UTF_8), 1);
            ack(producer);
            PartitionLog log =
                    harness.broker().partitions().find("lp", 0).orElseThrow().log();
            long end = 20 + 5;
            assertThat(log.maxOffset()).isEqualTo(end);
            consumer.send("get lp g 0 " + end + " 1024 " + LONGEST_WAIT_MS + " 7\r\n");
            // nothing there yet: a plain get would be answered 404; this one is parked on the log ...
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(log.dataWaiterCount())
                            .as("gets parked on the log")
                            .isEqualTo(1));
            // ... and answered by the next put, long before its wait is over
            producer.put("lp", 0, "second".getBytes(StandardCharsets.UTF_8), 2);
            ack(producer);
            ValueCommand value = (ValueCommand) readBeforeTheWaitIsOver(consumer);
            try {
                assertThat(value.opaque()).isEqualTo(7);
                MessageSetIterator it = new MessageSetIterator(value.body(), end);
                assertThat(new String(it.next().payload().data(), StandardCharsets.UTF_8))
                        .isEqualTo("second");
            } finally {
                value.release();
            }
            assertThat(log.dataWaiterCount())
                    .as("waiters left once the get is answered")
                    .isZero();
        }
    }

    @Test
    void aWaitingGetWithNothingArrivingIsAnswered404AfterItsWait() throws Exception {
        BrokerHarness harness = brokers.start("numPartitions=1", "[topic=lp]");
        try (WireClient consumer = harness.connect()) {
            consumer.put("lp", 0, "x".getBytes(StandardCharsets.UTF_8), 1); // the partition exists from its first put
            ack(consumer);
            long start = System.nanoTime();
            consumer.send("get lp g 0 21 1024 400 9\r\n");
            ResponseCommand reply = consumer.read();
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            try {
                assertThat(reply).isInstanceOf(ResultCommand.class);
                assertThat(((ResultCommand) reply).code()).isEqualTo(404);
                assertThat(reply.opaque()).isEqualTo(9);
                assertThat(tookMs).isBetween(350L, 10_000L);
            } finally {
                reply.release();
            }
        }
    }

    @Test
    void waitingGetsDoNotHoldUpOtherRequestsOnTheSameConnection() throws Exception {
        BrokerHarness harness = brokers.start("numPartitions=2", "[topic=lp]");
        try (WireClient c = harness.connect()) {
            c.put("lp", 0, "w".getBytes(StandardCharsets.UTF_8), 0);
            ack(c);
            c.put("lp", 1, "x".getBytes(StandardCharsets.UTF_8), 1);
            ack(c);
            c.send("get lp g 0 21 1024 5000 2\r\n"); // at the end of partition 0: waits
            c.send("get lp g 1 0 1024 5000 3\r\n"); // partition 1 has data: answered at once
            ResponseCommand first = c.read();
            try {
                assertThat(first).isInstanceOf(ValueCommand.class);
                assertThat(first.opaque()).isEqualTo(3);
            } finally {
                first.release();
            }
            c.put("lp", 0, "y".getBytes(StandardCharsets.UTF_8), 4);
            List<ResponseCommand> rest = c.read(2);
            try {
                assertThat(rest).extracting(ResponseCommand::opaque).containsExactlyInAnyOrder(2, 4);
            } finally {
                rest.forEach(ResponseCommand::release);
            }
        }
    }

    @Test
    void aPartitionNotCreatedYetIsAnswered404AtOnceAsByAPlainGet() throws Exception {
        BrokerHarness harness = brokers.start("numPartitions=1", "[topic=lp]");
        try (WireClient c = harness.connect()) {
            // requests of a connection are handled in order: answered at once, the get's 404 comes before
            // the version's reply; a parked get would come after it
            c.send("get lp g 0 0 1024 " + LONGEST_WAIT_MS + " 9\r\n").send("version 10\r\n");
            ResponseCommand first = c.read();
            try {
                assertThat(first.opaque())
                        .as("the first reply's opaque (9: the get, 10: the version)")
                        .isEqualTo(9);
                assertThat(((ResultCommand) first).code()).isEqualTo(404);
            } finally {
                first.release();
            }
            ResponseCommand second = c.read();
            try {
                assertThat(second.opaque()).isEqualTo(10);
            } finally {
                second.release();
            }
        }
        assertThat(harness.broker().partitions().find("lp", 0))
                .as("partition lp-0 after the get")
                .isEmpty();
    }

    @Test
    void aNegativeWaitIsRefusedAsMalformed() throws Exception {
        BrokerHarness harness = brokers.start("numPartitions=1", "[topic=lp]");
        try (WireClient c = harness.connect()) {
            c.send("get lp g 0 0 1024 -5 9\r\n");
            ResponseCommand reply = c.read();
            try {
                assertThat(((ResultCommand) reply).code()).isEqualTo(500);
            } finally {
                reply.release();
            }
            assertThat(c.closedByBroker(5_000)).isTrue();
        }
    }

    /** The next reply, which must come before a get waiting {@link #LONGEST_WAIT_MS} would time out. */
    private static ResponseCommand readBeforeTheWaitIsOver(WireClient c) throws IOException {
        try {
            return c.read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError(
                    "no reply within the client's read timeout (10 s): the get waiting up to " + LONGEST_WAIT_MS
                            + " ms was not answered by the put",
                    e);
        }
    }

    private static void ack(WireClient c) throws Exception {
        ResultCommand ack = (ResultCommand) c.read();
        try {
            assertThat(ack.code()).isEqualTo(200);
        } finally {
            ack.release();
        }
    }
}
