import com.taobao.metamorphosis.Message;
import com.taobao.metamorphosis.client.MessageSessionFactory;
import com.taobao.metamorphosis.client.MetaClientConfig;
import com.taobao.metamorphosis.client.MetaMessageSessionFactory;
import com.taobao.metamorphosis.client.StatsResult;
import com.taobao.metamorphosis.client.TopicBrowser;
import com.taobao.metamorphosis.client.consumer.ConsumerConfig;
import com.taobao.metamorphosis.client.consumer.MessageConsumer;
import com.taobao.metamorphosis.client.consumer.MessageListener;
import com.taobao.metamorphosis.client.producer.MessageProducer;
import com.taobao.metamorphosis.client.producer.SendResult;
import com.taobao.metamorphosis.utils.ZkUtils;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A small program on the unmodified MetaQ 1.4.6.2 client (test resource of imago-it, compiled and
 * run in its own JVM by io.imago.it.compat.OriginalClient). It talks to the test over standard
 * streams: commands in on stdin, one result line out on stdout per event, fields separated by tabs.
 *
 * <pre>
 * produce ZK TOPIC                  stdin: "ATTR DATA" (base64 each, "-" = none/empty) per message
 *                                   stdout: SENT ok partition offset id | SENT failed error
 * consume ZK TOPIC GROUP N MAXSIZE  N consumers of GROUP, each with its own session factory;
 *                                   stdout: READY, then RECV consumer partition id attr length sha256;
 *                                   stops when stdin closes
 * stats ZK TOPIC ITEM...            getStats() for ITEM "-", else getStats(ITEM), through the brokers of
 *                                   TOPIC; stdout: STAT item address key value
 * browse ZK TOPIC MAXSIZE           stdout: MSG partition-or-null id attr length sha256
 * </pre>
 * Every command ends with DONE on stdout; a failure ends the program with exit code 1.
 */
public final class OriginalClientDriver {
    private static final Object OUT = new Object();

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        out("DONE");
        System.exit(0); // the original client leaves non-daemon threads behind after shutdown
    }

    private static void run(String[] args) throws Exception {
        switch (args[0]) {
            case "produce" -> produce(args[1], args[2]);
            case "consume" -> consume(args[1], args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            case "stats" -> stats(args[1], args[2], java.util.Arrays.copyOfRange(args, 3, args.length));
            case "browse" -> browse(args[1], args[2], Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private static MetaClientConfig config(MetaClientConfig config, String zk) {
        // (zkConnect, sessionTimeoutMs, connectionTimeoutMs, syncTimeMs); the root stays /meta
        config.setZkConfig(new ZkUtils.ZKConfig(zk, 10000, 10000, 200));
        return config;
    }

    private static void produce(String zk, String topic) throws Exception {
        MessageSessionFactory factory = new MetaMessageSessionFactory(config(new MetaClientConfig(), zk));
        MessageProducer producer = factory.createProducer();
        producer.publish(topic);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] f = line.split(" ");
            String attribute = "-".equals(f[0]) ? null : new String(decode(f[0]), StandardCharsets.UTF_8);
            Message message = new Message(topic, "-".equals(f[1]) ? new byte[0] : decode(f[1]), attribute);
            SendResult result = producer.sendMessage(message, 10, TimeUnit.SECONDS);
            if (result.isSuccess()) {
                out("SENT", "ok", result.getPartition().toString(), Long.toString(result.getOffset()),
                        Long.toString(message.getId()));
            } else {
                out("SENT", "failed", String.valueOf(result.getErrorMessage()));
            }
        }
        producer.shutdown();
        factory.shutdown();
    }

    private static void consume(String zk, String topic, String group, int n, int maxSize) throws Exception {
        List<MessageSessionFactory> factories = new ArrayList<>();
        List<MessageConsumer> consumers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ConsumerConfig config = (ConsumerConfig) config(new ConsumerConfig(group), zk);
            config.setMaxDelayFetchTimeInMills(200);
            config.setCommitOffsetPeriodInMills(1000);
            MessageSessionFactory factory = new MetaMessageSessionFactory(config);
            factories.add(factory);
            MessageConsumer consumer = factory.createConsumer(config);
            consumers.add(consumer);
            String index = Integer.toString(i);
            consumer.subscribe(topic, maxSize, new MessageListener() {
                @Override
                public void recieveMessages(Message m) {
                    out("RECV", index, m.getPartition().toString(), Long.toString(m.getId()),
                            attribute(m), Integer.toString(m.getData().length), sha256(m.getData()));
                }

                @Override
                public Executor getExecutor() {
                    return null;
                }
            });
            consumer.completeSubscribe();
        }
        out("READY");
        while (System.in.read() >= 0) {
            // until the test closes our stdin
        }
        for (MessageConsumer consumer : consumers) {
            consumer.shutdown();
        }
        for (MessageSessionFactory factory : factories) {
            factory.shutdown();
        }
    }

    private static void stats(String zk, String topic, String[] items) throws Exception {
        MetaMessageSessionFactory factory = new MetaMessageSessionFactory(config(new MetaClientConfig(), zk));
        MessageProducer producer = factory.createProducer();
        producer.publish(topic); // connects to the topic's brokers; getStats asks every connected one
        for (String item : items) {
            Map<InetSocketAddress, StatsResult> all = "-".equals(item) ? factory.getStats() : factory.getStats(item);
            for (Map.Entry<InetSocketAddress, StatsResult> e : all.entrySet()) {
                for (Map.Entry<String, String> kv : e.getValue().getAllValues().entrySet()) {
                    out("STAT", item, e.getKey().getAddress().getHostAddress() + ":" + e.getKey().getPort(),
                            kv.getKey(), kv.getValue());
                }
            }
        }
        producer.shutdown();
        factory.shutdown();
    }

    private static void browse(String zk, String topic, int maxSize) throws Exception {
        MetaMessageSessionFactory factory = new MetaMessageSessionFactory(config(new MetaClientConfig(), zk));
        TopicBrowser browser = factory.createTopicBrowser(topic, maxSize, 5, TimeUnit.SECONDS);
        for (Iterator<Message> it = browser.iterator(); it.hasNext();) {
            Message m = it.next();
            // the browser's messages carry no partition (its iterator does not set one)
            out("MSG", String.valueOf(m.getPartition()), Long.toString(m.getId()), attribute(m),
                    Integer.toString(m.getData().length), sha256(m.getData()));
        }
        browser.shutdown();
        factory.shutdown();
    }

    private static String attribute(Message m) {
        return m.getAttribute() == null ? "-"
                : Base64.getEncoder().encodeToString(m.getAttribute().getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] decode(String base64) {
        return Base64.getDecoder().decode(base64);
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void out(String... fields) {
        synchronized (OUT) {
            System.out.println(String.join("\t", fields));
            System.out.flush();
        }
    }
}
