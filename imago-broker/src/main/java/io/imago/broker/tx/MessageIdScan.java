package io.imago.broker.tx;

import io.imago.protocol.message.MessageSetIterator;
import io.imago.protocol.message.StoredMessage;
import io.imago.store.LogRegion;
import io.imago.store.PartitionLog;
import io.imago.store.ReadResult;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * Which of a set of message ids a partition already holds at or after an offset, read through the
 * log's own read path with every record's checksum verified (a corrupt record fails the scan). What
 * completing a committed transaction after a crash uses to append its missing messages exactly once.
 * Stateless.
 */
final class MessageIdScan {
    private static final int CHUNK_BYTES = 1 << 20;

    private MessageIdScan() {}

    /** The subset of {@code ids} whose records lie in {@code [fromOffset, log.maxOffset())}. */
    static Set<Long> find(PartitionLog log, long fromOffset, Set<Long> ids) throws IOException {
        Set<Long> found = new HashSet<>();
        long offset = Math.max(fromOffset, log.minOffset());
        int chunk = CHUNK_BYTES;
        while (found.size() < ids.size()) {
            ReadResult result = log.read(offset, chunk);
            if (!(result instanceof LogRegion region)) {
                break; // at or past the end
            }
            int regionLength = region.length();
            ByteBuffer bytes;
            try {
                bytes = ByteBuffer.allocate(region.length());
                long position = region.filePosition();
                while (bytes.hasRemaining()) {
                    int n = region.fileChannel().read(bytes, position + bytes.position());
                    if (n < 0) {
                        throw new IOException("segment ended early at " + (position + bytes.position()));
                    }
                }
            } finally {
                region.release();
            }
            bytes.flip();
            MessageSetIterator it = new MessageSetIterator(Unpooled.wrappedBuffer(bytes), offset, Integer.MAX_VALUE);
            while (it.hasNext()) {
                StoredMessage m = it.next();
                if (ids.contains(m.id())) {
                    found.add(m.id());
                }
            }
            if (it.consumedBytes() == 0) {
                if (regionLength < chunk) {
                    throw new IOException("incomplete record at offset " + offset + " of " + log);
                }
                chunk = chunk * 2; // a record longer than the chunk (or the segment's end): read more at once
                if (chunk <= 0) {
                    throw new IOException("unreadable record at offset " + offset);
                }
            } else {
                offset = it.nextOffset();
                chunk = CHUNK_BYTES;
            }
        }
        return found;
    }
}
