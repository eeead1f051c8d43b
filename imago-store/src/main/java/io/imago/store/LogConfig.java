package io.imago.store;

/**
 * Immutable, validated settings of one partition log. Built with {@link #builder()}; the builder
 * validates every value once in {@link Builder#build()} and names the key in its error.
 *
 * <ul>
 *   <li>{@code maxSegmentBytes} (MetaQ {@code maxSegmentSize}, default 1 GiB): once the active
 *       segment reaches this size after an append it is sealed and a new one starts, so segments may
 *       exceed it by the last append.</li>
 *   <li>{@code unflushThreshold} (default 0): {@code <= 0} selects group commit, where an append is
 *       acknowledged only after its bytes are fsynced; {@code N > 0} acknowledges once written to the
 *       OS and fsyncs after N messages or {@code unflushIntervalMs}.</li>
 *   <li>{@code unflushIntervalMs} (default 10000): the time bound of threshold mode.</li>
 *   <li>{@code groupCommitMaxBytes} (default 512 KiB, spec section 3.4): most bytes the writer writes
 *       between two fsyncs. Unlike the original there is no bypass: every write is fsynced before
 *       its acknowledgement in group commit.</li>
 *   <li>{@code writeBufferBytes} (default 64 KiB): size of each pooled direct buffer appends are
 *       copied into; a record larger than this gets a buffer of its own.</li>
 *   <li>{@code maxMessageBytes} (default 4 MiB, the broker's {@code maxMessageSize} default): the
 *       largest payload the broker lets a put store (appends here do not check it). Recovery resumes
 *       after a corrupt region only at records no larger than this, which keeps its search linear;
 *       larger valid records are still kept.</li>
 *   <li>{@code closeTimeoutMs} (default 30000): how long {@link PartitionLog#close()} waits for the
 *       writer to drain and fsync (and the completion thread to answer) before it gives up on a hung
 *       disk: it then fails every unanswered append, logs what was pending and returns.</li>
 *   <li>{@code ackMarkerIntervalMs} (default 1000) and {@code ackMarkerBytes} (default 16 MiB): the
 *       cadence of the acknowledged-end marker ({@link AcknowledgedEndMarker}): the checkpoint is
 *       rewritten in the background once this many acknowledged bytes are unmarked, or once any are
 *       and the last rewrite is this old. Below the marker, recovery keeps and reports corruption;
 *       above it, a failing record starts a torn tail that is truncated. Smaller values cost more
 *       background fsyncs (two per rewrite), never a put's latency.</li>
 *   <li>{@code preallocateMaxBytes} (default 4 MiB; 0 = off): the largest step by which the active
 *       segment's file is zero-filled (and fsynced) ahead of its writer in the background
 *       ({@link Preallocation}), so that a group commit's fsync changes no file metadata. Steps start at
 *       64 KiB once a segment holds data and grow with it; sealed segments and a cleanly closed log
 *       hold no fill. 0 or at least 4096.</li>
 * </ul>
 * Thread-safe (immutable).
 */
public final class LogConfig {
    public static final String MAX_SEGMENT_BYTES = "maxSegmentBytes";
    public static final long DEFAULT_MAX_SEGMENT_BYTES = 1024L * 1024 * 1024;
    public static final String UNFLUSH_THRESHOLD = "unflushThreshold";
    public static final int DEFAULT_UNFLUSH_THRESHOLD = 0;
    public static final String UNFLUSH_INTERVAL_MS = "unflushIntervalMs";
    public static final long DEFAULT_UNFLUSH_INTERVAL_MS = 10_000;
    public static final String GROUP_COMMIT_MAX_BYTES = "groupCommitMaxBytes";
    public static final int DEFAULT_GROUP_COMMIT_MAX_BYTES = 512 * 1024;
    public static final String WRITE_BUFFER_BYTES = "writeBufferBytes";
    public static final int DEFAULT_WRITE_BUFFER_BYTES = 64 * 1024;
    public static final String MAX_MESSAGE_BYTES = "maxMessageBytes";
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
    public static final String CLOSE_TIMEOUT_MS = "closeTimeoutMs";
    public static final long DEFAULT_CLOSE_TIMEOUT_MS = 30_000;
    public static final String ACK_MARKER_INTERVAL_MS = "ackMarkerIntervalMs";
    public static final long DEFAULT_ACK_MARKER_INTERVAL_MS = 1_000;
    public static final String ACK_MARKER_BYTES = "ackMarkerBytes";
    public static final long DEFAULT_ACK_MARKER_BYTES = 16L * 1024 * 1024;
    public static final String PREALLOCATE_MAX_BYTES = "preallocateMaxBytes";
    public static final long DEFAULT_PREALLOCATE_MAX_BYTES = 4L * 1024 * 1024;

