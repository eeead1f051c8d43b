package io.imago.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The write buffers of a data directory: direct ones within the budget and reused, heap ones beyond. */
class ChunkPoolTest {
    @Test
    void neverMoreDirectChunksThanTheBudgetAllowsAndHeapChunksBeyond() {
        ChunkPool pool = new ChunkPool(64 * 1024, 2 * 64 * 1024);

        WriteChunk first = pool.acquire(100);
        WriteChunk second = pool.acquire(100);
        WriteChunk third = pool.acquire(100);

        assertThat(first.isPooled()).isTrue();
        assertThat(second.isPooled()).isTrue();
        assertThat(third.isPooled()).as("beyond the budget: a heap chunk").isFalse();
        assertThat(third.fits(4096)).as("a heap chunk is at least 4 KiB").isTrue();
        assertThat(third.fits(4097)).as("and no larger than the records need").isFalse();
        assertThat(pool.directChunks()).isEqualTo(2);
    }

    @Test
    void aReleasedDirectChunkIsReusedAndAHeapChunkIsDropped() {
        ChunkPool pool = new ChunkPool(64 * 1024, 64 * 1024);
        WriteChunk direct = pool.acquire(100);
        WriteChunk heap = pool.acquire(100);

        pool.release(heap);
        pool.release(direct);

        assertThat(pool.acquire(100)).isSameAs(direct);
        assertThat(pool.acquire(100).isPooled()).isFalse();
        assertThat(pool.directChunks()).isEqualTo(1);
    }

    @Test
    void recordsLargerThanAChunkGetAHeapChunkOfTheirOwnOutsideTheBudget() {
        ChunkPool pool = new ChunkPool(64 * 1024, 64 * 1024);

        WriteChunk big = pool.acquire(100 * 1024);

        assertThat(big.isPooled()).isFalse();
        assertThat(big.fits(100 * 1024)).isTrue();
        assertThat(pool.directChunks()).isZero();
    }
}
