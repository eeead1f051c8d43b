package io.imago.broker;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Names a careless broker or client would turn into paths outside its directory, or into ZooKeeper
 * nodes it did not mean: separators, {@code ..}, NUL and control characters, over-long names, Unicode
 * look-alikes of dots and slashes, Windows device names, wildcards. Shared by the hostile-name
 * properties of every entry point (text protocol, configuration, client).
 */
public final class HostileNames {
    /** Known traps, always tried first by jqwik's edge cases and mixed in with random names. */
    public static final List<String> KNOWN = List.of(
            "..",
            ".",
            "-",
            "CON",
            "con",
            "nul",
            "t%00",
            "t\u0000",
            "a/b",
            "../escape",
            "..\\escape",
            "../../imago-escape",
            "/tmp/imago-escape",
            "x".repeat(250),
            "y".repeat(300),
            "日本語",
            "t\u03bfpic",
            "\u2024\u2024",
            "\uff0e\uff0e\uff0fescape",
            "-0",
            ".hidden",
            "a\u0001b",
            "é",
            "a\u202eb",
            "*",
            "a*",
            "%2e%2e",
            "~root",
            "$HOME",
            "a:b",
            "C:\\escape",
            "a@b");

    private HostileNames() {}

    /**
     * Known traps, traps around a plain word, plausible valid names (so both outcomes are exercised) and
     * any Unicode up to 300 characters; only names that survive a UTF-8 round trip (what a wire or a file
     * can carry).
     */
    public static Arbitrary<String> any() {
        Arbitrary<String> traps = Arbitraries.strings()
                .withChars("./\\\u0000\u0001\u2024\uff0e\uff0f:*?<>|%~@")
                .ofMaxLength(6);
        Arbitrary<String> around = Combinators.combine(
                        traps, Arbitraries.strings().alpha().numeric().ofMaxLength(8), traps)
                .as((a, b, c) -> a + b + c);
        Arbitrary<String> plausible = Arbitraries.strings()
                .withCharRange('a', 'z')
                .withChars("._-0123456789")
                .ofMinLength(1)
                .ofMaxLength(20);
        Arbitrary<String> anything = Arbitraries.strings().all().ofMinLength(1).ofMaxLength(300);
        return Arbitraries.oneOf(Arbitraries.of(KNOWN), around, plausible, anything)
                .filter(s -> !s.isEmpty())
                .filter(s -> new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(s));
    }

    /** {@link #any()} less what cannot be one token of a text protocol line (spaces, line breaks). */
    public static Arbitrary<String> tokens() {
        return any().filter(s -> s.chars().noneMatch(c -> c == ' ' || c == '\r' || c == '\n'));
    }
}
