package io.imago.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes the futures of acknowledged batches on its own thread, in the order the writer hands
 * them over, then returns their chunks to the queue's pool. Waking the appenders costs about as much
 * as an fsync, so doing it here lets the writer start the next write and fsync at once (BookKeeper
 * keeps journal callbacks off its force-write thread for the same reason). Only chunks whose records
 * are acknowledged (fsynced in group commit) come here. Thread-safe hand-over; one consumer thread.
 */
final class Completer implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Completer.class);

    private final LinkedBlockingQueue<List<WriteChunk>> acknowledged = new LinkedBlockingQueue<>();
    private final List<WriteChunk> end = new ArrayList<>(0);
    private final AppendQueue queue;
    private final String partition;

    Completer(AppendQueue queue, String partition) {
        this.queue = queue;
        this.partition = partition;
    }

    /** Hands over acknowledged chunks; the caller gives up the list. */
    void submit(List<WriteChunk> chunks) {
        acknowledged.add(chunks);
    }

    /** Completes what was submitted, then ends the thread. */
    void finish() {
        acknowledged.add(end);
    }

    @Override
    public void run() {
        try {
            while (true) {
                List<WriteChunk> chunks = acknowledged.take();
                if (chunks == end) {
                    return;
                }
                complete(chunks);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.error("Partition {}: completion thread interrupted; pending acknowledgements are lost", partition, e);
        }
    }

    private void complete(List<WriteChunk> chunks) {
        try {
            for (WriteChunk chunk : chunks) {
                chunk.completeAll();
            }
            queue.recycle(chunks);
        } catch (Throwable t) {
            // completing a future runs the caller's callbacks; a throwing one must not stop the others
            LOG.error("Partition {}: completing acknowledged appends failed", partition, t);
        }
    }
}
