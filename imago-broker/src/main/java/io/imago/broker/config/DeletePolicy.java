package io.imago.broker.config;

import java.time.Duration;
import java.util.Locale;

/**
 * What retention does with a sealed segment whose file is older than {@code maxAge}: MetaQ's
 * {@code deletePolicy} value {@code delete,<N>} or {@code archive,<N>[,<compress>]} (spec section 3.6).
 * {@code N} is a positive integer with an optional unit suffix {@code s}, {@code m} or {@code h}; no
 * suffix means hours, so the default {@code delete,168} keeps seven days.
 *
 * @param action delete the segment or archive it
 * @param maxAge segments last modified longer ago than this are handled
 * @param compress for {@link Action#ARCHIVE}: zip the segment to {@code <file>.zip} instead of
 *     renaming it to {@code <file>.arc}; always false for {@link Action#DELETE}
 */
public record DeletePolicy(Action action, Duration maxAge, boolean compress) {

    /** What happens to an expired segment. */
    public enum Action {
        DELETE, ARCHIVE
    }

    /** MetaQ's default: delete sealed segments after 168 hours. */
    public static final DeletePolicy DEFAULT = new DeletePolicy(Action.DELETE, Duration.ofHours(168), false);

    /**
     * Parses MetaQ's syntax; throws {@link IllegalArgumentException} naming what is wrong.
     */
    public static DeletePolicy parse(String text) {
        String[] parts = text.split(",", -1);
        String name = parts[0].trim();
        if (name.equals("delete")) {
            if (parts.length != 2) {
                throw new IllegalArgumentException("expected delete,<age> such as delete,168 (hours) or delete,30m");
            }
            return new DeletePolicy(Action.DELETE, age(parts[1].trim()), false);
        }
        if (name.equals("archive")) {
            if (parts.length != 2 && parts.length != 3) {
                throw new IllegalArgumentException("expected archive,<age>[,<compress true|false>]");
            }
            boolean compress = parts.length == 3 && bool(parts[2].trim());
            return new DeletePolicy(Action.ARCHIVE, age(parts[1].trim()), compress);
        }
        throw new IllegalArgumentException("unknown delete policy '" + name + "'; expected delete,<age> or archive,<age>[,<compress>]");
    }

    private static Duration age(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("missing age; expected a positive number with an optional s, m or h suffix");
        }
        char unit = Character.toLowerCase(text.charAt(text.length() - 1));
        String digits = Character.isDigit(unit) ? text : text.substring(0, text.length() - 1);
        long amount;
        try {
            amount = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("age '" + text + "' is not a positive number with an optional s, m or h suffix", e);
        }
        if (amount <= 0) {
            throw new IllegalArgumentException("age '" + text + "' must be positive");
        }
        try {
            return switch (unit) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> {
                    if (!Character.isDigit(unit)) {
                        throw new IllegalArgumentException("age unit '" + unit + "' is not one of s, m, h");
                    }
                    yield Duration.ofHours(amount);
                }
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("age '" + text + "' is too large", e);
        }
    }

    private static boolean bool(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (!lower.equals("true") && !lower.equals("false")) {
            throw new IllegalArgumentException("compress flag '" + text + "' is not true or false");
        }
        return lower.equals("true");
    }

    /** The policy in MetaQ's syntax, e.g. {@code delete,168h} or {@code archive,30m,true}. */
    @Override
    public String toString() {
        String age = maxAge.toSeconds() % 3600 == 0 ? maxAge.toHours() + "h"
                : maxAge.toSeconds() % 60 == 0 ? maxAge.toMinutes() + "m" : maxAge.toSeconds() + "s";
        return action == Action.DELETE ? "delete," + age : "archive," + age + "," + compress;
    }
}
