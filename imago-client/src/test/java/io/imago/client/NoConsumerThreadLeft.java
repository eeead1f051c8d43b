package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Fails a test that leaves a consumer's fetch, recover, commit or rebalance thread running. */
final class NoConsumerThreadLeft implements AfterEachCallback {
    private static final List<String> FRAGMENTS = List.of("imago-fetch-", "imago-recover-", "imago-commit-",
            "imago-rebalance-");

    @Override
    public void afterEach(ExtensionContext context) {
        await("consumer threads to end").atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                        .filter(name -> FRAGMENTS.stream().anyMatch(name::startsWith)).sorted().toList())
                .as("consumer threads left running").isEmpty());
    }
}
