package io.imago.broker.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.broker.BrokerHarness;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.broker.WireClient;
import io.imago.protocol.command.ResultCommand;
import io.imago.store.trace.StoreTrace;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The put's latency-budget events ({@code bench put-budget}) keep being emitted: one put over a raw
 * connection, in a recording that enables them, yields every stage of the store and the broker.
 */
@Timeout(90)
class PutTraceIT {
    @RegisterExtension
    final BrokerHarnessExtension brokers = BrokerHarnessExtension.onDemand();

    @Test
    void oneSynchronousPutEmitsEveryStageEvent() throws Exception {
        BrokerHarness harness = brokers.start("", "[topic=test]");
        List<String> names = Stream.concat(BrokerTrace.EVENTS.stream(), StoreTrace.EVENTS.stream())
                .toList();
        Map<String, RecordedEvent> seen = new ConcurrentHashMap<>();
        try (RecordingStream stream = new RecordingStream();
                WireClient client = harness.connect()) {
            for (String name : names) {
                stream.enable(name).withThreshold(Duration.ZERO);
                stream.onEvent(name, e -> seen.putIfAbsent(name, e));
            }
            stream.startAsync();
            client.put("test", 0, "traced".getBytes(StandardCharsets.UTF_8), 7);
            ResultCommand reply = (ResultCommand) client.read();
            try {
                assertThat(reply.code()).isEqualTo(200);
            } finally {
                reply.release();
            }
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(seen.keySet()).containsAll(names));
        }
        RecordedEvent put = seen.get(BrokerTrace.PUT_HANDLED);
        assertThat(put.getString("topic")).isEqualTo("test");
        assertThat(put.getInt("bytes")).isEqualTo(6);
        assertThat(seen.get(BrokerTrace.REPLY_WRITE).getBoolean("written")).isTrue();
        assertThat(seen.get(BrokerTrace.REPLY_WRITE).getLong("queued")).isNotNegative();
        assertThat(seen.get(StoreTrace.FSYNC).getString("partition")).isEqualTo("test-0");
    }
}
