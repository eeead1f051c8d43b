package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.ValueCommand;
import io.imago.store.fs.FaultInjectingStorageIo;
import io.imago.store.fs.FaultInjectingStorageIo.Gate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The first put of a partition creates it (directory, first segment, fsyncs) on an opener thread, not
 * on the network thread (issue 13 §1): while the creation of {@code test-1} is held at an fsync, the
 * same connection — so the same event loop — is still served; the puts that wait for the partition go
 * on in the order they arrived; and a put whose partition is still being created when the broker closes
 * is answered, not left hanging.
 */
@Timeout(60)
@LeavesNoThreads({"imago-partition-opener-"})
class PartitionCreationIT {
    private static final String TOPIC = "[topic=test]\nnumPartitions=2";

    @RegisterExtension
    final BrokerHarnessExtension brokers = BrokerHarnessExtension.onDemand();

    /** A fault seam whose faults hit only the files of partition {@code test-1} (its gate: {@code holdOpens}). */
    private static FaultInjectingStorageIo partitionOneSeam() {
        return new FaultInjectingStorageIo().faultTarget(PartitionCreationIT::inPartitionOne);
    }

    private static boolean inPartitionOne(Path file) {
        Path dir = file.getParent();
        return dir != null && dir.getFileName().toString().equals("test-1");
    }

    @Test
    void whileAPartitionIsBeingCreatedItsConnectionsOtherRequestsAreAnswered() throws Exception {
        FaultInjectingStorageIo io = partitionOneSeam();
        BrokerHarness harness = brokers.start("", TOPIC, io);
        Gate gate = io.holdOpens(PartitionCreationIT::inPartitionOne);
        try (WireClient c = harness.connect()) {
            assertThat(code(put(c, 0, "existing", 1))).isEqualTo(200);

            c.put("test", 1, utf8("first of test-1"), 2);
            assertThat(gate.awaitHeld(10, TimeUnit.SECONDS))
                    .as("the creation of test-1 is held at an fsync")
                    .isTrue();

            // same connection, so same event loop: answered while test-1 is still being created
            c.put("test", 0, utf8("while test-1 is created"), 3);
            c.send("get test g 0 0 1024 4\r\n");
            Map<Integer, ResponseCommand> replies = byOpaque(c, 2);
            assertThat(replies).containsOnlyKeys(3, 4);
            assertThat(((ResultCommand) replies.get(3)).code()).isEqualTo(200);
            assertThat(replies.get(4)).as("the get of test-0").isInstanceOf(ValueCommand.class);
            replies.values().forEach(ResponseCommand::release);

            gate.open();
            ResultCommand created = (ResultCommand) c.read();
            assertThat(created.opaque()).isEqualTo(2);
            assertThat(created.code()).isEqualTo(200);
            assertThat(created.text()).endsWith(" 1 0");
            created.release();
        } finally {
            gate.open();
        }
    }

    @Test
    void putsWaitingForTheirPartitionAreAppendedInTheOrderTheyArrived() throws Exception {
        FaultInjectingStorageIo io = partitionOneSeam();
        BrokerHarness harness = brokers.start("", TOPIC, io);
        Gate gate = io.holdOpens(PartitionCreationIT::inPartitionOne);
        try (WireClient c = harness.connect();
                WireClient other = harness.connect()) {
            c.put("test", 1, utf8("a"), 1);
            assertThat(gate.awaitHeld(10, TimeUnit.SECONDS)).isTrue();
            c.send(WireClient.putbFrame("test", 1, List.of("b", "c"), 2));
            c.put("test", 1, utf8("d"), 3);
            other.put("test", 1, utf8("from another connection"), 9);
            gate.open();

            Map<Integer, ResponseCommand> replies = byOpaque(c, 3);
            long a = offset(replies.get(1));
            long bc = offset(replies.get(2));
            long d = offset(replies.get(3));
            assertThat(a).as("offsets in arrival order").isLessThan(bc);
            assertThat(bc).isLessThan(d);
            ResultCommand fromOther = (ResultCommand) other.read();
            assertThat(fromOther.code()).isEqualTo(200);
            assertThat(offset(fromOther)).isNotIn(a, bc, d);
            assertThat(harness.broker().partitions().find("test", 1)).isPresent();
        } finally {
            gate.open();
        }
    }

    @Test
    void aPutWhosePartitionIsStillBeingCreatedWhenTheBrokerClosesIsRefused() throws Exception {
        FaultInjectingStorageIo io = partitionOneSeam();
        BrokerHarness harness = brokers.start("", TOPIC, io);
        Gate gate = io.holdOpens(PartitionCreationIT::inPartitionOne);
        try (WireClient c = harness.connect()) {
            c.put("test", 1, utf8("racing the close"), 5);
            assertThat(gate.awaitHeld(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(harness::stopBroker);
            Thread closer = closerThread();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> closer.getState() == Thread.State.TIMED_WAITING
                            && stackHas(closer, "PartitionRegistry.close"));
            gate.open();

            ResultCommand refused = (ResultCommand) c.read();
            assertThat(refused.opaque()).isEqualTo(5);
            assertThat(refused.code()).isEqualTo(500);
            assertThat(refused.text())
                    .isEqualTo("Put message to [broker 'meta://127.0.0.1:" + harness.port()
                            + "'] [partition 'test-1'] failed.");
            refused.release();
            closing.get(30, TimeUnit.SECONDS);
        } finally {
            gate.open();
        }
    }

    /** The thread running {@code Broker.close}, found by its stack. */
    private static Thread closerThread() {
        return await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> Thread.getAllStackTraces().keySet().stream()
                                .filter(t -> stackHas(t, "io.imago.broker.Broker.close"))
                                .findFirst()
                                .orElse(null),
                        t -> t != null);
    }

    private static boolean stackHas(Thread t, String method) {
        for (StackTraceElement e : t.getStackTrace()) {
            if ((e.getClassName() + "." + e.getMethodName()).endsWith(method)) {
                return true;
            }
        }
        return false;
    }

    private static Map<Integer, ResponseCommand> byOpaque(WireClient c, int count) throws Exception {
        Map<Integer, ResponseCommand> replies = new HashMap<>();
        for (ResponseCommand r : c.read(count)) {
            replies.put(r.opaque(), r);
        }
        return replies;
    }

    /** The offset of a put or putb reply ({@code <id> <partition> <offset> [<count>]}); releases it. */
    private static long offset(ResponseCommand reply) {
        ResultCommand result = (ResultCommand) reply;
        try {
            assertThat(result.code()).as(result.text()).isEqualTo(200);
            return Long.parseLong(result.text().split(" ")[2]);
        } finally {
            result.release();
        }
    }

    private static ResultCommand put(WireClient c, int partition, String body, int opaque) throws Exception {
        c.put("test", partition, utf8(body), opaque);
        return (ResultCommand) c.read();
    }

    private static int code(ResultCommand reply) {
        int code = reply.code();
        reply.release();
        return code;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
