package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.protocol.Names;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.StatusCode;
import io.imago.store.TopicPartition;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile topic names through the text protocol ({@code put}, {@code putb}, {@code get}, {@code offset})
 * of a broker that accepts any topic ({@code [topic=*]}, as the standalone broker does): a name that
 * breaks {@link Names}' rule is refused with a clear error and creates nothing anywhere; a valid one
 * creates exactly {@code <dataPath>/<topic>-0}; and the broker keeps serving the same connection.
 */
class HostileNamesIT {
    private static Path root;
    private static BrokerHarness harness;
    private static WireClient client;
    private static int opaque;

    @BeforeContainer
    static void startBroker() throws Exception {
        root = Files.createTempDirectory("imago-hostile-names");
        harness = BrokerHarness.start(root, "", "[topic=*]");
        client = harness.connect();
    }

    @AfterContainer
    static void stopBroker() throws IOException {
        client.close();
        harness.close();
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 300)
    void aNameIsServedOnlyInsideTheDataDirectoryAndTheBrokerKeepsServing(@ForAll("names") String topic)
            throws Exception {
        boolean valid = Names.isValidTopic(topic);

        Reply put = result(client.put(topic, 0, utf8("hello"), ++opaque));
        assertThat(put.code())
                .as("put %s: %s", Names.printable(topic), put.text())
                .isEqualTo(valid ? 200 : StatusCode.INTERNAL_SERVER_ERROR.code());
        if (!valid) {
            assertThat(put.text()).contains("invalid topic name");
        }

        Reply batch = result(client.send(WireClient.putbFrame(topic, 0, List.of("a", "b"), ++opaque)));
        assertThat(batch.code())
                .as("putb %s: %s", Names.printable(topic), batch.text())
                .isEqualTo(valid ? 200 : StatusCode.INTERNAL_SERVER_ERROR.code());

        ResponseCommand get =
                client.send("get " + topic + " g 0 0 1024 " + ++opaque + "\r\n").read();
        try {
            if (!valid) {
                assertThat(get).isInstanceOf(ResultCommand.class);
                assertThat(((ResultCommand) get).code()).isEqualTo(StatusCode.BAD_REQUEST.code());
                assertThat(((ResultCommand) get).text()).startsWith("Bad request,invalid topic name");
            }
        } finally {
            ReferenceCountUtil.release(get);
        }

        Reply offset = result(client.send("offset " + topic + " g 0 0 " + ++opaque + "\r\n"));
        assertThat(offset.code()).isEqualTo(valid ? 200 : StatusCode.BAD_REQUEST.code());

        Reply version = result(client.send("version " + ++opaque + "\r\n"));
        assertThat(version.code()).as("the connection is still served").isEqualTo(200);

        assertNothingOutsideTheDataDirectory(topic);
        if (valid) {
            assertThat(harness.dataDir().resolve(topic + "-0")).isDirectory();
        }
    }

    /** Only the harness's own files beside the data directory, and only valid partitions inside it. */
    private static void assertNothingOutsideTheDataDirectory(String topic) throws IOException {
        try (Stream<Path> entries = Files.list(root)) {
            assertThat(entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet()))
                    .isSubsetOf(Set.of("data", "zk", "server.ini"));
        }
        try (Stream<Path> entries = Files.list(harness.dataDir())) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".")) {
                    assertThat(name).as("the data directory's own files").isIn(".lock");
                    continue;
                }
                if (name.equals(Broker.TRANSACTIONS_DIR)) {
                    continue; // the transaction journal (dataLogPath defaults to dataPath)
                }
                assertThat(entry).isDirectory();
                TopicPartition tp = TopicPartition.parseDirectoryName(name).orElseThrow();
                assertThat(Names.topicProblem(tp.topic())).as(name).isEmpty();
            }
        }
        // where a naive broker would have written: <dataPath>/<topic>-0 wherever that resolves to
        try {
            Path naive = harness.dataDir().resolve(topic + "-0").normalize();
            if (!harness.dataDir().equals(naive.getParent())) {
                assertThat(naive).doesNotExist();
            }
        } catch (InvalidPathException notAPath) {
            // nothing can have been created under a name the file system cannot spell
        }
    }

    @Provide
    Arbitrary<String> names() {
        return HostileNames.tokens();
    }

    /** A {@code result} reply, read and released. */
    private record Reply(int code, String text) {}

    private static Reply result(WireClient c) throws IOException {
        ResponseCommand reply = c.read();
        try {
            assertThat(reply).isInstanceOf(ResultCommand.class);
            ResultCommand result = (ResultCommand) reply;
            return new Reply(result.code(), result.text());
        } finally {
            ReferenceCountUtil.release(reply);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
