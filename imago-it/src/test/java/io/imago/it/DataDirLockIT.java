package io.imago.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imago.it.harness.BrokerProcess;
import io.imago.it.harness.ClusterExtension;
import io.imago.it.harness.PutAck;
import io.imago.it.harness.RawMetaqConnection;
import io.imago.it.harness.Target;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A second broker on a data directory that a live broker holds refuses to start (issue 3 §4). */
@Timeout(60)
class DataDirLockIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    @Test
    void secondBrokerOnTheSameDataDirectoryRefusesToStart() throws Exception {
        assumeTrue(CLUSTER.target() == Target.IMAGO, "Imago's data directory lock; the original has none");
        BrokerProcess first =
                CLUSTER.cluster().startBroker(CLUSTER.cluster().broker(0).topic("test"));

        BrokerProcess second = CLUSTER.cluster()
                .newBroker(CLUSTER.cluster()
                        .broker(1)
                        .dataPath(first.config().dataPath())
                        .topic("test"))
                .launch();

        assertThat(second.awaitExit(Duration.ofSeconds(30)))
                .as("exit code of the second broker")
                .isNotZero();
        assertThat(second.log())
                .contains(first.config().dataPath().toAbsolutePath().toString())
                .contains("in use");
        try (RawMetaqConnection conn = RawMetaqConnection.open(first)) {
            PutAck.of(conn.put("test", 0, "first-still-serves".getBytes(UTF_8)));
        }
    }
}
