package io.imago.broker.server;

import io.imago.store.LogRegion;
import io.netty.channel.DefaultFileRegion;

/**
 * A {@code get} reply body sent straight from a segment file with {@code sendfile}: a
 * {@link DefaultFileRegion} (so Netty's epoll transport uses its native sendfile path and NIO uses
 * {@code FileChannel.transferTo}) over the segment's shared channel. On deallocation it releases
 * the {@link LogRegion} instead of closing the channel, which other readers and the writer share.
 */
final class SegmentFileRegion extends DefaultFileRegion {
    private final LogRegion region;

    SegmentFileRegion(LogRegion region) {
        super(region.fileChannel(), region.filePosition(), region.length());
        this.region = region;
    }

    @Override
    protected void deallocate() {
        region.release();
    }
}
