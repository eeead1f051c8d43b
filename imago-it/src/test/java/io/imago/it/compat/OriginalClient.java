package io.imago.it.compat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The unmodified MetaQ 1.4.6.2 client, run in child JVMs: compiles the driver programs
 * {@code OriginalClientDriver.java} and {@code OriginalTxDriver.java} (test resources) once per test
 * JVM against the original client's class path and launches them as {@link DriverProcess}es.
 *
 * <p>The class path is the file named by {@code -Dimago.it.metaqClientClasspath} (the build passes
 * {@code imago-oracles/metaq-client/target/classpath.txt}, which that module writes before this one is
 * built): the original client with its dependencies, plus Atomikos and the MariaDB driver for the
 * transaction driver. A missing or empty file is an error, never a reason to skip: the compatibility
 * suite must run.
 *
 * <p>Thread-safe: compilation is guarded by the class lock; launched processes are independent.
 */
public final class OriginalClient {
    public static final String CLASSPATH_PROPERTY = "imago.it.metaqClientClasspath";
    private static final String DRIVER = "OriginalClientDriver";
    private static final String TX_DRIVER = "OriginalTxDriver";
    private static Path compiledDir;

    private OriginalClient() {}

    /**
     * Launches {@code OriginalClientDriver <args>}, its stderr (the client's log) appended to
     * {@code log}. See the driver's javadoc for the commands.
     */
    public static DriverProcess launch(Path log, String... args) {
        return launchMain(DRIVER, log, args);
    }

    /**
     * Launches {@code OriginalTxDriver <args>} (local and XA transactions, the latter with Atomikos and
     * MariaDB), its stderr appended to {@code log}. See the driver's javadoc for the commands.
     */
    public static DriverProcess launchTx(Path log, String... args) {
        return launchMain(TX_DRIVER, log, args);
    }

    private static DriverProcess launchMain(String main, Path log, String... args) {
        Path classes = compiled();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Djava.net.preferIPv4Stack=true");
        cmd.add("-Dlog4j.configuration=" + classes.resolve("log4j.properties").toUri());
        cmd.add("-Duser.home=" + classes.resolve("home")); // the client's local stores (.meta_recover …)
        cmd.add("-cp");
        cmd.add(classes + java.io.File.pathSeparator + clientClasspath());
        cmd.add(main);
        cmd.addAll(List.of(args));
        return DriverProcess.start(cmd, log);
    }

    /** The original client's class path, from the file named by {@value #CLASSPATH_PROPERTY}. */
    public static String clientClasspath() {
        String file = System.getProperty(CLASSPATH_PROPERTY, "").trim();
        if (file.isEmpty()) {
            throw new IllegalStateException("-D" + CLASSPATH_PROPERTY + " is not set; see imago-it/README.md");
        }
        try {
            String cp = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
            if (!cp.contains("metamorphosis-client-1.4.6.2.jar")) {
                throw new IllegalStateException(file + " does not name metamorphosis-client-1.4.6.2.jar");
            }
            return cp;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the original client's class path from " + file
                            + "; the module imago-oracles/metaq-client writes it: ./mvnw -pl imago-oracles/metaq-client"
                            + " generate-resources",
                    e);
        }
    }

    private static synchronized Path compiled() {
        if (compiledDir == null) {
            try {
                compiledDir = compile();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot compile " + DRIVER + " and " + TX_DRIVER, e);
            }
        }
        return compiledDir;
    }

    private static Path compile() throws IOException {
        Path dir =
                Path.of(System.getProperty("imago.it.logDir", "target/it-logs")).resolveSibling("metaq-driver");
        Files.createDirectories(dir.resolve("home"));
        List<String> sources = new ArrayList<>();
        for (String main : List.of(DRIVER, TX_DRIVER)) {
            Path source = dir.resolve(main + ".java");
            try (InputStream in = OriginalClient.class.getResourceAsStream(main + ".java")) {
                if (in == null) {
                    throw new IOException("resource " + main + ".java missing next to " + OriginalClient.class);
                }
                Files.write(source, in.readAllBytes());
            }
            sources.add(source.toString());
        }
        Files.writeString(
                dir.resolve("log4j.properties"),
                "log4j.rootLogger=WARN,err\n"
                        + "log4j.logger.com.atomikos=INFO\n"
                        + "log4j.appender.err=org.apache.log4j.ConsoleAppender\n"
                        + "log4j.appender.err.Target=System.err\n"
                        + "log4j.appender.err.layout=org.apache.log4j.PatternLayout\n"
                        + "log4j.appender.err.layout.ConversionPattern=%d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n\n");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        List<String> javacArgs = new ArrayList<>(
                List.of("--release", "17", "-Xlint:all", "-Werror", "-cp", clientClasspath(), "-d", dir.toString()));
        javacArgs.addAll(sources);
        int rc = javac.run(null, null, errors, javacArgs.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException(
                    "javac " + sources + " failed:\n" + errors.toString(StandardCharsets.UTF_8));
        }
        return dir;
    }
}
