package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Stopping a {@link PeriodicProbe} is never recorded as a failure of its step. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PeriodicProbeTest {
    @Test
    void closingWhileAStepWaitsLetsTheStepFinishUninterrupted() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PeriodicProbe probe = PeriodicProbe.every(Duration.ofMillis(1), "probe-under-test", () -> {
            started.countDown();
            release.await(); // an interruptible wait, like a ZooKeeper read in progress
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(probe::close);
        // close() must wait for the run in progress rather than interrupt it
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !closing.isDone());
        release.countDown();
        closing.get(15, TimeUnit.SECONDS);
        assertThat(probe.failure()).isNull();
        assertThat(probe.runs()).isEqualTo(1);
    }

    @Test
    void aFailingStepIsRecordedAndStopsTheSchedule() throws Exception {
        PeriodicProbe probe = PeriodicProbe.every(Duration.ofMillis(1), "probe-under-test", () -> {
            throw new AssertionError("broken rule");
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> probe.failure() != null);
        probe.close();
        assertThat(probe.failure()).hasMessage("broken rule");
        assertThat(probe.runs()).isZero();
    }
}
