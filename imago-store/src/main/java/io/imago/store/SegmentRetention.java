package io.imago.store;

import io.imago.store.fs.StorageFile;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What retention does with old segments: which are expired and how an expired one is disposed of
 * (deleted or archived). {@code io.imago.store.retention.RetentionPolicy} is the implementation
 * parsed from MetaQ's {@code deletePolicy}. Implementations must be thread-safe.
 */
public interface SegmentRetention {

    /** True when a segment last modified at {@code lastModifiedMs} is expired at {@code nowMs}. */
    boolean isExpired(long lastModifiedMs, long nowMs);

    /**
     * Deletes or archives the segment file. The segment has already left the log; {@code openFile}
     * stays open for the call (readers may still hold it) and may be read to archive the content.
     */
    void dispose(StorageIo io, Path segmentFile, StorageFile openFile) throws IOException;
}
