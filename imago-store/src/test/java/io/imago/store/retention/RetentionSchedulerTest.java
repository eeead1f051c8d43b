package io.imago.store.retention;

import static io.imago.store.StoredRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.store.LogConfig;
import io.imago.store.LogDescriptor;
import io.imago.store.MutableClock;
import io.imago.store.PartitionLog;
import io.imago.store.fs.FileChannelStorageIo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RetentionSchedulerTest {
    @TempDir
    Path tmp;

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private PartitionLog twoSegments(String name, Clock clock, Instant modified) throws IOException {
        PartitionLog log = PartitionLog.open(
                tmp.resolve(name), LogConfig.builder().maxSegmentBytes(100).build(), new FileChannelStorageIo(), clock);
        log.append(1, 0, payload(1, 90)).join();
        Files.setLastModifiedTime(tmp.resolve(name).resolve(LogDescriptor.segmentFileName(0)), FileTime.from(modified));
        return log;
    }

    @Test
    void theNextRunFollowsTheQuartzExpressionOnTheInjectedClock() {
        MutableClock clock = new MutableClock(Instant.parse("2024-01-01T05:00:00Z"));
        RetentionScheduler scheduler = RetentionScheduler.create(RetentionScheduler.DEFAULT_CRON, clock, executor);
        assertThat(scheduler.delayUntilNextRun()).contains(Duration.ofHours(1));
        clock.set(Instant.parse("2024-01-01T06:00:01Z"));
        assertThat(scheduler.delayUntilNextRun()).contains(Duration.ofHours(12).minusSeconds(1));
    }

    @Test
    void runOnceAppliesEachLogsPolicyAndCountsRemovedSegments() throws IOException {
        Instant now = Instant.parse("2024-01-01T05:00:00Z");
        MutableClock clock = new MutableClock(now);
        try (PartitionLog old = twoSegments("old-0", clock, now.minus(Duration.ofHours(2)));
                PartitionLog fresh = twoSegments("fresh-0", clock, now.minus(Duration.ofMinutes(1)));
                RetentionScheduler scheduler = RetentionScheduler.create("0 0 6,18 * * ?", clock, executor)) {
            scheduler.register(old, RetentionPolicy.parse("delete,1"));
            scheduler.register(fresh, RetentionPolicy.parse("delete,1"));
            assertThat(scheduler.runOnce()).isEqualTo(1);
            assertThat(old.minOffset()).isEqualTo(110);
            assertThat(fresh.minOffset()).isZero();
            assertThat(scheduler.failureCount()).isZero();
        }
    }

    @Test
    void startedSchedulerRunsPassesOnTheCron() throws IOException {
        Clock clock = Clock.systemUTC();
        try (PartitionLog log = twoSegments("cron-0", clock, Instant.now().minus(Duration.ofHours(2)));
                RetentionScheduler scheduler = RetentionScheduler.create("* * * * * ?", clock, executor)) {
            scheduler.register(log, RetentionPolicy.parse("delete,1"));
            scheduler.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> log.minOffset() == 110);
        }
    }

    @Test
    void anInvalidExpressionIsRefusedNamingIt() {
        assertThatThrownBy(() -> RetentionScheduler.create("0 0 25 * * ?", Clock.systemUTC(), executor))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'0 0 25 * * ?'");
    }
}
