package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.ValueCommand;
import io.imago.protocol.message.MessageSetIterator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Imago's long-polling {@code get} (an 8th token, {@code maxWaitMs}) over a raw socket. */
@Timeout(60)
class LongPollGetIT {
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
    void aWaitingGetAtTheEndIsAnsweredByTheNextPut() throws Exception {
        harness = BrokerHarness.start(dir, "numPartitions=1", "[topic=lp]");
        try (WireClient consumer = harness.connect(); WireClient producer = harness.connect()) {
            producer.put("lp", 0, "first".getBytes(StandardCharsets.UTF_8), 1);
            ack(producer);
            long end = 20 + 5;
            consumer.send("get lp g 0 " + end + " 1024 10000 7\r\n");
            // nothing there yet: a plain get would be answered 404; this one is answered by the next put
            long sent = System.nanoTime();
            producer.put("lp", 0, "second".getBytes(StandardCharsets.UTF_8), 2);
            ack(producer);
            ValueCommand value = (ValueCommand) consumer.read();
            try {
                assertThat((System.nanoTime() - sent) / 1_000_000).isLessThan(5_000);
                assertThat(value.opaque()).isEqualTo(7);
                MessageSetIterator it = new MessageSetIterator(value.body(), end);
                assertThat(new String(it.next().payload().data(), StandardCharsets.UTF_8)).isEqualTo("second");
            } finally {
                value.release();
            }
        }
    }

    @Test
    void aWaitingGetWithNothingArrivingIsAnswered404AfterItsWait() throws Exception {
        harness = BrokerHarness.start(dir, "numPartitions=1", "[topic=lp]");
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
        harness = BrokerHarness.start(dir, "numPartitions=2", "[topic=lp]");
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
        harness = BrokerHarness.start(dir, "numPartitions=1", "[topic=lp]");
        try (WireClient c = harness.connect()) {
            c.send("get lp g 0 0 1024 10000 9\r\n");
            ResponseCommand reply = c.read(); // well within the test's timeout, not after 10 s
            try {
                assertThat(((ResultCommand) reply).code()).isEqualTo(404);
            } finally {
                reply.release();
            }
        }
    }

    @Test
    void aNegativeWaitIsRefusedAsMalformed() throws Exception {
        harness = BrokerHarness.start(dir, "numPartitions=1", "[topic=lp]");
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

    private static void ack(WireClient c) throws Exception {
        ResultCommand ack = (ResultCommand) c.read();
        try {
            assertThat(ack.code()).isEqualTo(200);
        } finally {
            ack.release();
        }
    }
}
