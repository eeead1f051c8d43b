package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.broker.BrokerHarness;
import io.imago.client.examples.AsyncSendExample;
import io.imago.client.examples.ProducerExample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The examples of docs/client.md run as written, in direct mode and through ZooKeeper. */
@Timeout(60)
class DocExamplesIT {
    @TempDir
    Path dir;

    private static String run(ThrowingMain main, String... args) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            main.run(args);
        } finally {
            System.setOut(out);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    interface ThrowingMain {
        void run(String[] args) throws Exception;
    }

    @Test
    void theProducerAndAsyncExamplesRunInBothModes() throws Exception {
        try (BrokerHarness h = BrokerHarness.start(dir, "", "[topic=example]\nnumPartitions=2")) {
            String direct = "meta://127.0.0.1:" + h.port();
            assertThat(run(ProducerExample::main, direct)).contains("sent id ").doesNotContain("refused");
            assertThat(run(ProducerExample::main, h.zkConnect()).lines().filter(l -> l.startsWith("sent id ")))
                    .hasSize(10);
            assertThat(run(AsyncSendExample::main, h.zkConnect()))
                    .contains("10000 sent, 0 failed")
                    .contains("future: SendResult[ok");
        }
    }
}
