package io.imago.client.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The decisions on a record at the fetch offset that cannot be delivered: resync, skip, or stuck. */
class UndeliverableRecordsTest {
    private final List<String> skipped = new CopyOnWriteArrayList<>();
    private final FetchSettings settings = new FetchSettings(
            "g",
            1,
            1_000,
            100,
            2,
            5,
            1 << 20,
            0,
            (topic, partition, start, end, reason) ->
                    skipped.add(topic + "/" + partition + " [" + start + ", " + end + ")"));
    private final UndeliverableRecords records = new UndeliverableRecords(settings, task -> 0L);
    private final FetchTask task = FetchTasks.at(100);

    @Test
    void aCorruptRecordIsResynchronisedOnceThenSkippedByItsLengthWhenFoundAgain() throws Exception {
        ByteBuf body = record(3);
        records.onCorrupt(task, body);
        assertThat(task.fetchOffset).isZero();
        assertThat(task.handledBelow).isEqualTo(100);
        assertThat(records.resyncCount()).isEqualTo(1);
        assertThat(skipped).isEmpty();

        task.fetchOffset = 100; // walked back up to it over whole records
        records.onCorrupt(task, body);
        assertThat(task.fetchOffset).isEqualTo(123);
        assertThat(task.handledBelow).isEqualTo(123);
        assertThat(task.position().getOffset()).isEqualTo(123);
        assertThat(records.resyncCount()).isEqualTo(1);
        assertThat(records.skippedCount()).isEqualTo(1);
        assertThat(skipped).containsExactly("t/0-0 [100, 123)");
    }

    @Test
    void aCorruptRecordWithANegativeLengthIsReportedStuckAndNotSkipped() throws Exception {
        ByteBuf body = record(-5);
        records.onCorrupt(task, body);
        task.fetchOffset = 100;
        records.onCorrupt(task, body);
        records.onCorrupt(task, body);
        assertThat(task.fetchOffset).isEqualTo(100);
        assertThat(task.position().getOffset()).isEqualTo(100);
        assertThat(records.skippedCount()).isZero();
        assertThat(records.stuckAnswerCount()).isEqualTo(2);
        assertThat(task.state.delayMs()).isPositive();
        assertThat(skipped).isEmpty();
    }

    @Test
    void anAnswerShorterThanItsFirstRecordIsStuckAfterTheRetriesWithoutGrowing() {
        ByteBuf body = record(1 << 30).writerIndex(40); // the header and a bit: the broker sends no more
        for (int i = 0; i < 5; i++) {
            records.onIncomplete(task, body);
        }
        assertThat(records.stuckAnswerCount()).isEqualTo(1);
        assertThat(task.state.maxSize()).isEqualTo(64 * 1024);
        assertThat(task.fetchOffset).isEqualTo(100);
    }

    private static ByteBuf record(int length) {
        ByteBuf b = Unpooled.buffer();
        b.writeInt(length).writeInt(12345).writeLong(7).writeInt(0);
        b.writeZero(Math.max(0, Math.min(length, 64)));
        return b;
    }
}
