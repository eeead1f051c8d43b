package io.imago.store;

import java.util.List;

/**
 * What {@link PartitionLog#open} found and did. Immutable.
 *
 * @param cleanShutdown    true when the checkpoint proved a clean shutdown and nothing was scanned
 * @param scanStartOffset  where the record-by-record scan began ({@code maxOffset} if none ran)
 * @param scannedBytes     bytes read and checked by the scan
 * @param truncatedBytes   bytes cut from a torn tail of the last segment
 * @param corruptRanges    corrupt ranges known after open (found now or kept by the checkpoint)
 * @param segmentCount     segments after recovery
 * @param minOffset        first offset after recovery
 * @param maxOffset        end of the log after recovery
 * @param durationMs       time the recovery took
 */
public record RecoveryReport(
        boolean cleanShutdown,
        long scanStartOffset,
        long scannedBytes,
        long truncatedBytes,
        List<CorruptRange> corruptRanges,
        int segmentCount,
        long minOffset,
        long maxOffset,
        long durationMs) {

    public RecoveryReport {
        corruptRanges = List.copyOf(corruptRanges);
    }

    /** True when the log was not shut down cleanly and a scan ran. */
    public boolean recovered() {
        return !cleanShutdown;
    }
}
