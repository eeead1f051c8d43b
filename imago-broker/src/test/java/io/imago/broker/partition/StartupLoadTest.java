package io.imago.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.imago.store.TopicPartition;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** The bookkeeping of a parallel load: progress lines while it waits, the count, the failures. */
@Timeout(30)
class StartupLoadTest {
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(StartupLoad.class);
    private Level levelBefore;

    @BeforeEach
    void captureLog() {
        levelBefore = logger.getLevel();
        logger.setLevel(Level.INFO);
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
        logger.setLevel(levelBefore);
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition("test", partition);
    }

    private static Path dir(int partition) {
        return Path.of("data", "test-" + partition);
    }

    @Test
    void whileOpensAreUnderWayTheLoadReportsHowFarItIs() throws Exception {
        StartupLoad load = new StartupLoad(2);
        CompletableFuture<PartitionEntry> slow = new CompletableFuture<>();
        load.track(tp(0), dir(0), CompletableFuture.completedFuture(null));
        load.track(tp(1), dir(1), slow);
        CompletableFuture<Integer> waited = CompletableFuture.supplyAsync(() -> {
            try {
                return load.await(20);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10))
                .until(() -> logged.list.stream()
                        .anyMatch(e -> e.getFormattedMessage().startsWith("Opened 1 of 2 partitions in ")));
        slow.complete(null);
        assertThat(waited.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(logged.list.get(logged.list.size() - 1).getFormattedMessage())
                .startsWith("Opened 2 partitions in ");
    }

    @Test
    void theFirstFailureIsThrownWithTheOthersSuppressedAndSkippedOpensAreNotFailures() {
        StartupLoad load = new StartupLoad(4);
        IOException first = new IOException("disk says no");
        load.track(tp(0), dir(0), CompletableFuture.completedFuture(null));
        load.track(tp(1), dir(1), CompletableFuture.failedFuture(first));
        assertThat(load.stopped()).as("later opens are skipped").isTrue();
        load.track(tp(2), dir(2), CompletableFuture.failedFuture(new IllegalStateException("second")));
        load.track(tp(3), dir(3), CompletableFuture.failedFuture(new CancellationException("skipped")));

        assertThatThrownBy(() -> load.await(1000))
                .isSameAs(first)
                .satisfies(e -> assertThat(e.getSuppressed())
                        .extracting(Throwable::getMessage)
                        .containsExactly("second"));
        assertThat(logged.list)
                .filteredOn(e -> e.getLevel() == Level.ERROR)
                .extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly(
                        "Opening partition test-1 from " + dir(1) + " failed: java.io.IOException: disk says no",
                        "Opening partition test-2 from " + dir(2) + " failed: java.lang.IllegalStateException: second");
    }
}
