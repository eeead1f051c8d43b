package io.imago.it.harness;

import java.nio.charset.StandardCharsets;

/**
 * One frame read from a broker: either {@code result <code> <len> <opaque>\r\n<body>} or
 * {@code value <len> <opaque>\r\n<bytes>} (spec §1.3). For a {@code value} frame {@link #code()}
 * is {@link #VALUE_CODE}. Immutable apart from the body array, which callers must not change.
 *
 * @param header the header line as received, without CRLF
 */
public record Reply(Kind kind, int code, int opaque, byte[] body, String header) {
    /** The code reported for {@code value} frames, which carry none on the wire. */
    public static final int VALUE_CODE = 0;

    /** The two response commands of the protocol. */
    public enum Kind {
        RESULT,
        VALUE
    }

    public boolean isValue() {
        return kind == Kind.VALUE;
    }

    public boolean isResult(int expectedCode) {
        return kind == Kind.RESULT && code == expectedCode;
    }

    /** The body decoded as UTF-8 (the text of {@code result} frames). */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        String shown = kind == Kind.VALUE ? body.length + " bytes" : text();
        return header + " | " + shown;
    }
}
