package io.imago.broker.config;

/**
 * Evaluates the integer arithmetic that MetaQ accepted in numeric {@code server.ini} values (it ran
 * them through the Aviator expression engine): decimal literals, unary {@code +}/{@code -}, binary
 * {@code + - * / %} with the usual precedence, and parentheses, e.g. {@code 1024*1024},
 * {@code 512 * 1024}, {@code (1+2)*3}, {@code -1}.
 *
 * <p>Arithmetic is on {@code long}; division truncates toward zero. Overflow, division by zero and
 * any other text fail with an {@link IllegalArgumentException} whose message says why (the caller
 * adds the file, key and value). Stateless and thread-safe.
 */
final class NumericExpression {
    private final String text;
    private int pos;

    private NumericExpression(String text) {
        this.text = text;
    }

    /** The value of {@code text}; throws {@link IllegalArgumentException} if it is not a valid expression. */
    static long evaluate(String text) {
        NumericExpression parser = new NumericExpression(text);
        try {
            long value = parser.sum();
            parser.skipSpaces();
            if (parser.pos != text.length()) {
                throw parser.unexpected();
            }
            return value;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("arithmetic error (" + e.getMessage() + ")", e);
        }
    }

    private long sum() {
        long value = product();
        while (true) {
            char op = peek();
            if (op == '+') {
                pos++;
                value = Math.addExact(value, product());
            } else if (op == '-') {
                pos++;
                value = Math.subtractExact(value, product());
            } else {
                return value;
            }
        }
    }

    private long product() {
        long value = unary();
        while (true) {
            char op = peek();
            if (op != '*' && op != '/' && op != '%') {
                return value;
            }
            pos++;
            long right = unary();
            if (op == '*') {
                value = Math.multiplyExact(value, right);
            } else if (right == 0) {
                throw new ArithmeticException("division by zero");
            } else if (op == '/') {
                if (value == Long.MIN_VALUE && right == -1) {
                    throw new ArithmeticException("long overflow");
                }
                value = value / right;
            } else {
                value = value % right;
            }
        }
    }

    private long unary() {
        char c = peek();
        if (c == '-') {
            pos++;
            char next = peek();
            // A negative literal is parsed whole, so Long.MIN_VALUE is written as itself.
            return next >= '0' && next <= '9' ? literal(true) : Math.negateExact(unary());
        }
        if (c == '+') {
            pos++;
            return unary();
        }
        return primary();
    }

    private long primary() {
        char c = peek();
        if (c == '(') {
            pos++;
            long value = sum();
            if (peek() != ')') {
                throw unexpected();
            }
            pos++;
            return value;
        }
        if (c < '0' || c > '9') {
            throw unexpected();
        }
        return literal(false);
    }

    private long literal(boolean negative) {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        String digits = (negative ? "-" : "") + text.substring(start, pos);
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new ArithmeticException("number too large: " + digits);
        }
    }

    private char peek() {
        skipSpaces();
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException unexpected() {
        String found = pos < text.length() ? "'" + text.charAt(pos) + "' at position " + (pos + 1) : "end of text";
        return new IllegalArgumentException(
                "not an integer expression (unexpected " + found + "; expected digits, + - * / % and parentheses)");
    }
}
