package io.imago.bench.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The class paths of the original MetaQ 1.4.6.2 jars, which never enter the project's build (it bans
 * their log4j 1.x, commons-logging and zkclient); they are resolved from Maven Central by
 * {@code imago-it/bin/metaq-classpath.sh client|server FILE}. Where the file comes from, in order:
 * <ol>
 *   <li>the system property {@value #SERVER_PROPERTY} (server: metamorphosis-server + client jars) or
 *       {@value #CLIENT_PROPERTY} (client: metamorphosis-client and its dependencies) naming the file;
 *   <li>else, with {@value #HOME_PROPERTY} = the repository root, the script is run (it does nothing
 *       when the file is up to date) into {@code <home>/imago-bench/target/metaq-server-classpath.txt}
 *       or {@code …/metaq-client-classpath.txt};
 *   <li>else an error naming these properties.
 * </ol>
 * Stateless and thread-safe.
 */
final class MetaqClasspath {
    static final String SERVER_PROPERTY = "imago.bench.metaqClasspath";
    static final String CLIENT_PROPERTY = "imago.bench.metaqClientClasspath";
    static final String HOME_PROPERTY = "imago.bench.home";
    private static final String CLIENT_JAR = "metamorphosis-client-1.4.6.2.jar";
    private static final String SERVER_JAR = "metamorphosis-server-1.4.6.2.jar";
    private static final long SCRIPT_TIMEOUT_MINUTES = 10;

    private MetaqClasspath() {
    }

    /** The original broker's class path (server and client jars with their dependencies). */
    static String server() {
        return read(SERVER_PROPERTY, "server", SERVER_JAR);
    }

    /** The original client's class path. */
    static String client() {
        return read(CLIENT_PROPERTY, "client", CLIENT_JAR);
    }

    private static String read(String property, String kind, String mustName) {
        String named = System.getProperty(property, "").trim();
        Path file = named.isEmpty() ? resolveWithScript(kind) : Path.of(named);
        String classpath;
        try {
            classpath = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the original MetaQ " + kind + " class path from " + file
                    + "; write it with imago-it/bin/metaq-classpath.sh " + kind + " " + file, e);
        }
        if (!classpath.contains(mustName)) {
            throw new IllegalStateException(file + " does not name " + mustName
                    + "; rewrite it with imago-it/bin/metaq-classpath.sh " + kind + " " + file);
        }
        return classpath;
    }

    private static Path resolveWithScript(String kind) {
        String home = System.getProperty(HOME_PROPERTY, "").trim();
        if (home.isEmpty()) {
            throw new IllegalStateException("the original MetaQ " + kind + " class path is unknown: set -D"
                    + (kind.equals("server") ? SERVER_PROPERTY : CLIENT_PROPERTY)
                    + "=<file written by imago-it/bin/metaq-classpath.sh " + kind + " FILE> or -D" + HOME_PROPERTY
                    + "=<the Imago repository root>");
        }
        Path root = Path.of(home);
        Path script = root.resolve("imago-it/bin/metaq-classpath.sh");
        Path out = root.resolve("imago-bench/target/metaq-" + kind + "-classpath.txt");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException(script + " is missing; is -D" + HOME_PROPERTY + "=" + home
                    + " the Imago repository root?");
        }
        try {
            Path log = Files.createTempFile("metaq-classpath-", ".log");
            try {
                try (ChildProcess p = ChildProcess.start(script.getFileName() + " " + kind,
                        List.of("bash", script.toString(), kind, out.toString()), root, Map.of(), log)) {
                    int code = p.waitFor(Duration.ofMinutes(SCRIPT_TIMEOUT_MINUTES));
                    if (code != 0) {
                        throw new IllegalStateException(script + " " + kind + " " + out + " failed with exit code "
                                + code + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
                    }
                }
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + script, e);
        }
        return out;
    }
}
