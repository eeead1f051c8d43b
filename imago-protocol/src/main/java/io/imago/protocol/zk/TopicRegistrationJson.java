package io.imago.protocol.zk;

import java.util.OptionalInt;

/**
 * The data of a broker's registration under {@code topics-pub/<topic>} and {@code topics-sub/<topic>}
 * (spec section 4.1, {@link ZnodeDescriptor}): a JSON object with exactly two fields,
 *
 * <pre>
 * {"numParts":2,"broker":"0-m"}
 * </pre>
 *
 * written in that order, without blanks, as the captured nodes of the original broker show them.
 * Readers accept the fields in any order (the original's Jackson 1.x writes them in either), but no
 * other field: the original client's mapper fails on an unknown one, and ignores the registration.
 * {@code numParts} must be a JSON integer in {@code 0..Integer.MAX_VALUE}; {@code broker} may be any
 * JSON scalar (only {@code numParts} is used) but not an object or an array; a repeated field counts
 * with its last value; text after the object is ignored, as Jackson does. Stateless and thread-safe.
 */
public final class TopicRegistrationJson {
    public static final String NUM_PARTS_FIELD = "numParts";
    public static final String BROKER_FIELD = "broker";

    private TopicRegistrationJson() {}

    /**
     * {@code {"numParts":<numParts>,"broker":"<registration>"}}.
     *
     * @param registration the registration's node name, {@code <brokerId>-m} or {@code <brokerId>-s<n>}
     * @throws IllegalArgumentException if the name would need escaping in JSON
     */
    public static String encode(int numParts, String registration) {
        for (int i = 0; i < registration.length(); i++) {
            char c = registration.charAt(i);
            if (c == '"' || c == '\\' || c < ' ') {
                throw new IllegalArgumentException("registration name needs JSON escaping: '" + registration + "'");
            }
        }
        return "{\"" + NUM_PARTS_FIELD + "\":" + numParts + ",\"" + BROKER_FIELD + "\":\"" + registration + "\"}";
    }

    /** The {@code numParts} of a registration's data; empty if the data is null or not such an object. */
    public static OptionalInt numParts(String data) {
        if (data == null) {
            return OptionalInt.empty();
        }
        try {
            return new Reader(data).registration();
        } catch (IllegalArgumentException notTheJson) {
            return OptionalInt.empty();
        }
    }

    /** A cursor over the text; every method throws {@link IllegalArgumentException} where the grammar breaks. */
    private static final class Reader {
        private final String text;
        private int at;

        Reader(String text) {
            this.text = text;
        }

        OptionalInt registration() {
            expect('{');
            OptionalInt numParts = OptionalInt.empty();
            boolean more = peek() != '}';
            while (more) {
                String field = string();
                expect(':');
                if (NUM_PARTS_FIELD.equals(field)) {
                    numParts = number();
                } else if (BROKER_FIELD.equals(field)) {
                    scalar();
                } else {
                    return OptionalInt.empty();
                }
                more = peek() == ',';
                if (more) {
                    at++;
                }
            }
            expect('}');
            return numParts;
        }

        /** A JSON number; its value if it is an integer in {@code 0..Integer.MAX_VALUE}, else empty. */
        private OptionalInt number() {
            skipBlanks();
            int start = at;
            if (at < text.length() && text.charAt(at) == '-') {
                at++;
            }
            int digits = digits();
            if (digits == 0 || (digits > 1 && text.charAt(at - digits) == '0')) {
                throw new IllegalArgumentException("not a JSON number at " + start);
            }
            String integral = text.substring(start, at);
            boolean fraction = at < text.length() && text.charAt(at) == '.';
            if (fraction) {
                at++;
                requireDigits();
            }
            boolean exponent = at < text.length() && (text.charAt(at) == 'e' || text.charAt(at) == 'E');
            if (exponent) {
                at++;
                if (at < text.length() && (text.charAt(at) == '+' || text.charAt(at) == '-')) {
                    at++;
                }
                requireDigits();
            }
            if (fraction || exponent) {
                return OptionalInt.empty();
            }
            try {
                int value = Integer.parseInt(integral);
                return value < 0 ? OptionalInt.empty() : OptionalInt.of(value);
            } catch (NumberFormatException outsideInt) {
                return OptionalInt.empty();
            }
        }

        /** A string, number, {@code true}, {@code false} or {@code null}. */
        private void scalar() {
            char c = peek();
            if (c == '"') {
                string();
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                number();
            } else if (!literal("true") && !literal("false") && !literal("null")) {
                throw new IllegalArgumentException("not a JSON scalar at " + at);
            }
        }

        private boolean literal(String word) {
            if (text.startsWith(word, at)) {
                at += word.length();
                return true;
            }
            return false;
        }

        private String string() {
            expect('"');
            StringBuilder value = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return value.toString();
                }
                if (c < ' ') {
                    throw new IllegalArgumentException("control character in a JSON string at " + (at - 1));
                }
                value.append(c == '\\' ? escaped() : c);
            }
        }

        private char escaped() {
            char c = next();
            switch (c) {
                case '"', '\\', '/':
                    return c;
                case 'b':
                    return '\b';
                case 'f':
                    return '\f';
                case 'n':
                    return '\n';
                case 'r':
                    return '\r';
                case 't':
                    return '\t';
                case 'u':
                    if (at + 4 > text.length()) {
                        throw new IllegalArgumentException("truncated \\u escape at " + at);
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int hex = Character.digit(text.charAt(at++), 16);
                        if (hex < 0) {
                            throw new IllegalArgumentException("bad \\u escape at " + (at - 1));
                        }
                        code = code * 16 + hex;
                    }
                    return (char) code;
                default:
                    throw new IllegalArgumentException("bad escape \\" + c + " at " + (at - 1));
            }
        }

        private int digits() {
            int start = at;
            while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
                at++;
            }
            return at - start;
        }

        private void requireDigits() {
            if (digits() == 0) {
                throw new IllegalArgumentException("digits expected at " + at);
            }
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("'" + c + "' expected at " + at);
            }
            at++;
        }

        /** The next character that is not JSON whitespace, not consumed; {@code 0} at the end. */
        private char peek() {
            skipBlanks();
            return at < text.length() ? text.charAt(at) : 0;
        }

        private char next() {
            if (at >= text.length()) {
                throw new IllegalArgumentException("unexpected end of the JSON text");
            }
            return text.charAt(at++);
        }

        private void skipBlanks() {
            while (at < text.length() && " \t\n\r".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
        }
    }
}
