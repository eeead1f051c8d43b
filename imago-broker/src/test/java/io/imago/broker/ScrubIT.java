package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The background scrub (issue 13 §2 item 4): a byte flipped in a sealed segment of a running broker is
 * found without a restart, its gets are refused, and {@code stats} counts it, in a line of its own that
 * appears only once something was found.
 */
@Timeout(120)
class ScrubIT {
    @RegisterExtension
    final BrokerHarnessExtension brokers = BrokerHarnessExtension.onDemand();

    @Test
    void aBitFlippedInASealedSegmentIsFoundByTheScrubRefusedAndCountedInStats() throws Exception {
        BrokerHarness harness = brokers.start("maxSegmentSize=200\nscrubInterval=50", "[topic=test]\nnumPartitions=1");
        try (WireClient c = harness.connect()) {
            byte[] body = new byte[100];
            Arrays.fill(body, (byte) 'x');
            for (int i = 0; i < 4; i++) {
                c.put("test", 0, body, i);
                ResultCommand put = (ResultCommand) c.read();
                assertThat(put.code()).isEqualTo(200);
                put.release();
            }
            assertThat(stats(c)).as("nothing found: MetaQ's lines only").noneMatch(l -> l.startsWith("scrub_"));

            Path sealed = harness.dataDir().resolve("test-0").resolve("00000000000000000000.meta");
            try (RandomAccessFile raf = new RandomAccessFile(sealed.toFile(), "rw")) {
                raf.seek(30);
                int b = raf.read();
                raf.seek(30);
                raf.write(b ^ 0x10);
            }

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(stats(c)).contains("scrub_corrupt_ranges 1"));
            c.send("get test g 0 0 1024 9\r\n");
            ResponseCommand get = c.read();
            assertThat(get).isInstanceOf(ResultCommand.class);
            ResultCommand refused = (ResultCommand) get;
            assertThat(refused.code()).as("a get of the corrupt range").isEqualTo(500);
            refused.release();
        }
    }

    private static List<String> stats(WireClient c) throws Exception {
        c.send("stats  99\r\n");
        ResultCommand reply = (ResultCommand) c.read();
        try {
            return List.of(reply.text().split("\r\n"));
        } finally {
            reply.release();
        }
    }
}
