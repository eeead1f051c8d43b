package io.imago.client.internal.rebalance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Fails a test that leaves a rebalance, Curator or ZooKeeper (client or server) thread running. */
final class NoThreadLeftBehind implements AfterEachCallback {
    private static final List<String> FRAGMENTS = List.of("imago-rebalance", "Curator-", "SendThread", "EventThread",
            "NIOServerCxnFactory", "NIOWorkerThread", "SyncThread", "ProcessThread", "SessionTracker",
            "ConnnectionExpirer", "sampler");

    @Override
    public void afterEach(ExtensionContext context) {
        await("threads to end").atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                        .filter(name -> FRAGMENTS.stream().anyMatch(name::contains)).sorted().toList())
                .as("threads left running").isEmpty());
    }
}
