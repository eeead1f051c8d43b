package io.imago.protocol.command;

/**
 * The header line {@code value <length> <opaque>\r\n} alone. A broker writes it and then exactly
 * {@code length} bytes of its own (typically a {@code FileRegion} of one segment, sent with
 * {@code sendfile}); the response encoder writes only the line. Immutable.
 */
public record ValueHeader(int length, int opaque) {

    /** Checks that the length is not negative. */
    public ValueHeader {
        if (length < 0) {
            throw new IllegalArgumentException("negative value length " + length);
        }
    }
}
