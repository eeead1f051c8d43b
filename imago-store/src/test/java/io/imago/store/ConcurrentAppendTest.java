package io.imago.store;

import static io.imago.store.StoredRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.imago.store.StoredRecords.Stored;
import io.imago.store.fs.FileChannelStorageIo;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many appenders and a reader on one partition. Randomized with a fixed seed (override with
 * {@code -Dimago.seed=N}); every assertion names the seed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrentAppendTest {
    private static final long SEED = Long.getLong("imago.seed", 20240601L);
    private static final int APPENDERS = 8;
    private static final int RECORDS_PER_APPENDER = 400;

    @TempDir
    Path tmp;

    @Test
    void concurrentAppendersLoseDuplicateAndInterleaveNothingAndTheReaderSeesOnlyCompleteRecords() throws Exception {
        LogConfig config = LogConfig.builder()
                .maxSegmentBytes(8 * 1024)
                .writeBufferBytes(4096)
                .build();
        try (PartitionLog log = PartitionLog.open(
                tmp.resolve("conc-0"), config, new FileChannelStorageIo(), new MutableClock(Instant.EPOCH))) {
            ConcurrentLinkedQueue<long[]> acked = new ConcurrentLinkedQueue<>();
            AtomicBoolean appending = new AtomicBoolean(true);
            AtomicReference<Throwable> readerFailure = new AtomicReference<>();
            AtomicLong recordsSeen = new AtomicLong();
            Thread reader = new Thread(() -> readWhileAppending(log, appending, readerFailure, recordsSeen));
            reader.start();
            List<Thread> appenders = new ArrayList<>();
            for (int a = 0; a < APPENDERS; a++) {
                int appender = a;
                Thread t = new Thread(() -> appendAll(log, appender, acked));
                appenders.add(t);
                t.start();
            }
            for (Thread t : appenders) {
                t.join();
            }
            appending.set(false);
            reader.join();
            assertThat(readerFailure.get()).as("seed %d: reader", SEED).isNull();
            assertThat(recordsSeen.get())
                    .as("seed %d: the reader saw records", SEED)
                    .isPositive();
            checkEveryRecordOnceInOrder(log, acked);
        }
    }

    private static long id(int appender, int i) {
        return (appender + 1L) * 1_000_000L + i;
    }

    private static int size(int appender, int i) {
        return new Random(SEED ^ id(appender, i)).nextInt(600);
    }

    private static void appendAll(PartitionLog log, int appender, ConcurrentLinkedQueue<long[]> acked) {
        Random random = new Random(SEED + appender);
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        int i = 0;
        while (i < RECORDS_PER_APPENDER) {
            if (random.nextInt(5) == 0 && i + 3 <= RECORDS_PER_APPENDER) {
                List<Record> batch = new ArrayList<>();
                for (int k = 0; k < 3; k++) {
                    batch.add(new Record(id(appender, i + k), 0, payload(id(appender, i + k), size(appender, i + k))));
                }
                int first = i;
                futures.add(log.appendBatch(batch).thenAccept(offsets -> {
                    for (int k = 0; k < offsets.length; k++) {
                        acked.add(new long[] {id(appender, first + k), offsets[k]});
                    }
                }));
                i += 3;
            } else {
                long id = id(appender, i);
                futures.add(log.append(id, 0, payload(id, size(appender, i)))
                        .thenAccept(offset -> acked.add(new long[] {id, offset})));
                i++;
            }
            if (random.nextInt(20) == 0) {
                futures.get(futures.size() - 1).join();
            }
        }
        futures.forEach(CompletableFuture::join);
    }

    /**
     * Reads along while the appenders run: samples {@code maxOffset}, then reads everything below it in
     * reads of random sizes, checking each record. Whatever end the log reports must already be
     * readable and must end a whole record; the reported end never goes back.
     */
    private static void readWhileAppending(
            PartitionLog log, AtomicBoolean appending, AtomicReference<Throwable> failure, AtomicLong seen) {
        Random random = new Random(SEED);
        long offset = 0;
        long end = 0;
        try {
            while (appending.get() || offset < log.maxOffset()) {
                long sampled = log.maxOffset();
                assertThat(sampled)
                        .as("seed %d: maxOffset never goes back", SEED)
                        .isGreaterThanOrEqualTo(end);
                end = sampled;
                if (offset == end) {
                    awaitDataBeyond(log, offset);
                } else {
                    offset = readUpTo(log, offset, end, random, seen);
                }
            }
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    /** Waits a little for data beyond {@code offset}, so the loop also sees the appenders finish. */
    private static void awaitDataBeyond(PartitionLog log, long offset) throws InterruptedException {
        CompletableFuture<Void> data = log.awaitDataBeyond(offset);
        try {
            data.get(50, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            data.cancel(false);
        } catch (ExecutionException e) {
            throw new AssertionError("waiting for data failed", e);
        }
    }

    /** Reads {@code [offset, end)}, a range below a {@code maxOffset} the log reported; returns {@code end}. */
    private static long readUpTo(PartitionLog log, long offset, long end, Random random, AtomicLong seen) {
        boolean toEnd = false; // after a read too short for a whole record, the next one asks for all that is left
        while (offset < end) {
            int size = (int) Math.min(end - offset, toEnd ? Integer.MAX_VALUE : 1 + random.nextInt(4096));
            ReadResult result = log.read(offset, size);
            assertThat(result)
                    .as("seed %d: a read at %d, below the end %d the log reported", SEED, offset, end)
                    .isInstanceOf(LogRegion.class);
            LogRegion region = (LogRegion) result;
            byte[] bytes;
            try {
                bytes = StoredRecords.bytes(region);
            } finally {
                region.release();
            }
            List<Stored> records = new ArrayList<>();
            int consumed = StoredRecords.parse(ByteBuffer.wrap(bytes), offset, records);
            if (consumed == 0 && size == end - offset) {
                fail(
                        "seed %d: [%d, %d), below the end the log reported, holds no whole readable record (read %d bytes)",
                        SEED, offset, end, bytes.length);
            }
            toEnd = consumed == 0;
            for (Stored s : records) {
                int appender = (int) (s.messageId() / 1_000_000L) - 1;
                int i = (int) (s.messageId() % 1_000_000L);
                assertThat(s.payload())
                        .isEqualTo(payload(s.messageId(), size(appender, i)).array());
            }
            seen.addAndGet(records.size());
            offset += consumed;
        }
        return offset;
    }

    private static void checkEveryRecordOnceInOrder(PartitionLog log, ConcurrentLinkedQueue<long[]> acked) {
        assertThat(acked).as("seed %d: acknowledgements", SEED).hasSize(APPENDERS * RECORDS_PER_APPENDER);
        Map<Long, Long> offsetById = new HashMap<>();
        for (long[] a : acked) {
            assertThat(offsetById.put(a[0], a[1]))
                    .as("seed %d: id %d acknowledged once", SEED, a[0])
                    .isNull();
        }
        List<Stored> stored = StoredRecords.readAll(log);
        assertThat(stored).as("seed %d: records on disk", SEED).hasSize(APPENDERS * RECORDS_PER_APPENDER);
        long[] lastOffset = new long[APPENDERS];
        Arrays.fill(lastOffset, -1);
        for (Stored s : stored) {
            assertThat(offsetById.get(s.messageId()))
                    .as("seed %d: id %d where acknowledged", SEED, s.messageId())
                    .isEqualTo(s.offset());
            int appender = (int) (s.messageId() / 1_000_000L) - 1;
            assertThat(s.offset())
                    .as("seed %d: appender %d in call order", SEED, appender)
                    .isGreaterThan(lastOffset[appender]);
            lastOffset[appender] = s.offset();
        }
    }
}
