package io.imago.protocol.codec;

/**
 * Splitting a header line into tokens and reading typed tokens, each failure raised as an
 * {@link IllegalArgumentException} whose message names the token. Stateless.
 */
final class Tokens {
    private static final int MAX_ECHO_CHARS = 64;

    private Tokens() {}

    /** Java {@code String.split(" ")}: inner empty tokens kept, trailing ones dropped. */
    static String[] split(String line) {
        return line.split(WireDescriptor.SEPARATOR);
    }

    static void requireArity(String[] tokens, int min, int max) {
        if (tokens.length < min || tokens.length > max) {
            String expected = min == max ? Integer.toString(min) : min + " to " + max;
            throw new IllegalArgumentException("expected " + expected + " tokens but got " + tokens.length);
        }
    }

    static int int32(String[] tokens, int index, String name) {
        try {
            return Integer.parseInt(tokens[index]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    name + " is not a 32-bit decimal number: '" + echo(tokens[index]) + "'", e);
        }
    }

    static long int64(String[] tokens, int index, String name) {
        try {
            return Long.parseLong(tokens[index]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    name + " is not a 64-bit decimal number: '" + echo(tokens[index]) + "'", e);
        }
    }

    /** A body length, refused when negative or above {@code maxBodyBytes}. */
    static int bodyLength(String[] tokens, int index, int maxBodyBytes) {
        int length = int32(tokens, index, "body length");
        if (length < 0) {
            throw new IllegalArgumentException("negative body length " + length);
        }
        if (length > maxBodyBytes) {
            throw new IllegalArgumentException(
                    "body of " + length + " bytes exceeds the limit of " + maxBodyBytes + " bytes");
        }
        return length;
    }

    /** The last token as an opaque, or {@link MalformedFrame#UNKNOWN_OPAQUE} when it is not a number. */
    static int opaqueOf(String[] tokens) {
        if (tokens.length < 2) {
            return MalformedFrame.UNKNOWN_OPAQUE;
        }
        try {
            return Integer.parseInt(tokens[tokens.length - 1]);
        } catch (NumberFormatException e) {
            return MalformedFrame.UNKNOWN_OPAQUE;
        }
    }

    /** Whether every char is a digit; {@code true} for "" like commons-lang's {@code isNumeric}. */
    static boolean isNumeric(String token) {
        for (int i = 0; i < token.length(); i++) {
            if (!Character.isDigit(token.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** A token shortened for an error message. */
    static String echo(String token) {
        return token.length() <= MAX_ECHO_CHARS ? token : token.substring(0, MAX_ECHO_CHARS) + "...";
    }
}
