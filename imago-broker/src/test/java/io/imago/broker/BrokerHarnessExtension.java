package io.imago.broker;

import io.imago.store.fs.FileChannelStorageIo;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@link BrokerHarness} as a JUnit 5 extension: the brokers it starts, each in a directory of its own
 * under a temporary directory, live as long as the field it is registered on. On a static field that
 * is the test class: started before the {@code @BeforeAll} methods, closed after the {@code @AfterAll}
 * methods. On an instance field it is each test: started before the {@code @BeforeEach} methods,
 * closed after the {@code @AfterEach} methods. Closing stops every broker it started, the last started
 * first, then deletes the temporary directory.
 *
 * <p>{@link #of} starts one broker (and its ZooKeeper) when the scope begins; {@link #onDemand()}
 * starts none, for tests that start theirs, each with its own configuration, with {@link #start}.
 * Either way {@link #harness()} is the first broker started, and {@link #startAnother} adds a broker
 * to its ZooKeeper.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final BrokerHarnessExtension BROKER = BrokerHarnessExtension.of("numPartitions=2", "[topic=test]");
 * }</pre>
 *
 * <p>Not thread-safe: JUnit calls it, and tests use it, from the thread that runs the test.
 */
public final class BrokerHarnessExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final String systemExtra;
    private final String sections;
    private final Deque<BrokerHarness> started = new ArrayDeque<>();
    private boolean perClass;
    private Path dir;
    private int brokerDirs;

    private BrokerHarnessExtension(String systemExtra, String sections) {
        this.systemExtra = systemExtra;
        this.sections = sections;
    }

    /**
     * Starts a broker when the scope begins, as {@link BrokerHarness#start(Path, String, String)} with these
     * {@code [system]} lines and sections.
     */
    public static BrokerHarnessExtension of(String systemExtra, String sections) {
        return new BrokerHarnessExtension(systemExtra, sections);
    }

    /** Starts no broker by itself: the tests start theirs with {@link #start}. */
    public static BrokerHarnessExtension onDemand() {
        return new BrokerHarnessExtension(null, null);
    }

    /** The first broker started in the current scope. */
    public BrokerHarness harness() {
        if (started.isEmpty()) {
            throw new IllegalStateException(
                    dir == null
                            ? "no scope: the extension starts brokers in beforeAll "
                                    + "or beforeEach; register it with @RegisterExtension"
                            : "no broker started yet: call start");
        }
        return started.getLast();
    }

    /** Starts a broker with its own ZooKeeper, as {@link BrokerHarness#start(Path, String, String)}. */
    public BrokerHarness start(String systemExtra, String sections) throws Exception {
        return start(systemExtra, sections, new FileChannelStorageIo());
    }

    /** As {@link #start(String, String)}, with the broker's logs over a given storage seam. */
    public BrokerHarness start(String systemExtra, String sections, StorageIo io) throws Exception {
        BrokerHarness harness = BrokerHarness.start(nextBrokerDir(), systemExtra, sections, io);
        started.push(harness);
        return harness;
    }

    /**
     * Starts a broker with id {@code brokerId} registered in the ZooKeeper of {@link #harness()}, as
     * {@link BrokerHarness#startAnother}.
     */
    public BrokerHarness startAnother(int brokerId, String systemExtra, String sections) throws Exception {
        BrokerHarness harness = harness().startAnother(nextBrokerDir(), brokerId, systemExtra, sections);
        started.push(harness);
        return harness;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        perClass = true;
        begin();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            begin();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (!perClass) {
            end();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (perClass) {
            end();
        }
    }

    private void begin() throws Exception {
        dir = Files.createTempDirectory("imago-broker-");
        if (systemExtra != null) {
            start(systemExtra, sections);
        }
    }

    private Path nextBrokerDir() {
        if (dir == null) {
            throw new IllegalStateException("no scope: the extension starts brokers in beforeAll or beforeEach; "
                    + "register it with @RegisterExtension");
        }
        return dir.resolve("broker" + brokerDirs++);
    }

    private void end() throws IOException {
        try {
            while (!started.isEmpty()) {
                started.pop().close();
            }
        } finally {
            if (dir != null) {
                deleteRecursively(dir);
                dir = null;
            }
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
