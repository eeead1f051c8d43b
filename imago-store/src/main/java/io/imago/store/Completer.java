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
    /** The hand-over being completed now, for a close that gives up; empty between hand-overs. */
    private volatile List<WriteChunk> completing = List.of();

    Completer(AppendQueue queue, String partition) {
        this.queue = queue;
        this.partition = partition;
    }

    /** Hands over acknowledged chunks; the caller gives up the list. */
    void submit(List<WriteChunk> chunks) {
        acknowledged.add(chunks);
    }

    /**
     * What was handed over and is not completed yet (a close that gives up on this thread fails it);
     * a snapshot, safe from any thread.
     */
    List<WriteChunk> unanswered() {
        List<WriteChunk> chunks = new ArrayList<>(completing);
        for (List<WriteChunk> handedOver : acknowledged) {
            chunks.addAll(handedOver);
        }
        return chunks;
    }

    /** Completes what was submitted, then ends the thread. */
    void finish() {
        acknowledged.add(end);
    }

    /**
     * Completes hand-overs until {@link #finish()}. An interrupt (or any throwable escaping the loop) is
     * routed to {@link #failed}: the log goes offline, so the writer stops at its next step and calls
     * {@code finish()}; until then this thread goes on answering what the writer hands over, so no
     * append is left unanswered. The interrupt is restored when the thread ends.
     */
    @Override
    public void run() {
        boolean interrupted = false;
        while (true) {
            try {
                List<WriteChunk> chunks = acknowledged.take();
                if (chunks == end) {
                    break;
                }
                completing = chunks;
                complete(chunks);
                completing = List.of();
            } catch (InterruptedException e) {
                interrupted = true;
                failed(e);
            } catch (Throwable t) {
                failed(t);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void complete(List<WriteChunk> chunks) {
        Throwable first = null;
        for (WriteChunk chunk : chunks) {
            Throwable t = chunk.completeAll();
            first = first == null ? t : first;
        }
        if (first != null) {
            // a completion runs the caller's code; the one that threw was failed with it, the rest completed
            LOG.error(
                    "Partition {}: completing an acknowledged append threw; the others were completed",
                    partition,
                    first);
        }
        queue.recycle(chunks);
    }

    /** The one failure handler: takes the log offline and fails what is queued (not yet written). */
    private void failed(Throwable cause) {
        LOG.error(
                "Partition {} goes offline: its completion thread {}; appends already written are still answered",
                partition,
                cause instanceof InterruptedException ? "was interrupted" : "failed",
                cause);
        LogOfflineException offline = new LogOfflineException(
                "partition " + partition + " is offline: its completion thread stopped, nothing queued is written",
                cause);
        for (WriteChunk chunk : queue.fail(offline)) {
            chunk.failAll(offline);
        }
    }
}
