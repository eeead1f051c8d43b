package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** {@link BrokerHarnessExtension}'s scopes, on example classes run through the JUnit launcher. */
@Timeout(120)
class BrokerHarnessExtensionIT {
    /** The brokers the examples saw, in the order they saw them. */
    private static final List<Seen> SEEN = new CopyOnWriteArrayList<>();

    /** A broker as an example saw it, serving. */
    private record Seen(BrokerHarness harness, int port, int zkPort, Path dir) {
        static Seen serving(BrokerHarness harness) throws Exception {
            harness.connect().close();
            String zk = harness.zkConnect();
            Seen seen = new Seen(
                    harness,
                    harness.port(),
                    Integer.parseInt(zk.substring(zk.lastIndexOf(':') + 1)),
                    harness.dataDir().getParent());
            SEEN.add(seen);
            return seen;
        }

        void assertClosed() {
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
                    .as("broker port %d", port)
                    .isInstanceOf(ConnectException.class);
            assertThatThrownBy(() -> new Socket("127.0.0.1", zkPort).close())
                    .as("ZooKeeper port %d", zkPort)
                    .isInstanceOf(ConnectException.class);
            assertThat(dir).doesNotExist();
        }
    }

    private static TestExecutionSummary run(Class<?> example) {
        SEEN.clear();
        return ExampleRun.run(example);
    }

    @Test
    void onAStaticFieldOneBrokerServesTheClassAndIsClosedAfterIt() {
        TestExecutionSummary summary = run(PerClass.class);

        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(summary.getTotalFailureCount()).isZero();
        assertThat(SEEN).hasSize(4); // @BeforeAll (broker 0 and broker 1), then each test (broker 0)
        assertThat(SEEN)
                .extracting(Seen::harness)
                .containsExactly(
                        SEEN.get(0).harness(),
                        SEEN.get(1).harness(),
                        SEEN.get(0).harness(),
                        SEEN.get(0).harness());
        assertThat(SEEN.get(1).zkPort()).isEqualTo(SEEN.get(0).zkPort());
        SEEN.forEach(Seen::assertClosed);
    }

    @Test
    void onAnInstanceFieldEachTestHasItsOwnBrokerClosedAfterItEvenWhenItFails() {
        TestExecutionSummary summary = run(PerTest.class);

        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getTestsFailedCount()).isEqualTo(1);
        assertThat(SEEN).hasSize(4); // @BeforeEach, then the test, for each of the two tests
        assertThat(SEEN.get(1).harness()).isSameAs(SEEN.get(0).harness());
        assertThat(SEEN.get(3).harness()).isSameAs(SEEN.get(2).harness());
        assertThat(SEEN.get(2).harness()).isNotSameAs(SEEN.get(0).harness());
        SEEN.get(0).assertClosed();
        SEEN.get(2).assertClosed();
    }

    @Test
    void onDemandTestsStartBrokersOfTheirOwnConfigurationAndAllAreClosed() {
        TestExecutionSummary summary = run(OnDemand.class);

        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getTotalFailureCount()).isZero();
        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(1).zkPort()).isNotEqualTo(SEEN.get(0).zkPort());
        SEEN.forEach(Seen::assertClosed);
    }

    @ExtendWith(ExampleRun.class)
    static class PerClass {
        @RegisterExtension
        static final BrokerHarnessExtension BROKER = BrokerHarnessExtension.of("", "[topic=test]");

        @BeforeAll
        static void startAnother() throws Exception {
            Seen.serving(BROKER.harness());
            Seen.serving(BROKER.startAnother(1, "", "[topic=test]"));
        }

        @Test
        void first() throws Exception {
            Seen.serving(BROKER.harness());
        }

        @Test
        void second() throws Exception {
            Seen.serving(BROKER.harness());
        }
    }

    @ExtendWith(ExampleRun.class)
    static class PerTest {
        @RegisterExtension
        final BrokerHarnessExtension broker = BrokerHarnessExtension.of("numPartitions=2", "[topic=test]");

        @BeforeEach
        void note() throws Exception {
            Seen.serving(broker.harness());
        }

        @Test
        void passes() throws Exception {
            Seen.serving(broker.harness());
        }

        @Test
        void fails() throws Exception {
            Seen.serving(broker.harness());
            throw new AssertionError("an example failure");
        }
    }

    @ExtendWith(ExampleRun.class)
    static class OnDemand {
        @RegisterExtension
        final BrokerHarnessExtension brokers = BrokerHarnessExtension.onDemand();

        @Test
        void startsTwo() throws Exception {
            BrokerHarness first = Seen.serving(brokers.start("", "[topic=a]")).harness();
            BrokerHarness second =
                    Seen.serving(brokers.start("numPartitions=2", "[topic=b]")).harness();
            assertThat(brokers.harness()).isSameAs(first);
            assertThat(first.config().configuredTopics()).containsExactly("a");
            assertThat(second.config().configuredTopics()).containsExactly("b");
            assertThat(second.config().numPartitions()).isEqualTo(2);
        }
    }
}
