package io.imago.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.Message;
import io.imago.broker.BrokerHarness;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.broker.partition.DataDirLock;
import io.imago.client.MetaClientConfig;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.MessageListener;
import io.imago.protocol.zk.OffsetNodeData;
import io.imago.store.LogConfig;
import io.imago.store.PartitionLog;
import io.imago.store.fs.FileChannelStorageIo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every {@code bin/imago} tool against a real broker and ZooKeeper in this JVM, run through picocli's
 * {@code execute} with standard output and error captured: what each prints and the exit code.
 */
@Timeout(60)
class CliToolsIT {
    @RegisterExtension
    static final BrokerHarnessExtension BROKER = BrokerHarnessExtension.of(
            "",
            "[topic=orders]\nnumPartitions=2\n[topic=audit]\nnumPartitions=2\n[topic=reset]\nnumPartitions=1\n"
                    + "[topic=idle]\nnumPartitions=1\n[topic=bounds]\nnumPartitions=1\n");

    @TempDir
    static Path dir;

    static CuratorFramework zk;

    @BeforeAll
    static void start() throws Exception {
        zk = CuratorFrameworkFactory.newClient(BROKER.harness().zkConnect(), new RetryOneTime(100));
        zk.start();
    }

    @AfterAll
    static void stop() {
        if (zk != null) {
            zk.close();
        }
    }

