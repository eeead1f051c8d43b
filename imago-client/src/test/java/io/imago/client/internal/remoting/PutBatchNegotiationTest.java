package io.imago.client.internal.remoting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.client.testing.ScriptedBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code putb} capability is learnt from a {@code version} reply, once per connection. */
@Timeout(30)
class PutBatchNegotiationTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private RemotingClient connectedTo(String versionBody) throws Exception {
        ScriptedBroker b = ScriptedBroker.start(
                0,
                line -> line.startsWith("version")
                        ? Optional.of(ScriptedBroker.result(line, 200, versionBody))
                        : Optional.empty());
        toClose.add(b);
        RemotingClient c = new RemotingClient(RemotingConfig.defaults());
        c.start();
        toClose.add(c);
        c.connect(b.url()).get();
        brokers.add(b);
        return c;
    }

    private final List<ScriptedBroker> brokers = new ArrayList<>();

    @Test
    void anImagoBrokerAnnouncingPutbIsUsedForBatchesAfterOneProbe() throws Exception {
        RemotingClient c = connectedTo("imago-0.1.0 putb=4194304");
        String url = brokers.get(0).url();
        assertThat(c.supportsPutBatch(url)).isFalse(); // unknown yet: this call sends the probe
        await().atMost(Duration.ofSeconds(5)).until(() -> c.supportsPutBatch(url));
        assertThat(brokers.get(0).received()).hasSize(1).allMatch(l -> l.matches("version -?\\d+"));
    }

    @Test
    void theBatchLimitTheBrokerAnnouncesIsKept() throws Exception {
        RemotingClient c = connectedTo("imago-0.1.0 putb=1000");
        String url = brokers.get(0).url();
        assertThat(c.putBatchLimit(url)).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> c.putBatchLimit(url) == 1000);
    }

    @Test
    void theOriginalBrokerVersionAnnouncesNothingSoSinglePutsStay() throws Exception {
        RemotingClient c = connectedTo("1.4.6.2");
        String url = brokers.get(0).url();
        assertThat(c.supportsPutBatch(url)).isFalse();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> brokers.get(0).received().size() == 1);
        // the answer arrived: still false, and no second probe is sent
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !c.supportsPutBatch(url));
        assertThat(brokers.get(0).received()).hasSize(1);
    }

    @Test
    void noConnectionMeansNoBatching() {
        RemotingClient c = new RemotingClient(RemotingConfig.defaults());
        c.start();
        toClose.add(c);
        assertThat(c.supportsPutBatch("meta://127.0.0.1:1")).isFalse();
    }
}
