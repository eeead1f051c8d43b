package io.imago.store.txlog;

import io.imago.store.StoreException;
import java.nio.file.Path;

/**
 * A journal file failed its CRC (or its structure) somewhere other than the torn tail of the last redo
 * file, or a file the journal needs is missing. The journal refuses to open: nothing is dropped silently.
 */
public final class TxJournalCorruptException extends StoreException {
    private final transient Path file;
    private final long position;

    public TxJournalCorruptException(Path file, long position, String what) {
        super(file + " at position " + position + ": " + what, null);
        this.file = file;
        this.position = position;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The byte position in {@link #file()} of the bad record (0 for a whole-file problem). */
    public long position() {
        return position;
    }
}
