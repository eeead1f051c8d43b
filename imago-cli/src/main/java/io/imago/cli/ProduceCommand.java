package io.imago.cli;

import io.imago.Message;
import io.imago.client.MetaClientConfig;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.producer.HashPartitionSelector;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.PartitionSelector;
import io.imago.client.producer.RandomPartitionSelector;
import io.imago.client.producer.RoundRobinPartitionSelector;
import io.imago.client.producer.SendResult;
import io.imago.exception.MetaClientException;
import io.imago.protocol.zk.BrokerUrl;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code imago produce --topic T}: sends each line of standard input as one message and prints where it
 * went. Holds its options and the input it reads (standard input unless a test gives another); not
 * thread-safe.
 */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = {
            "Sends each line of standard input (UTF-8, without its line end) as one message to TOPIC, "
                    + "printing 'sent <id> to <brokerId-partition> at offset <n>' for each, then a summary "
                    + "'<n> sent, <m> failed'.",
            "Brokers are found through ZooKeeper (--zk, --zk-root), among those that register TOPIC; with "
                    + "--broker the messages go straight to one broker, which picks the partition (the result "
                    + "then names it -1-<p>): use it for a topic no broker registers yet, such as a new topic of "
                    + "the standalone server, registered at its first message."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every line sent",
            "1:a message was refused or not acknowledged, or no broker serves TOPIC",
            ExitCodes.LIST_2
        })
final class ProduceCommand implements Callable<Integer> {
    /** The partition selectors {@code --partition-selector} names. */
    enum Selector {
        roundrobin,
        random,
        hash
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ZkOptions zk;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "the topic")
    String topic;

    @Option(
            names = "--broker",
            paramLabel = "HOST:PORT",
            description = "send to this broker directly instead of finding brokers through ZooKeeper")
    String broker;

    @Option(names = "--attribute", paramLabel = "A", description = "the attribute of every message")
    String attribute;

    @Option(
            names = "--partition-selector",
            paramLabel = "S",
            defaultValue = "roundrobin",
            description = "roundrobin (default), random, or hash (of the line: equal lines go to the same partition)")
    Selector selector;

    @Option(
            names = "--timeout-ms",
            paramLabel = "MS",
            defaultValue = "3000",
            description = "how long to wait for each acknowledgement (default: ${DEFAULT-VALUE})")
    long timeoutMs;

    private InputStream input = System.in;

    /** Reads lines from {@code in} instead of standard input. */
    void readFrom(InputStream in) {
        this.input = in;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        MetaClientConfig config = new MetaClientConfig();
        if (broker != null) {
            config.setServerUrl(BrokerUrl.SCHEME + broker);
        } else {
            config.setZkConnect(zk.zkConnect);
            config.setZkRoot(zk.zkRoot);
            config.setZkConnectionTimeoutMs(5_000);
        }
        long sent = 0;
        long failed = 0;
        MetaMessageSessionFactory factory = null;
        try {
            factory = new MetaMessageSessionFactory(config);
            MessageProducer producer = factory.createProducer(partitionSelector());
            producer.publish(topic);
            BufferedReader lines = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (send(producer, line, out)) {
                    sent++;
                } else {
                    failed++;
                }
            }
        } catch (MetaClientException | IOException e) {
            failed++;
            spec.commandLine().getErr().println("imago produce: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed++;
        } finally {
            shutdown(factory);
        }
        out.println(sent + " sent, " + failed + " failed");
        return failed == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    private boolean send(MessageProducer producer, String line, PrintWriter out) throws InterruptedException {
        Message message = new Message(topic, line.getBytes(StandardCharsets.UTF_8), attribute);
        try {
            SendResult result = producer.sendMessage(message, timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (result.isSuccess()) {
                out.println("sent " + message.getId() + " to " + result.getPartition() + " at offset "
                        + result.getOffset());
                out.flush();
                return true;
            }
            spec.commandLine().getErr().println("refused by the broker: " + result.getErrorMessage());
        } catch (MetaClientException e) {
            spec.commandLine().getErr().println("not sent: " + e.getMessage());
        }
        return false;
    }

    private PartitionSelector partitionSelector() {
        return switch (selector) {
            case roundrobin -> new RoundRobinPartitionSelector();
            case random -> new RandomPartitionSelector();
            case hash -> new HashPartitionSelector(m -> new String(m.getData(), StandardCharsets.UTF_8));
        };
    }

    private void shutdown(MetaMessageSessionFactory factory) {
        if (factory == null) {
            return;
        }
        try {
            factory.shutdown();
        } catch (MetaClientException e) {
            spec.commandLine().getErr().println("imago produce: shutdown: " + e.getMessage());
        }
    }
}
