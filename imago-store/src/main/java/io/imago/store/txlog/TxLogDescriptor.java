package io.imago.store.txlog;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The journal's files and byte layouts, in one place.
 *
 * <pre>
 * directory (&lt;dataLogPath&gt;/transactions):
 *   redo.&lt;n&gt;            records, appended; n counts up from 0; a new file at each open and at each roll
 *   checkpoint.&lt;n&gt;      a snapshot of live() and the redo position to replay from
 *   checkpoint.&lt;n&gt;.tmp  a checkpoint being written (deleted at open)
 *
 * redo record:
 *   0      4      8      9
 *   +------+------+------+----------------+
 *   |length| crc  | type | body ...       |   length = 1 + body bytes; crc = CRC32C(type, body)
 *   +------+------+------+----------------+
 *   every body starts with: key (string), timeMs (int64)
 *   PUT        + topic (string), partition (int32), messageId (int64), flag (int32), checksum (int32),
 *                payload (int32 length + bytes)
 *   PREPARE    -
 *   COMMIT     + count (int32), count x [topic (string), partition (int32), startOffset (int64)]
 *   COMPLETED  -
 *   ROLLBACK   -
 *   HEURISTIC  + outcome (byte: TxRecord.stateCode)
 *   FORGET     -
 *   string = int32 length + UTF-8 bytes
 *
 * checkpoint file:
 *   0      4      8      12
 *   +------+------+------+-------------------------------------------------------------+
 *   |magic |length| crc  | body: createdMs (int64), redoFile (int64), redoOffset (int64), |
 *   +------+------+------+   count (int32), count x transaction                         |
 *   transaction = key (string), state (byte), firstRecordMs (int64), wasPrepared (byte),
 *                 messages (int32 count + PUT bodies without key/time), starts (as in COMMIT)
 *   crc = CRC32C(body); length = body bytes
 * </pre>
 */
final class TxLogDescriptor {
    private TxLogDescriptor() {}

    static final String REDO_PREFIX = "redo.";
    static final String CHECKPOINT_PREFIX = "checkpoint.";
    static final String TMP_SUFFIX = ".tmp";

    static final int HEADER_BYTES = 8;
    static final int LENGTH_OFFSET = 0;
    static final int CRC_OFFSET = 4;
    static final int TYPE_OFFSET = 8;
    /** No record is larger: a length beyond it is garbage. */
    static final int MAX_RECORD_BYTES = 256 * 1024 * 1024;

    static final byte PUT = 1;
    static final byte PREPARE = 2;
    static final byte COMMIT = 3;
    static final byte COMPLETED = 4;
    static final byte ROLLBACK = 5;
    static final byte HEURISTIC = 6;
    static final byte FORGET = 7;

    static final int CHECKPOINT_MAGIC = 0x54584350; // "TXCP"
    static final int CHECKPOINT_HEADER_BYTES = 12;

    static String redoName(long n) {
        return REDO_PREFIX + n;
    }

    static String checkpointName(long n) {
        return CHECKPOINT_PREFIX + n;
    }

    /** The number of a redo file named {@code redo.<n>}, if {@code file} is one. */
    static OptionalLong redoNumber(Path file) {
        return number(file, REDO_PREFIX);
    }

    /** The number of a checkpoint file named {@code checkpoint.<n>}, if {@code file} is one. */
    static OptionalLong checkpointNumber(Path file) {
        return number(file, CHECKPOINT_PREFIX);
    }

    private static OptionalLong number(Path file, String prefix) {
        String name = file.getFileName().toString();
        if (!name.startsWith(prefix)) {
            return OptionalLong.empty();
        }
        String digits = name.substring(prefix.length());
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(digits));
    }
}
