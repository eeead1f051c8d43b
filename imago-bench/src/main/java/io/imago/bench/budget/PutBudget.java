package io.imago.bench.budget;

import io.imago.broker.Broker;
import io.imago.broker.config.BrokerConfig;
import io.imago.broker.trace.BrokerTrace;
import io.imago.protocol.RecordDescriptor;
import io.imago.protocol.codec.RequestEncoder;
import io.imago.protocol.codec.ResponseDecoder;
import io.imago.protocol.command.PutCommand;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.store.trace.StoreTrace;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * {@code bench put-budget}: a broker in this JVM (group commit, 127.0.0.1, ZooKeeper off: it is not on
 * a put's path) over a data directory under the benchmarks' directory, one client thread on a raw TCP
 * connection sending synchronous {@code put}s (the original client's frame, with its checksum), and a
 * JFR recording with only the put's stage events ({@link StoreTrace}, {@link BrokerTrace}) enabled.
 * The warm-up runs before the recording; then {@link #SETTLE_PUTS} puts (JFR's first events) and
 * {@link #TAIL_PUTS} after the measured ones are recorded but not counted; as many puts again run
 * after the recording stopped, so that the report shows what recording the events costs. Each measured put's
 * events are matched to its round trip by order ({@link PutTimeline#split}).
 */
final class PutBudget {
    static final String TOPIC = "budget";
    static final int SETTLE_PUTS = 200;
    static final int TAIL_PUTS = 10;

    /**
     * What to run: {@code puts} measured after {@code warmup}, bodies of {@code size} bytes; {@code
     * system} holds extra {@code [system]} lines of the broker's {@code server.ini} ({@code key=value}).
     */
    record Options(int puts, int warmup, int size, Path root, Optional<Path> jfrCopy, List<String> system) {
        Options {
            system = List.copyOf(system);
            for (String line : system) {
                if (!line.contains("=") || line.contains("\n")) {
                    throw new IllegalArgumentException(
                            "--system takes key=value (a [system] key of server.ini), got '" + line + "'");
                }
            }
            if (puts < 1 || warmup < 0 || size < 1) {
                throw new IllegalArgumentException("--puts and --size must be at least 1 and --warmup at least 0, got "
                        + puts + ", " + size + " and " + warmup);
            }
        }
    }

    private final Options options;
    private final PrintStream log;

    PutBudget(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    PutBudgetReport run() throws Exception {
        Path dir = Files.createTempDirectory(options.root(), "imago-put-budget-");
        try {
            return runIn(dir);
        } finally {
            deleteRecursively(dir);
        }
    }

    private PutBudgetReport runIn(Path dir) throws Exception {
        Broker broker = new Broker(BrokerConfig.load(writeConfig(dir, options.system())), Clock.systemUTC());
        broker.start();
        try (Client client = new Client(broker.address().getPort(), options.size())) {
            log.printf(
                    "put-budget: broker on 127.0.0.1:%d, data in %s; %d warm-up puts%n",
                    broker.address().getPort(), dir, options.warmup());
            client.puts(options.warmup(), null);
            try (Recording recording = new Recording()) {
                Stream.concat(StoreTrace.EVENTS.stream(), BrokerTrace.EVENTS.stream())
                        .forEach(name -> recording.enable(name).withThreshold(Duration.ZERO));
                recording.enable(PutTimeline.COMPLETER_HANDOFF).withThreshold(Duration.ZERO);
                recording.start();
                client.puts(SETTLE_PUTS, null);
                long[] roundTrips = new long[options.puts()];
                log.printf("put-budget: %d measured puts%n", options.puts());
                client.puts(options.puts(), roundTrips);
                client.puts(TAIL_PUTS, null);
                recording.stop();
                long[] unrecorded = new long[options.puts()];
                log.printf("put-budget: %d puts more with the recording stopped%n", options.puts());
                client.puts(options.puts(), unrecorded);
                Path jfr = dir.resolve("put-budget.jfr");
                recording.dump(jfr);
                if (options.jfrCopy().isPresent()) {
                    Files.copy(jfr, options.jfrCopy().get(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                return report(RecordingFile.readAllEvents(jfr), roundTrips, unrecorded);
            }
        } finally {
            broker.close();
        }
    }

    private PutBudgetReport report(List<RecordedEvent> events, long[] roundTrips, long[] unrecorded) {
        List<PutTimeline> puts = PutTimeline.split(events);
        int expected = SETTLE_PUTS + options.puts() + TAIL_PUTS;
        if (puts.size() != expected) {
            throw new IllegalStateException("the recording holds " + puts.size() + " puts, " + expected
                    + " were sent: is another client putting to this broker?");
        }
        List<PutTimeline> measured = puts.subList(SETTLE_PUTS, SETTLE_PUTS + options.puts());
        List<PutTimeline> complete = new ArrayList<>();
        List<Long> trips = new ArrayList<>();
        for (int i = 0; i < measured.size(); i++) {
            if (measured.get(i).isComplete()) {
                complete.add(measured.get(i));
                trips.add(roundTrips[i]);
            }
        }
        if (complete.size() < measured.size()) {
            log.printf(
                    "put-budget: %d of %d puts lack an event (left out)%n",
                    measured.size() - complete.size(), measured.size());
        }
        return PutBudgetReport.of(
                unrecorded, complete, trips.stream().mapToLong(Long::longValue).toArray(), options.size());
    }

    private static Path writeConfig(Path dir, List<String> system) throws IOException {
        Path ini = dir.resolve("server.ini");
        String text = "; bench put-budget: one broker in the benchmark's JVM\n"
                + "[system]\nbrokerId=0\nhostName=127.0.0.1\nserverPort=0\nnumPartitions=1\nunflushThreshold=0\n"
                + "dataPath=" + dir.resolve("data").toAbsolutePath() + "\n"
                + String.join("", system.stream().map(line -> line + "\n").toList())
                + "[zookeeper]\nzk.zkEnable=false\n"
                + "[topic=" + TOPIC + "]\n";
        Files.writeString(ini, text, StandardCharsets.UTF_8);
        return ini;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** One connection, one put in flight: writes a put frame, reads its reply. Not thread-safe. */
    private static final class Client implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final EmbeddedChannel decoder = new EmbeddedChannel(new ResponseDecoder(1 << 20));
        private final byte[] body;
        private final int checksum;
        private final byte[] readBuffer = new byte[64 * 1024];
        private int opaque;

        Client(int port, int size) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = socket.getInputStream();
            body = new byte[size];
            for (int i = 0; i < size; i++) {
                body[i] = (byte) ('a' + i % 26);
            }
            checksum = RecordDescriptor.checksum(java.nio.ByteBuffer.wrap(body));
        }

        /** Sends {@code count} puts one after the other; their round trips go to {@code nanos} if given. */
        void puts(int count, long[] nanos) throws IOException {
            for (int i = 0; i < count; i++) {
                byte[] frame = frame(++opaque);
                long t0 = System.nanoTime();
                out.write(frame);
                out.flush();
                ResponseCommand reply = read();
                long t1 = System.nanoTime();
                check(reply);
                if (nanos != null) {
                    nanos[i] = t1 - t0;
                }
            }
        }

        private byte[] frame(int id) {
            PutCommand put = new PutCommand(TOPIC, 0, 0, checksum, null, id, Unpooled.wrappedBuffer(body));
            ByteBuf frame = RequestEncoder.encode(UnpooledByteBufAllocator.DEFAULT, put);
            try {
                return ByteBufUtil.getBytes(frame);
            } finally {
                frame.release();
                put.release();
            }
        }

        private ResponseCommand read() throws IOException {
            while (true) {
                Object decoded = decoder.readInbound();
                if (decoded != null) {
                    return (ResponseCommand) decoded;
                }
                int n = in.read(readBuffer);
                if (n < 0) {
                    throw new IOException("the broker closed the connection");
                }
                decoder.writeInbound(Unpooled.copiedBuffer(readBuffer, 0, n));
            }
        }

        private void check(ResponseCommand reply) {
            try {
                if (!(reply instanceof ResultCommand result) || !result.isSuccess()) {
                    throw new IllegalStateException("a put was refused: " + reply);
                }
            } finally {
                ReferenceCountUtil.release(reply);
            }
        }

        @Override
        public void close() throws IOException {
            decoder.finishAndReleaseAll();
            socket.close();
        }
    }
}
