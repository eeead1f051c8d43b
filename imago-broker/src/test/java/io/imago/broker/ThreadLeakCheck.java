package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link LeavesNoThreads}: before each test, and before the class, it
 * notes the threads alive; after each test (after its {@code @AfterEach} methods and the tear-down of
 * extensions registered on fields), and after the class, it waits for the watched threads started
 * since then to end, up to {@link LeavesNoThreads#waitSeconds()}, and fails naming those still
 * running. Threads that were running before are not counted, so a broker shared by the class does
 * not count against its tests; a thread that such a shared fixture starts lazily during a test does,
 * so watch only threads that the tests themselves own.
 *
 * <p>Stateless: what it notes lives in the JUnit extension context of the test or class, so one
 * instance serves any number of classes. It assumes that tests do not run in parallel in the JVM, as
 * other tests' threads would count as leaks.
 */
public final class ThreadLeakCheck
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    /** Parts of the names of ZooKeeper's client and server threads and of Curator's threads. */
    private static final List<String> ZOOKEEPER_THREADS = List.of(
            "SendThread",
            "EventThread",
            "NIOServerCxnFactory",
            "NIOWorkerThread",
            "SyncThread",
            "ProcessThread",
            "SessionTracker",
            "ConnnectionExpirer",
            "Curator-");

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ThreadLeakCheck.class);

    /** The threads alive when a test or class began. */
    private record Before(Set<Thread> threads) {}

    @Override
    public void beforeAll(ExtensionContext context) {
        noteThreads(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        noteThreads(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        awaitNoneLeft(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        awaitNoneLeft(context);
    }

    private static void noteThreads(ExtensionContext context) {
        context.getStore(NAMESPACE)
                .put(
                        Before.class,
                        new Before(Set.copyOf(Thread.getAllStackTraces().keySet())));
    }

    private static void awaitNoneLeft(ExtensionContext context) {
        Before before = context.getStore(NAMESPACE).get(Before.class, Before.class);
        if (before == null) {
            return; // the matching before-callback never ran
        }
        LeavesNoThreads settings = settings(context);
        List<String> watched = watchedNames(settings);
        await("threads started by " + context.getDisplayName() + " to end")
                .atMost(Duration.ofSeconds(settings.waitSeconds()))
                .untilAsserted(() -> assertThat(startedSince(before, watched))
                        .as("threads left running")
                        .isEmpty());
    }

    private static LeavesNoThreads settings(ExtensionContext context) {
        return AnnotationSupport.findAnnotation(context.getRequiredTestClass(), LeavesNoThreads.class)
                .orElseThrow(() -> new ExtensionConfigurationException(
                        "annotate " + context.getRequiredTestClass().getName() + " with @LeavesNoThreads to say which "
                                + "threads to watch, instead of registering ThreadLeakCheck directly"));
    }

    private static List<String> watchedNames(LeavesNoThreads settings) {
        List<String> watched = new ArrayList<>(List.of(settings.value()));
        if (settings.zooKeeper()) {
            watched.addAll(ZOOKEEPER_THREADS);
        }
        return watched;
    }

    /** The names, sorted, of the live watched threads that are not among {@code before}. */
    private static List<String> startedSince(Before before, List<String> watched) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(thread -> !before.threads().contains(thread))
                .map(Thread::getName)
                .filter(name -> watched.stream().anyMatch(name::contains))
                .sorted()
                .toList();
    }
}
