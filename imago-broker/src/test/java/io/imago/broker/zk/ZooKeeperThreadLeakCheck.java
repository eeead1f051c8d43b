package io.imago.broker.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Fails a test that leaves a ZooKeeper server, ZooKeeper client, Curator or registrar thread running. */
final class ZooKeeperThreadLeakCheck implements AfterEachCallback {
    private static final List<String> FRAGMENTS = List.of("SendThread", "EventThread", "NIOServerCxnFactory",
            "NIOWorkerThread", "SyncThread", "ProcessThread", "SessionTracker", "ConnnectionExpirer",
            "imago-zk-registrar", "Curator-");

    @Override
    public void afterEach(ExtensionContext context) {
        await("ZooKeeper threads to end").atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(leakedThreads()).as("threads left running").isEmpty());
    }

    static List<String> leakedThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> FRAGMENTS.stream().anyMatch(name::contains))
                .sorted()
                .toList();
    }
}