    /** The outcome of one command. */
    record Run(int exitCode, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
        }
    }

    static Run run(String stdin, String... args) {
        CommandLine cli = ImagoCli.commandLine(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString().replace("\r", ""), err.toString());
    }

    static Run imago(String... args) {
        return run("", args);
    }

    /** Adds --zk of the harness after the subcommand words. */
    static String[] zkArgs(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--zk");
        all.add(BROKER.harness().zkConnect());
        return all.toArray(String[]::new);
    }

    static Run produce(String topic, String lines) {
        return run(lines, zkArgs("produce", "--topic", topic));
    }

    static Run consume(String topic, String group, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "consume",
                "--topic",
                topic,
                "--group",
                group,
                "--recover-dir",
                dir.resolve("recover").toString()));
        args.addAll(List.of(more));
        return imago(zkArgs(args.toArray(String[]::new)));
    }

    @Test
    void produceSendsEachLineAndSaysWhereItWent() {
        Run r = produce("orders", "one\ntwo\nthree\n");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.lines()).hasSize(4);
        assertThat(r.lines().subList(0, 3)).allMatch(l -> l.matches("sent -?\\d+ to 0-[01] at offset \\d+"));
        assertThat(r.lines().get(3)).isEqualTo("3 sent, 0 failed");
    }

    @Test
    void produceWithBrokerSendsStraightToThatBroker() {
        Run r = run(
                "direct\n",
                "produce",
                "--topic",
                "orders",
                "--broker",
                "127.0.0.1:" + BROKER.harness().port());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.lines()).hasSize(2);
        assertThat(r.lines().get(0)).matches("sent -?\\d+ to -1-[01] at offset \\d+");
    }

    @Test
    void produceFailsWithExitOneWhenNoBrokerServesTheTopic() {
        Run r = produce("nowhere", "x\n");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("0 sent, 1 failed");
    }

    @Test
    void aTopicNameThatBreaksTheNamingRuleIsAUsageErrorOnOneLine() {
        Run r = produce("../escape", "x\n");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo("imago produce: invalid topic name '../escape': character '/' at index 2 "
                        + "is not allowed; use ASCII letters, digits, '_', '-', '.'");
        assertThat(dir.resolve("escape-0")).doesNotExist();
        Run c = consume("ok", "bad/group", "--max-messages", "1");
        assertThat(c.exitCode()).isNotZero();
        assertThat(c.err()).contains("invalid consumer group name 'bad/group'");
    }

    @Test
    void consumeStopsAfterMaxMessagesAndTheNextRunGetsTheRest() {
        assertThat(produce("audit", "a\nb\nc\n").exitCode()).isZero();

        Run first = consume("audit", "auditors", "--from-beginning", "--max-messages", "2", "--timeout-ms", "5000");
        // The partition the first run acknowledged nothing of has no committed offset: --from-beginning
        // starts it at its first message.
        Run second = consume("audit", "auditors", "--from-beginning", "--timeout-ms", "3000");

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.lines()).hasSize(2);
        assertThat(first.err()).contains("consumed 2 message(s)");
        assertThat(second.exitCode()).isZero();
        List<String> all = new ArrayList<>(first.lines());
        all.addAll(second.lines());
        assertThat(all).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void consumeOfANewGroupStartsAtTheEndAndExitsWhenIdle() {
        assertThat(produce("idle", "old\n").exitCode()).isZero();

        Run r = consume("idle", "latecomers", "--timeout-ms", "1000", "--show-position");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("consumed 0 message(s)");
    }

    @Test
    void topicsListAndDescribeShowPartitionsOffsetsAndSizes() {
        assertThat(produce("orders", "x\ny\n").exitCode()).isZero();

        Run list = imago(zkArgs("topics", "list"));
        Run describe = imago(zkArgs("topics", "describe", "orders"));

        assertThat(list.exitCode()).isZero();
        assertThat(list.lines()).anyMatch(l -> l.matches("orders\\s+1\\s+2\\s+[1-9]\\d*"));
        assertThat(describe.exitCode()).isZero();
        String broker = "meta://127.0.0.1:" + BROKER.harness().port();
        assertThat(describe.lines()).anyMatch(l -> l.matches("0-0\\s+" + broker + "\\s+0\\s+[1-9]\\d*\\s+[1-9]\\d*"));
        assertThat(describe.lines()).anyMatch(l -> l.matches("0-1\\s+" + broker + "\\s+0\\s+[1-9]\\d*\\s+[1-9]\\d*"));
    }

    @Test
    void describingAnUnknownTopicFailsWithExitOne() {
        Run r = imago(zkArgs("topics", "describe", "no-such-topic"));

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("no live broker registers topic no-such-topic");
    }

    @Test
    void groupsListAndDescribeShowCommittedEndAndLagNeverNegative() throws Exception {
        assertThat(produce("orders", "p\nq\n").exitCode()).isZero();
        assertThat(consume("orders", "billing", "--from-beginning", "--timeout-ms", "1500")
                        .exitCode())
                .isZero();
        assertThat(produce("orders", "r\n").exitCode()).isZero();
        // A committed offset past the end (a partition truncated behind the group's back) never shows a negative lag.
        zk.setData()
                .forPath("/meta/consumers/billing/offsets/orders/0-1", "-1-999999".getBytes(StandardCharsets.UTF_8));

        Run list = imago(zkArgs("groups", "list"));
        Run describe = imago(zkArgs("groups", "describe", "billing"));

        assertThat(list.lines()).anyMatch(l -> l.matches("billing\\s+0\\s+orders"));
        assertThat(describe.exitCode()).isZero();
        assertThat(describe.lines()).anyMatch(l -> l.matches("orders\\s+0-1\\s+-\\s+999999\\s+\\d+\\s+0"));
        assertThat(describe.lines()).anyMatch(l -> l.matches("orders\\s+0-0\\s+-\\s+\\d+\\s+\\d+\\s+\\d+"));
        assertThat(describe.lines())
                .filteredOn(l -> l.startsWith("orders"))
                .hasSize(2)
                .allMatch(l -> l.matches(".*\\s(\\d+)$"), "a lag of zero or more");
    }

    @Test
    void resetOffsetsPrintsThePlanAndChangesOnlyWithExecute() throws Exception {
        Run produced = produce("reset", "m1\nm2\n");
        assertThat(produced.exitCode()).isZero();
        long end = Long.parseLong(produced.lines().get(1).replaceAll(".* at offset ", "")) + 100;
        assertThat(consume("reset", "replayers", "--from-beginning", "--timeout-ms", "1500")
                        .lines())
                .hasSize(2);
        String node = "/meta/consumers/replayers/offsets/reset/0-0";
        String before = new String(zk.getData().forPath(node), StandardCharsets.UTF_8);
        assertThat(OffsetNodeData.decode(before).offset()).isGreaterThan(0).isLessThan(end);

        Run dry = imago(zkArgs("groups", "reset-offsets", "replayers", "--topic", "reset", "--to-earliest"));
        assertThat(dry.exitCode()).isZero();
        assertThat(dry.out())
                .containsPattern(
                        "reset\\s+0-0\\s+" + OffsetNodeData.decode(before).offset() + "\\s+0\n")
                .contains("dry run: nothing changed");
        assertThat(new String(zk.getData().forPath(node), StandardCharsets.UTF_8))
                .isEqualTo(before);

        Run executed =
                imago(zkArgs("groups", "reset-offsets", "replayers", "--topic", "reset", "--to-earliest", "--execute"));
        assertThat(executed.exitCode()).isZero();
        assertThat(executed.out()).contains("reset 1 partition(s) of group replayers on topic reset");
        String after = new String(zk.getData().forPath(node), StandardCharsets.UTF_8);
        assertThat(OffsetNodeData.decode(after).offset()).isZero();
        assertThat(consume("reset", "replayers", "--timeout-ms", "1500").lines())
                .containsExactly("m1", "m2");
    }

    @Test
    void resetOffsetsRefusesWhileTheGroupHasLiveMembers() throws Exception {
        MetaClientConfig config = new MetaClientConfig();
        config.setZkConnect(BROKER.harness().zkConnect());
        MetaMessageSessionFactory factory = new MetaMessageSessionFactory(config);
        try {
            ConsumerConfig cc = new ConsumerConfig("busy");
            cc.setRecoverDirectory(dir.resolve("recover").toString());
            MessageConsumer member = factory.createConsumer(cc);
            member.subscribe("reset", 1024 * 1024, new MessageListener() {
                @Override
                public void receiveMessages(Message message) {
                    // consumes and forgets
                }

                @Override
                public Executor getExecutor() {
                    return null;
                }
            });
            member.completeSubscribe();

            Run r = imago(zkArgs("groups", "reset-offsets", "busy", "--topic", "reset", "--to-latest", "--execute"));

            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).contains("group busy has 1 live member(s)").contains("nothing changed");
            assertThat(zk.checkExists().forPath("/meta/consumers/busy/offsets/reset/0-0"))
                    .isNull();
        } finally {
            factory.shutdown();
        }
    }

    @Test
    void resetOffsetsRefusesAnOffsetOutsideThePartition() {
        assertThat(produce("bounds", "z\n").exitCode()).isZero();

        Run r = imago(zkArgs("groups", "reset-offsets", "nobody", "--topic", "bounds", "--to-offset", "99999999"));

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("offset 99999999 is outside");
    }

    @Test
    void groupsDescribeSaysUnknownWhileAPartitionsBrokerIsDown() throws Exception {
        BrokerHarness other =
                BROKER.harness().startAnother(dir.resolve("broker1"), 1, "", "[topic=remote]\nnumPartitions=1\n");
        try {
            assertThat(produce("remote", "far\n").exitCode()).isZero();
            assertThat(consume("remote", "watchers", "--from-beginning", "--timeout-ms", "1500")
                            .lines())
                    .containsExactly("far");
        } finally {
            other.close();
        }

        Run r = imago(zkArgs("groups", "describe", "watchers"));

        assertThat(r.exitCode()).isZero();
        assertThat(r.lines()).anyMatch(l -> l.matches("remote\\s+1-0\\s+-\\s+\\d+\\s+unknown\\s+unknown"));
    }

    @Test
    void statsPrintsTheRawLinesOfOneBrokerOrOfEveryBroker() {
        assertThat(produce("orders", "s1\ns2\n").exitCode()).isZero();
        Run summary = imago("stats", "--broker", "127.0.0.1:" + BROKER.harness().port());
        Run offsets = imago("stats", "--broker", "127.0.0.1:" + BROKER.harness().port(), "offsets");
        Run all = imago(zkArgs("stats", "--all", "topics"));

        assertThat(summary.exitCode()).isZero();
        assertThat(summary.lines()).contains("broker_id 0", "slave false");
        assertThat(offsets.lines()).anyMatch(l -> l.matches("orders part 1 min_offset 0 max_offset \\d+"));
        assertThat(all.exitCode()).isZero();
        assertThat(all.lines().get(0))
                .isEqualTo("# broker 0 meta://127.0.0.1:" + BROKER.harness().port());
        assertThat(all.lines()).anyMatch(l -> l.startsWith("orders partitions 2 "));
    }

    /** A stopped broker's data directory: {@code logs-0} with 12 records of 50 bytes, segments of 200. */
    static Path stoppedDataDirectory(String name) throws IOException {
        Path data = dir.resolve(name);
        LogConfig small = LogConfig.builder().maxSegmentBytes(200).build();
        try (PartitionLog log =
                PartitionLog.open(data.resolve("logs-0"), small, new FileChannelStorageIo(), Clock.systemUTC())) {
            for (int i = 0; i < 12; i++) {
                byte[] body =
                        String.format("message %02d of the verify test!", i).getBytes(StandardCharsets.UTF_8);
                log.append(i + 1, 0, ByteBuffer.wrap(body)).join();
            }
        }
        Files.createDirectories(data.resolve("other-1"));
        return data;
    }

    @Test
    void verifyReportsEveryPartitionAndTheCorruptRangeOfOneFlippedByteWithExitOne() throws IOException {
        Path data = stoppedDataDirectory("verify-data");
        Run clean = imago("verify", "--data", data.toString());
        assertThat(clean.exitCode()).as(clean.err()).isZero();
        assertThat(clean.lines())
                .contains("logs-0 segments 4 records 12 bytes 600 ok", "other-1 segments 0 records 0 bytes 0 ok")
                .last()
                .isEqualTo("verified 2 partitions: 12 records, 600 bytes, no corruption");

        Path sealed = data.resolve("logs-0").resolve("00000000000000000200.meta");
        try (RandomAccessFile raf = new RandomAccessFile(sealed.toFile(), "rw")) {
            raf.seek(77);
            int b = raf.read();
            raf.seek(77);
            raf.write(b ^ 0x10);
        }
        Run corrupt = imago("verify", "--data", data.toString(), "--topic", "logs");
        assertThat(corrupt.exitCode()).as("corruption found").isEqualTo(1);
        assertThat(corrupt.lines())
                .containsExactly(
                        "logs-0 segments 4 records 11 bytes 600 CORRUPT",
                        "logs-0 corrupt [250, 300) 50 bytes in 00000000000000000200.meta",
                        "verified 1 partitions: 11 records, 600 bytes, 1 corrupt ranges (50 bytes)");
        assertThat(corrupt.err()).contains("verify: logs-0");
        assertThat(imago("verify", "--data", data.resolve("missing").toString()).exitCode())
                .isEqualTo(2);
    }

    @Test
    void metaqReadyTrimsTheZeroFillACrashLeftAndRemovesTheLock() throws IOException {
        Path data = stoppedDataDirectory("metaq-ready-data");
        Path last = data.resolve("logs-0").resolve("00000000000000000600.meta");
        Files.write(last, new byte[4096], java.nio.file.StandardOpenOption.APPEND); // fill left by a crash
        Files.write(data.resolve(DataDirLock.LOCK_FILE), new byte[0]); // a broker ran here (and stopped)

        Run ready = imago("metaq-ready", "--data", data.toString());
        assertThat(ready.exitCode()).as(ready.err()).isZero();
        assertThat(ready.lines())
                .containsExactly(
                        "logs-0 offsets [0, 600) segments 4 zero fill 4096 bytes trimmed, torn tail 0 bytes truncated",
                        "other-1 offsets [0, 0) segments 1 zero fill 0 bytes trimmed, torn tail 0 bytes truncated",
                        "ready for MetaQ: 2 partitions, zero fill 4096 bytes trimmed, torn tail 0 bytes truncated;"
                                + " removed " + data.resolve(DataDirLock.LOCK_FILE));
        assertThat(Files.size(last))
                .as("MetaQ takes the file's length as the end")
                .isZero();
        assertThat(data.resolve(DataDirLock.LOCK_FILE)).doesNotExist();
        assertThat(imago("verify", "--data", data.toString()).lines())
                .last()
                .isEqualTo("verified 2 partitions: 12 records, 600 bytes, no corruption");
        Files.createDirectories(data.resolve("zookeeper")); // the standalone broker's, say
        Run notReady = imago("metaq-ready", "--data", data.toString());
        assertThat(notReady.exitCode()).isEqualTo(1);
        assertThat(notReady.lines())
                .contains("not a partition directory: " + data.resolve("zookeeper")
                        + " (MetaQ 1.4.6.2 may leave partitions unloaded, or fail to start, while it is in the data"
                        + " directory: move it out)")
                .last()
                .isEqualTo("NOT ready for MetaQ: 2 partitions, zero fill 0 bytes trimmed, torn tail 0 bytes truncated");
    }

    @Test
    void metaqReadyRefusesADirectoryABrokerHolds() throws IOException {
        Path data = stoppedDataDirectory("metaq-ready-locked");
        DataDirLock held = DataDirLock.acquire(data); // as a running broker holds it
        try (held) {
            Run refused = imago("metaq-ready", "--data", data.toString());
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).contains("is in use by another broker", "stop the broker first");
        }
        assertThat(imago("metaq-ready", "--data", data.resolve("missing").toString())
                        .exitCode())
                .isEqualTo(2);
    }

    @Test
    void exitCodesSeparateFailuresFromUsageErrors() {
        assertThat(imago("stats", "--broker", "127.0.0.1:1").exitCode()).isEqualTo(1);
        assertThat(imago("stats", "--broker", "no-port").exitCode()).isEqualTo(2);
        assertThat(imago("produce").exitCode()).isEqualTo(2);
        assertThat(imago("groups", "reset-offsets", "g", "--topic", "t").exitCode())
                .isEqualTo(2);
        assertThat(imago("groups", "reset-offsets", "g", "--topic", "t", "--to-earliest", "--to-latest")
                        .exitCode())
                .isEqualTo(2);
        assertThat(imago("consume", "--topic", "t", "--group", "g", "--max-messages", "0")
                        .exitCode())
                .isEqualTo(2);
        assertThat(imago("topics", "list", "--zk", "127.0.0.1:1").exitCode()).isEqualTo(1);
    }

    @Test
    void everyToolDocumentsItsExitCodesInItsHelp() {
        for (String[] command : List.of(
                new String[] {"produce"},
                new String[] {"consume"},
                new String[] {"stats"},
                new String[] {"verify"},
                new String[] {"metaq-ready"},
                new String[] {"topics", "list"},
                new String[] {"topics", "describe"},
                new String[] {"groups", "list"},
                new String[] {"groups", "describe"},
                new String[] {"groups", "reset-offsets"})) {
            List<String> args = new ArrayList<>(Arrays.asList(command));
            args.add("--help");
            Run help = imago(args.toArray(String[]::new));
            assertThat(help.exitCode()).isZero();
            assertThat(help.out())
                    .contains("Exit codes:")
                    .containsPattern("\\s0\\s+")
                    .containsPattern("\\s2\\s+usage");
        }
    }
}