    private final long maxSegmentBytes;
    private final int unflushThreshold;
    private final long unflushIntervalMs;
    private final int groupCommitMaxBytes;
    private final int writeBufferBytes;
    private final int maxMessageBytes;
    private final long closeTimeoutMs;
    private final long ackMarkerIntervalMs;
    private final long ackMarkerBytes;
    private final long preallocateMaxBytes;

    private LogConfig(Builder b) {
        this.maxSegmentBytes = b.maxSegmentBytes;
        this.unflushThreshold = b.unflushThreshold;
        this.unflushIntervalMs = b.unflushIntervalMs;
        this.groupCommitMaxBytes = b.groupCommitMaxBytes;
        this.writeBufferBytes = b.writeBufferBytes;
        this.maxMessageBytes = b.maxMessageBytes;
        this.closeTimeoutMs = b.closeTimeoutMs;
        this.ackMarkerIntervalMs = b.ackMarkerIntervalMs;
        this.ackMarkerBytes = b.ackMarkerBytes;
        this.preallocateMaxBytes = b.preallocateMaxBytes;
    }

    /** The defaults: 1 GiB segments, group commit. */
    public static LogConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder preset with this configuration's values. */
    public Builder toBuilder() {
        return new Builder()
                .maxSegmentBytes(maxSegmentBytes)
                .unflushThreshold(unflushThreshold)
                .unflushIntervalMs(unflushIntervalMs)
                .groupCommitMaxBytes(groupCommitMaxBytes)
                .writeBufferBytes(writeBufferBytes)
                .maxMessageBytes(maxMessageBytes)
                .closeTimeoutMs(closeTimeoutMs)
                .ackMarkerIntervalMs(ackMarkerIntervalMs)
                .ackMarkerBytes(ackMarkerBytes)
                .preallocateMaxBytes(preallocateMaxBytes);
    }

    public long maxSegmentBytes() {
        return maxSegmentBytes;
    }

    public int unflushThreshold() {
        return unflushThreshold;
    }

    public long unflushIntervalMs() {
        return unflushIntervalMs;
    }

    public int groupCommitMaxBytes() {
        return groupCommitMaxBytes;
    }

