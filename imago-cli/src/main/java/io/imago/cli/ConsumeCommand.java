package io.imago.cli;

import io.imago.Message;
import io.imago.client.MetaClientConfig;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.MessageListener;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code imago consume --topic T --group G}: joins group G and prints each message until N messages
 * were printed or nothing arrived for T ms. Only the printed messages are acknowledged, so the group's
 * committed offsets (written at exit) stop right after the last one printed. Holds its options and the
 * count of printed messages (guarded by {@code this}); the listener runs on the client's fetch threads.
 */
@Command(
        name = "consume",
        mixinStandardHelpOptions = true,
        description = {
            "Consumes TOPIC as a member of consumer GROUP and prints each message's data as UTF-8 text, "
                    + "one per line (with --show-position: '<brokerId-partition> <offset> <id> <attribute|-> <data>').",
            "Stops after --max-messages N messages, or when no message arrived for --timeout-ms, then commits "
                    + "the group's offsets (after the last printed message) to ZooKeeper and prints "
                    + "'consumed <n> message(s)' on standard error.",
            "The group continues from its committed offsets; a partition it has none for (a new group, a new "
                    + "partition, or one where it acknowledged nothing yet) starts at its end, or at its first "
                    + "message with --from-beginning."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped after N messages or when idle",
            "1:ZooKeeper or the brokers unreachable",
            ExitCodes.LIST_2
        })
final class ConsumeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ZkOptions zk;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "the topic")
    String topic;

    @Option(names = "--group", required = true, paramLabel = "GROUP", description = "the consumer group")
    String group;

    @Option(
            names = "--from-beginning",
            description = "partitions without a committed offset start at their first message, not their end")
    boolean fromBeginning;

    @Option(names = "--max-messages", paramLabel = "N", description = "stop after N messages (default: no limit)")
    Long maxMessages;

    @Option(
            names = "--timeout-ms",
            paramLabel = "MS",
            defaultValue = "10000",
            description = "stop when idle this long (default: ${DEFAULT-VALUE})")
    long idleTimeoutMs;

    @Option(names = "--show-position", description = "print partition, offset, id and attribute before the data")
    boolean showPosition;

    @Option(
            names = "--max-size",
            paramLabel = "BYTES",
            defaultValue = "1048576",
            description = "fetch size; must hold the largest message (default: ${DEFAULT-VALUE})")
    int maxSize;

    @Option(
            names = "--recover-dir",
            paramLabel = "DIR",
            description = "the client's recover store directory (default: ~/.meta_recover)")
    Path recoverDir;

    private long printed;
    private long lastActivityNanos;

    @Override
    public Integer call() {
        if ((maxMessages != null && maxMessages <= 0) || idleTimeoutMs <= 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--max-messages and --timeout-ms must be positive");
        }
        MetaClientConfig config = new MetaClientConfig();
        config.setZkConnect(zk.zkConnect);
        config.setZkRoot(zk.zkRoot);
        config.setZkConnectionTimeoutMs(5_000);
        MetaMessageSessionFactory factory = null;
        MessageConsumer consumer = null;
        try {
            factory = new MetaMessageSessionFactory(config);
            consumer = factory.createConsumer(consumerConfig());
            consumer.subscribe(topic, maxSize, new Printer(spec.commandLine().getOut()));
            synchronized (this) {
                lastActivityNanos = System.nanoTime();
            }
            consumer.completeSubscribe();
            awaitEnd();
            return ExitCodes.OK;
        } catch (MetaClientException e) {
            spec.commandLine().getErr().println("imago consume: " + e.getMessage());
            return ExitCodes.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        } finally {
            shutdown(consumer, factory);
            spec.commandLine().getErr().println("consumed " + count() + " message(s)");
        }
    }

    private ConsumerConfig consumerConfig() {
        ConsumerConfig cc = new ConsumerConfig(group);
        if (!fromBeginning) {
            cc.setConsumeFromMaxOffset();
        }
        cc.setMaxDelayFetchTimeInMills(Math.min(1_000, idleTimeoutMs));
        if (recoverDir != null) {
            cc.setRecoverDirectory(recoverDir.toString());
        }
        return cc;
    }

    private synchronized void awaitEnd() throws InterruptedException {
        while (maxMessages == null || printed < maxMessages) {
            long idleNanos = System.nanoTime() - lastActivityNanos;
            long leftMs = idleTimeoutMs - TimeUnit.NANOSECONDS.toMillis(idleNanos);
            if (leftMs <= 0) {
                return;
            }
            wait(leftMs);
        }
    }

    private synchronized long count() {
        return printed;
    }

    /** Prints and acknowledges messages until the limit; those beyond it stay unacknowledged. */
    private final class Printer implements MessageListener {
        private final PrintWriter out;

        Printer(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void receiveMessages(Message message) {
            Partition partition = message.getPartition();
            partition.setAutoAck(false);
            synchronized (ConsumeCommand.this) {
                if (maxMessages != null && printed >= maxMessages) {
                    return; // not acknowledged: the group reads it again next time
                }
                String data = new String(message.getData(), StandardCharsets.UTF_8);
                out.println(
                        showPosition
                                ? partition + " " + message.getOffset() + " " + message.getId() + " "
                                        + (message.hasAttribute() ? message.getAttribute() : "-") + " " + data
                                : data);
                out.flush();
                partition.ack();
                printed++;
                lastActivityNanos = System.nanoTime();
                ConsumeCommand.this.notifyAll();
            }
        }

        @Override
        public Executor getExecutor() {
            return null;
        }
    }

    private void shutdown(MessageConsumer consumer, MetaMessageSessionFactory factory) {
        try {
            if (consumer != null) {
                consumer.shutdown();
            }
        } catch (MetaClientException e) {
            spec.commandLine().getErr().println("imago consume: shutdown: " + e.getMessage());
        }
        try {
            if (factory != null) {
                factory.shutdown();
            }
        } catch (MetaClientException e) {
            spec.commandLine().getErr().println("imago consume: shutdown: " + e.getMessage());
        }
    }
}
