package io.imago.store.retention;

import io.imago.store.LogDescriptor;
import io.imago.store.SegmentRetention;
import io.imago.store.fs.StorageFile;
import io.imago.store.fs.StorageIo;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * MetaQ's {@code deletePolicy} (spec section 3.6): a segment is expired once its file's last-modified
 * time is older than the maximum age;
 * <ul>
 *   <li>{@code delete,N} deletes it;</li>
 *   <li>{@code archive,N} renames it to {@code <file>.arc};</li>
 *   <li>{@code archive,N,true} zips it to {@code <file>.zip} (one entry named after the file) and
 *       deletes it.</li>
 * </ul>
 * {@code N} is hours, or a number with the suffix {@code s}, {@code m} or {@code h}. Immutable and
 * thread-safe.
 */
public final class RetentionPolicy implements SegmentRetention {
    /** MetaQ's default: delete after 7 days. */
    public static final String DEFAULT = "delete,168";

    /** What happens to an expired segment. */
    public enum Action {
        DELETE,
        ARCHIVE
    }

    private static final int COPY_BUFFER_BYTES = 64 * 1024;

    private final String text;
    private final Action action;
    private final long maxAgeMs;
    private final boolean compress;

    private RetentionPolicy(String text, Action action, long maxAgeMs, boolean compress) {
        this.text = text;
        this.action = action;
        this.maxAgeMs = maxAgeMs;
        this.compress = compress;
    }

    /**
     * Parses {@code delete,N} or {@code archive,N[,true|false]}.
     *
     * @throws IllegalArgumentException naming the value and what is wrong with it
     */
    public static RetentionPolicy parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(
                    "invalid deletePolicy '" + value + "': expected delete,N or archive,N[,true]");
        }
        String[] parts = value.split(",", -1);
        String name = parts[0].trim().toLowerCase(Locale.ROOT);
        Action action;
        if (name.equals("delete")) {
            action = Action.DELETE;
        } else if (name.equals("archive")) {
            action = Action.ARCHIVE;
        } else {
            throw new IllegalArgumentException("invalid deletePolicy '" + value + "': unknown policy '"
                    + parts[0].trim() + "', expected delete or archive");
        }
        int maxParts = action == Action.DELETE ? 2 : 3;
        if (parts.length < 2 || parts.length > maxParts) {
            throw new IllegalArgumentException("invalid deletePolicy '" + value + "': expected "
                    + (action == Action.DELETE ? "delete,N" : "archive,N[,true]"));
        }
        long maxAgeMs = parseAgeMs(value, parts[1].trim());
        boolean compress = parts.length == 3 && parseCompress(value, parts[2].trim());
        return new RetentionPolicy(value, action, maxAgeMs, compress);
    }

    private static long parseAgeMs(String value, String age) {
        TimeUnit unit = TimeUnit.HOURS;
        String digits = age;
        char last = age.isEmpty() ? ' ' : Character.toLowerCase(age.charAt(age.length() - 1));
        if (last == 's' || last == 'm' || last == 'h') {
            unit = last == 's' ? TimeUnit.SECONDS : last == 'm' ? TimeUnit.MINUTES : TimeUnit.HOURS;
            digits = age.substring(0, age.length() - 1);
        }
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9') || digits.length() > 12) {
            throw new IllegalArgumentException("invalid deletePolicy '" + value + "': bad age '" + age
                    + "', expected a number of hours or a number with suffix s, m or h");
        }
        return unit.toMillis(Long.parseLong(digits));
    }

    private static boolean parseCompress(String value, String flag) {
        if (flag.equalsIgnoreCase("true")) {
            return true;
        }
        if (flag.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(
                "invalid deletePolicy '" + value + "': compress flag '" + flag + "' must be true or false");
    }

    public Action action() {
        return action;
    }

    public long maxAgeMs() {
        return maxAgeMs;
    }

    public boolean compress() {
        return compress;
    }

    @Override
    public boolean isExpired(long lastModifiedMs, long nowMs) {
        return nowMs - lastModifiedMs > maxAgeMs;
    }

    @Override
    public void dispose(StorageIo io, Path segmentFile, StorageFile openFile) throws IOException {
        Path dir = segmentFile.getParent();
        if (action == Action.DELETE) {
            io.delete(segmentFile);
        } else if (!compress) {
            io.move(segmentFile, segmentFile.resolveSibling(segmentFile.getFileName() + LogDescriptor.ARCHIVE_SUFFIX));
        } else {
            zip(io, segmentFile, openFile);
            io.delete(segmentFile);
        }
        io.syncDirectory(dir);
    }

    private static void zip(StorageIo io, Path segmentFile, StorageFile openFile) throws IOException {
        Path zipPath = segmentFile.resolveSibling(segmentFile.getFileName() + LogDescriptor.ZIP_SUFFIX);
        if (io.exists(zipPath)) {
            io.delete(zipPath);
        }
        try (StorageFile zipFile = io.create(zipPath)) {
            try (ZipOutputStream zip = new ZipOutputStream(
                    new BufferedOutputStream(new StorageFileOutputStream(zipFile), COPY_BUFFER_BYTES))) {
                zip.putNextEntry(new ZipEntry(segmentFile.getFileName().toString()));
                copy(openFile, zip);
                zip.closeEntry();
            }
            zipFile.force();
        }
    }

    private static void copy(StorageFile from, OutputStream to) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(COPY_BUFFER_BYTES);
        long position = 0;
        long size = from.size();
        while (position < size) {
            buffer.clear();
            int n = from.read(buffer, position);
            if (n < 0) {
                break;
            }
            to.write(buffer.array(), 0, n);
            position += n;
        }
    }

    /** The text it was parsed from ({@code deletePolicy} syntax). */
    @Override
    public String toString() {
        return text;
    }

    /** Policies are equal when they dispose of the same segments the same way, whatever their spelling. */
    @Override
    public boolean equals(Object o) {
        return o instanceof RetentionPolicy other
                && action == other.action
                && maxAgeMs == other.maxAgeMs
                && compress == other.compress;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(action, maxAgeMs, compress);
    }

    /** Appends to a {@link StorageFile}; closing it leaves the file open for the caller. */
    private static final class StorageFileOutputStream extends OutputStream {
        private final StorageFile file;
        private long position;

        StorageFileOutputStream(StorageFile file) {
            this.file = file;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            file.write(ByteBuffer.wrap(bytes, offset, length), position);
            position += length;
        }
    }
}
