package io.imago.store.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.store.LogConfig;
import io.imago.store.PartitionLog;
import io.imago.store.Record;
import io.imago.store.fs.FileChannelStorageIo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import jdk.jfr.EventType;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The store's put-stage events: emitted when a recording enables them, off in any other. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreTraceTest {
    @TempDir
    Path tmp;

    @Test
    void aGroupCommitAppendEmitsWakeupWriteFsyncAndCompletion() throws Exception {
        Map<String, RecordedEvent> seen = new ConcurrentHashMap<>();
        try (RecordingStream stream = new RecordingStream()) {
            for (String name : StoreTrace.EVENTS) {
                stream.enable(name).withThreshold(Duration.ZERO);
                stream.onEvent(name, e -> seen.putIfAbsent(name, e));
            }
            stream.startAsync();
            try (PartitionLog log = PartitionLog.open(
                    tmp.resolve("trace-0"), LogConfig.defaults(), new FileChannelStorageIo(), Clock.systemUTC())) {
                ByteBuffer payload = ByteBuffer.wrap("traced".getBytes(StandardCharsets.UTF_8));
                log.append(1L, 0, payload, Record.NO_CHECKSUM).get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(seen.keySet()).containsAll(StoreTrace.EVENTS));
            }
        }
        assertThat(seen.get(StoreTrace.WRITE).getLong("bytes")).isEqualTo(20 + 6); // header + payload
        assertThat(seen.get(StoreTrace.COMPLETE).getInt("messages")).isEqualTo(1);
        assertThat(seen.get(StoreTrace.FSYNC).getString("partition")).isEqualTo("trace-0");
    }

    @Test
    void theEventsAreOffUnlessARecordingEnablesThem() throws Exception {
        try (RecordingStream stream = new RecordingStream()) {
            stream.startAsync();
            for (Class<? extends jdk.jfr.Event> type : java.util.List.of(
                    WriterWakeupEvent.class, WriteEvent.class, FsyncEvent.class, CompleteEvent.class)) {
                assertThat(EventType.getEventType(type).isEnabled())
                        .as(type.getSimpleName())
                        .isFalse();
            }
        }
    }
}
