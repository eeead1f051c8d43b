package io.imago.bench.compare;

import io.imago.bench.load.LoadResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Workload W1 ("drop-in") of {@code bench compare}: the unmodified MetaQ 1.4.6.2 client sending
 * synchronously, run in a child JVM against any broker that registers in ZooKeeper the MetaQ way (the
 * original broker, Imago).
 *
 * <p>The driver program is the resource {@code MetaqLoadDriver.java} next to this class (see its
 * javadoc for what it measures: a warm-up that is not counted, then synchronous sends from
 * {@code threads} threads, latency from the send call to its return, nearest-rank percentiles). It is
 * compiled with {@code javax.tools} against the original client's class path
 * ({@link OracleClasspath#METAQ_CLIENT}: {@code -Dimago.bench.metaqClientClasspath=FILE}, else the file of
 * the module {@code imago-oracles/metaq-client} under {@code -Dimago.bench.home}) into {@code <workDir>/metaq-driver}, once per directory and source, and
 * run as {@code java -Xms256m -Xmx512m -cp <that dir>:<client class path> MetaqLoadDriver …} with its
 * own {@code user.home} there (the client keeps local files under it). The child's stdout and stderr
 * (progress every 5 s, the client's log4j at WARN, the {@code RESULT} line) are appended to {@code log}.
 *
 * <p>Thread-safe: compilation is guarded by the class lock; runs are independent processes.
 */
public final class OriginalClientLoad {
    /** Sends that are not counted at the start of a run. */
    public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(2);

    private static final String DRIVER = "MetaqLoadDriver";
    /** Beyond warm-up plus duration: start-up (ZooKeeper, connections) and shutdown of the client. */
    private static final Duration SLACK = Duration.ofSeconds(60);

    private static final int TAIL_LINES = 40;

    private OriginalClientLoad() {}

    /**
     * W1: {@code threads} threads sending {@code size}-byte messages with the synchronous
     * {@code sendMessage} for {@code duration} after a {@link #DEFAULT_WARMUP} warm-up.
     *
     * @param zkConnect the ZooKeeper where the broker registered (root {@code /meta})
     * @param topic a topic the broker serves
     * @param workDir where the driver is compiled and the client's local files go
     * @param log the driver's output, appended
     * @return what the driver measured; the label is {@code W1 metaq-client sync <threads>x<size>B}
     * @throws IllegalStateException with the tail of {@code log} when the driver fails or prints no result
     */
    public static LoadResult produceSync(
            String zkConnect, String topic, int threads, Duration duration, int size, Path workDir, Path log)
            throws IOException, InterruptedException {
        return produceSync(zkConnect, topic, threads, duration, size, DEFAULT_WARMUP, workDir, log);
    }

    /** As {@link #produceSync(String, String, int, Duration, int, Path, Path)} with a given warm-up. */
    public static LoadResult produceSync(
            String zkConnect,
            String topic,
            int threads,
            Duration duration,
            int size,
            Duration warmup,
            Path workDir,
            Path log)
            throws IOException, InterruptedException {
        return run(
                zkConnect,
                topic,
                threads,
                duration,
                size,
                warmup,
                0,
                "W1 metaq-client sync " + threads + "x" + size + "B",
                workDir,
                log);
    }

    /**
     * W6: {@code threads} threads each running local transactions of the client one after the other —
     * {@code beginTransaction()}, {@code txSize} synchronous sends of {@code size} bytes, {@code commit()}
     * — for {@code duration} after a {@link #DEFAULT_WARMUP} warm-up. A record of the result is a
     * committed transaction; its latency is the commit's.
     */
    public static LoadResult produceTransactions(
            String zkConnect,
            String topic,
            int threads,
            Duration duration,
            int size,
            int txSize,
            Path workDir,
            Path log)
            throws IOException, InterruptedException {
        if (txSize < 1) {
            throw new IllegalArgumentException("txSize must be at least 1: " + txSize);
        }
        return run(
                zkConnect,
                topic,
                threads,
                duration,
                size,
                DEFAULT_WARMUP,
                txSize,
                "W6 metaq-client transactions " + threads + "x(" + txSize + "x" + size + "B+commit)",
                workDir,
                log);
    }

    private static LoadResult run(
            String zkConnect,
            String topic,
            int threads,
            Duration duration,
            int size,
            Duration warmup,
            int txSize,
            String label,
            Path workDir,
            Path log)
            throws IOException, InterruptedException {
        if (threads < 1 || size < 0 || duration.isNegative() || duration.isZero() || warmup.isNegative()) {
            throw new IllegalArgumentException("need threads >= 1, size >= 0, duration > 0 and warm-up >= 0; got "
                    + threads + ", " + size + ", " + duration + ", " + warmup);
        }
        Path classes = compiled(workDir.resolve("metaq-driver"));
        List<String> cmd = new ArrayList<>(List.of(
                ChildProcess.thisJava().toString(),
                "-Xms256m",
                "-Xmx512m",
                "-Djava.net.preferIPv4Stack=true",
                "-Dlog4j.configuration=" + classes.resolve("log4j.properties").toUri(),
                "-Duser.home=" + classes.resolve("home"),
                "-cp",
                classes + java.io.File.pathSeparator + OracleClasspath.METAQ_CLIENT.read(),
                DRIVER,
                zkConnect,
                topic,
                Integer.toString(threads),
                seconds(duration),
                Integer.toString(size),
                seconds(warmup),
                label,
                Integer.toString(txSize)));
        Files.createDirectories(log.toAbsolutePath().getParent());
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        Duration limit = warmup.plus(duration).plus(SLACK);
        int code;
        try (ChildProcess p = ChildProcess.start(DRIVER, cmd, classes, Map.of(), log)) {
            code = p.waitFor(limit);
        }
        String result = resultLine(log, logStart);
        if (code != 0 || result == null) {
            throw new IllegalStateException(DRIVER + " exited with code " + code
                    + (result == null ? " without a RESULT line" : "") + "; tail of " + log + ":\n"
                    + ChildProcess.tail(log, TAIL_LINES));
        }
        return LoadResult.fromJson(result.substring(LoadResult.LINE_PREFIX.length()));
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
    }

    /** The last {@code RESULT …} line written to {@code log} from byte {@code from} on, or {@code null}. */
    private static String resultLine(Path log, long from) throws IOException {
        byte[] written;
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            f.seek(from);
            written = new byte[(int) (f.length() - from)];
            f.readFully(written);
        }
        String found = null;
        for (String line : new String(written, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith(LoadResult.LINE_PREFIX)) {
                found = line.strip();
            }
        }
        return found;
    }

    /** Compiles the driver into {@code dir} unless the same source was compiled there already. */
    private static synchronized Path compiled(Path dir) throws IOException {
        byte[] source;
        try (InputStream in = OriginalClientLoad.class.getResourceAsStream(DRIVER + ".java")) {
            if (in == null) {
                throw new IOException("resource " + DRIVER + ".java missing next to " + OriginalClientLoad.class);
            }
            source = in.readAllBytes();
        }
        Path sourceFile = dir.resolve(DRIVER + ".java");
        Path classFile = dir.resolve(DRIVER + ".class");
        if (Files.exists(classFile)
                && Files.exists(sourceFile)
                && Arrays.equals(Files.readAllBytes(sourceFile), source)) {
            return dir;
        }
        Files.createDirectories(dir.resolve("home"));
        Files.write(sourceFile, source);
        Files.writeString(
                dir.resolve("log4j.properties"),
                "log4j.rootLogger=WARN,err\n"
                        + "log4j.appender.err=org.apache.log4j.ConsoleAppender\n"
                        + "log4j.appender.err.Target=System.err\n"
                        + "log4j.appender.err.layout=org.apache.log4j.PatternLayout\n"
                        + "log4j.appender.err.layout.ConversionPattern=%d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n\n",
                StandardCharsets.UTF_8);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException(
                    "no Java compiler in " + System.getProperty("java.home") + " (a JRE?); " + DRIVER + " needs a JDK");
        }
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac.run(
                null,
                null,
                errors,
                "--release",
                "17",
                "-Xlint:all",
                "-Werror",
                "-cp",
                OracleClasspath.METAQ_CLIENT.read(),
                "-d",
                dir.toString(),
                sourceFile.toString());
        if (rc != 0) {
            Files.deleteIfExists(classFile);
            throw new IllegalStateException(
                    "javac " + sourceFile + " failed:\n" + errors.toString(StandardCharsets.UTF_8));
        }
        return dir;
    }
}
