package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** {@link LeavesNoThreads} on example classes run through the JUnit launcher. */
@Timeout(60)
class ThreadLeakCheckTest {
    private static final List<Thread> STARTED = new CopyOnWriteArrayList<>();
    private static volatile CountDownLatch release;

    @BeforeEach
    void holdThreads() {
        release = new CountDownLatch(1);
    }

    @AfterEach
    void releaseThreads() throws InterruptedException {
        release.countDown();
        for (Thread thread : STARTED) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(thread.isAlive()).as("%s ended", thread.getName()).isFalse();
        }
        STARTED.clear();
    }

    /** Starts a thread that runs until the test that ran the example ends. */
    private static void startHeld(String name) {
        CountDownLatch held = release;
        Thread thread = new Thread(
                () -> {
                    try {
                        held.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                name);
        STARTED.add(thread);
        thread.start();
    }

    @Test
    void aTestThatLeavesAWatchedThreadFailsNamingIt() {
        TestExecutionSummary summary = ExampleRun.run(LeavesAThread.class);

        assertThat(summary.getTestsFailedCount()).isEqualTo(1);
        assertThat(summary.getFailures().get(0).getException()).hasMessageContaining("imago-example-left");
    }

    @Test
    void zooKeeperThreadsAreFoundAnywhereInTheirNames() {
        TestExecutionSummary summary = ExampleRun.run(LeavesAZooKeeperClientThread.class);

        assertThat(summary.getTestsFailedCount()).isEqualTo(1);
        assertThat(summary.getFailures().get(0).getException()).hasMessageContaining("test-SendThread(127.0.0.1:1)");
    }

    @Test
    void aWatchedThreadThatEndsSoonAfterTheTestIsAwaited() {
        TestExecutionSummary summary = ExampleRun.run(LeavesAThreadThatEndsSoon.class);

        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getTotalFailureCount()).isZero();
    }

    @Test
    void threadsRunningBeforeTheTestAndUnwatchedThreadsDoNotCount() {
        startHeld("imago-example-earlier");

        TestExecutionSummary summary = ExampleRun.run(LeavesOnlyAnUnwatchedThread.class);

        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getTotalFailureCount()).isZero();
    }

    @Test
    void aWatchedThreadStartedBeforeAllAndLeftFailsTheClass() {
        TestExecutionSummary summary = ExampleRun.run(LeavesAThreadFromBeforeAll.class);

        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getContainersFailedCount()).isEqualTo(1);
        assertThat(summary.getFailures())
                .singleElement()
                .satisfies(failure -> assertThat(failure.getException()).hasMessageContaining("imago-example-class"));
    }

    @ExtendWith(ExampleRun.class)
    @LeavesNoThreads(value = "imago-example-", waitSeconds = 1)
    static class LeavesAThread {
        @Test
        void leavesAThread() {
            startHeld("imago-example-left");
        }
    }

    @ExtendWith(ExampleRun.class)
    @LeavesNoThreads(zooKeeper = true, waitSeconds = 1)
    static class LeavesAZooKeeperClientThread {
        @Test
        void leavesAThread() {
            startHeld("test-SendThread(127.0.0.1:1)");
        }
    }

    @ExtendWith(ExampleRun.class)
    @LeavesNoThreads(value = "imago-example-", waitSeconds = 10)
    static class LeavesAThreadThatEndsSoon {
        @Test
        void leavesAThreadThatEndsSoon() {
            Thread thread =
                    new Thread(() -> LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300)), "imago-example-ending");
            STARTED.add(thread);
            thread.start();
        }
    }

    @ExtendWith(ExampleRun.class)
    @LeavesNoThreads(value = "imago-example-", waitSeconds = 1)
    static class LeavesOnlyAnUnwatchedThread {
        @Test
        void leavesAnUnwatchedThread() {
            startHeld("other-example-left");
        }
    }

    @ExtendWith(ExampleRun.class)
    @LeavesNoThreads(value = "imago-example-", waitSeconds = 1)
    static class LeavesAThreadFromBeforeAll {
        @BeforeAll
        static void startAThread() {
            startHeld("imago-example-class");
        }

        @Test
        void passes() {
            assertThat(STARTED).isNotEmpty();
        }
    }
}