    public int writeBufferBytes() {
        return writeBufferBytes;
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    public long closeTimeoutMs() {
        return closeTimeoutMs;
    }

    public long ackMarkerIntervalMs() {
        return ackMarkerIntervalMs;
    }

    public long ackMarkerBytes() {
        return ackMarkerBytes;
    }

    /** The largest zero-fill step ahead of the writer; 0 = no preallocation. */
    public long preallocateMaxBytes() {
        return preallocateMaxBytes;
    }

    /** True when appends are acknowledged only after fsync ({@code unflushThreshold <= 0}). */
    public boolean isGroupCommit() {
        return unflushThreshold <= 0;
    }

    @Override
    public String toString() {
        return "LogConfig{" + MAX_SEGMENT_BYTES + '=' + maxSegmentBytes + ", " + UNFLUSH_THRESHOLD + '='
                + unflushThreshold + ", " + UNFLUSH_INTERVAL_MS + '=' + unflushIntervalMs + ", "
                + GROUP_COMMIT_MAX_BYTES + '=' + groupCommitMaxBytes + ", " + WRITE_BUFFER_BYTES + '='
                + writeBufferBytes + ", " + MAX_MESSAGE_BYTES + '=' + maxMessageBytes
                + ", " + CLOSE_TIMEOUT_MS + '=' + closeTimeoutMs + ", " + ACK_MARKER_INTERVAL_MS + '='
                + ackMarkerIntervalMs + ", " + ACK_MARKER_BYTES + '=' + ackMarkerBytes + ", "
                + PREALLOCATE_MAX_BYTES + '=' + preallocateMaxBytes + '}';
    }

    /** Collects values; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private long maxSegmentBytes = DEFAULT_MAX_SEGMENT_BYTES;
        private int unflushThreshold = DEFAULT_UNFLUSH_THRESHOLD;
        private long unflushIntervalMs = DEFAULT_UNFLUSH_INTERVAL_MS;
        private int groupCommitMaxBytes = DEFAULT_GROUP_COMMIT_MAX_BYTES;
        private int writeBufferBytes = DEFAULT_WRITE_BUFFER_BYTES;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private long closeTimeoutMs = DEFAULT_CLOSE_TIMEOUT_MS;
        private long ackMarkerIntervalMs = DEFAULT_ACK_MARKER_INTERVAL_MS;
        private long ackMarkerBytes = DEFAULT_ACK_MARKER_BYTES;
        private long preallocateMaxBytes = DEFAULT_PREALLOCATE_MAX_BYTES;

        private Builder() {}

        public Builder maxSegmentBytes(long value) {
            this.maxSegmentBytes = value;
            return this;
        }

        public Builder unflushThreshold(int value) {
            this.unflushThreshold = value;
            return this;
        }

        public Builder unflushIntervalMs(long value) {
            this.unflushIntervalMs = value;
            return this;
        }

        public Builder groupCommitMaxBytes(int value) {
            this.groupCommitMaxBytes = value;
            return this;
        }

        public Builder writeBufferBytes(int value) {
            this.writeBufferBytes = value;
            return this;
        }

        public Builder maxMessageBytes(int value) {
            this.maxMessageBytes = value;
            return this;
        }

        public Builder closeTimeoutMs(long value) {
            this.closeTimeoutMs = value;
            return this;
        }

        public Builder ackMarkerIntervalMs(long value) {
            this.ackMarkerIntervalMs = value;
            return this;
        }

        public Builder ackMarkerBytes(long value) {
            this.ackMarkerBytes = value;
            return this;
        }

        public Builder preallocateMaxBytes(long value) {
            this.preallocateMaxBytes = value;
            return this;
        }

        /** Validates and freezes the values; an invalid one fails naming its key and value. */
        public LogConfig build() {
            require(maxSegmentBytes > 0, MAX_SEGMENT_BYTES, maxSegmentBytes, "must be > 0");
            require(unflushIntervalMs > 0, UNFLUSH_INTERVAL_MS, unflushIntervalMs, "must be > 0");
            require(groupCommitMaxBytes > 0, GROUP_COMMIT_MAX_BYTES, groupCommitMaxBytes, "must be > 0");
            require(writeBufferBytes >= 4096, WRITE_BUFFER_BYTES, writeBufferBytes, "must be >= 4096");
            require(maxMessageBytes > 0, MAX_MESSAGE_BYTES, maxMessageBytes, "must be > 0");
            require(closeTimeoutMs > 0, CLOSE_TIMEOUT_MS, closeTimeoutMs, "must be > 0");
            require(ackMarkerIntervalMs > 0, ACK_MARKER_INTERVAL_MS, ackMarkerIntervalMs, "must be > 0");
            require(ackMarkerBytes > 0, ACK_MARKER_BYTES, ackMarkerBytes, "must be > 0");
            require(
                    preallocateMaxBytes == 0 || preallocateMaxBytes >= Preallocation.MIN_FILL_BYTES,
                    PREALLOCATE_MAX_BYTES,
                    preallocateMaxBytes,
                    "must be 0 (off) or at least " + Preallocation.MIN_FILL_BYTES);
            return new LogConfig(this);
        }

        private static void require(boolean ok, String key, long value, String rule) {
            if (!ok) {
                throw new IllegalArgumentException("invalid " + key + "=" + value + ": " + rule);
            }
        }
    }
}
