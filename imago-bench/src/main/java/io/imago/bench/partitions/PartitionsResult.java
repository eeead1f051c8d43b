package io.imago.bench.partitions;

import java.util.Locale;

/**
 * What one {@code bench partitions} run measured.
 *
 * @param partitions partitions of the topic, one message each
 * @param killed whether the broker was killed with SIGKILL and restarted before the read-back
 * @param putSeconds from the first put sent to the last acknowledged
 * @param acceptSeconds from the restart's process start until it accepted a connection (0 without a kill)
 * @param readSeconds from the restart's process start (without a kill: from the end of the puts) until
 *     every message was read back
 * @param retriedGets gets answered with anything but the message, asked again
 * @param before the broker's figures up to the kill (the whole run without a kill)
 * @param after the restarted broker's figures (the same object as {@code before} without a kill)
 * @param heap the broker's heap option
 */
record PartitionsResult(
        int partitions,
        boolean killed,
        double putSeconds,
        double acceptSeconds,
        double readSeconds,
        int retriedGets,
        ProcessWatch.Figures before,
        ProcessWatch.Figures after,
        String heap) {

    /** One line: the figures, and before/after pairs when the broker was restarted. */
    String line() {
        if (!killed) {
            return String.format(
                    Locale.ROOT,
                    "partitions=%d put=%.2fs read-all=%.2fs max-threads=%d peak-rss=%dMiB max-fds=%d heap=%s",
                    partitions,
                    putSeconds,
                    readSeconds,
                    before.maxThreads(),
                    before.peakRssBytes() >> 20,
                    before.maxFds(),
                    heap);
        }
        return String.format(
                Locale.ROOT,
                "partitions=%d put=%.2fs kill-9 restart-to-all-read=%.2fs (accepting after %.2fs, %d gets retried) "
                        + "max-threads=%d/%d peak-rss=%d/%dMiB max-fds=%d/%d (before the kill/after the restart) "
                        + "heap=%s",
                partitions,
                putSeconds,
                readSeconds,
                acceptSeconds,
                retriedGets,
                before.maxThreads(),
                after.maxThreads(),
                before.peakRssBytes() >> 20,
                after.peakRssBytes() >> 20,
                before.maxFds(),
                after.maxFds(),
                heap);
    }
}
