package io.imago.protocol;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The one rule for the names a client chooses and a broker turns into directory names and ZooKeeper
 * nodes: topics ({@code <dataPath>/<topic>-<partition>}, {@code /meta/brokers/topics/<topic>}) and
 * consumer groups ({@code /meta/consumers/<group>}, the client's recover store and offset file). Every
 * entry point checks names with it before anything touches the disk or ZooKeeper: the broker's
 * {@code put}, {@code putb}, {@code get} and {@code offset}, the {@code [topic=...]} sections of
 * {@code server.ini}, and the client's messages, publications, subscriptions and consumer groups.
 *
 * <p>The rule (documented in {@code docs/compatibility.md}), modelled on Kafka's:
 * <ul>
 *   <li>1 to {@value #MAX_LENGTH} characters, each an ASCII letter, a digit, {@code _}, {@code -} or,
 *       in a topic only, {@code .} (MetaQ's own client refuses {@code .} in a group);</li>
 *   <li>the first character is a letter, a digit or {@code _}: no hidden directory, no {@code .} or
 *       {@code ..}, nothing that reads as a command-line option;</li>
 *   <li>not a name Windows reserves for a device ({@code CON}, {@code NUL}, {@code COM1}...), in any
 *       case, so a data directory can be copied to any machine.</li>
 * </ul>
 * Such a name is one path element on every file system and one ZooKeeper node name, and it never needs
 * quoting in a text protocol line, a URL or a shell. Stateless and thread-safe.
 */
public final class Names {
    /** Longest topic or group name (Kafka's bound; leaves room for {@code -<partition>} in 255 bytes). */
    public static final int MAX_LENGTH = 249;

    private static final Set<String> DEVICE_NAMES = Set.of(
            "CON", "PRN", "AUX", "NUL", "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
            "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9");

    /** The two kinds of name, which differ only in whether {@code .} is allowed. */
    public enum Kind {
        TOPIC("topic", true),
        GROUP("consumer group", false);

        private final String label;
        private final boolean allowsDot;

        Kind(String label, boolean allowsDot) {
            this.label = label;
            this.allowsDot = allowsDot;
        }

        /** How messages name this kind: {@code topic}, {@code consumer group}. */
        public String label() {
            return label;
        }
    }

    private Names() {}

    /** Why {@code name} is not a valid topic name; empty when it is. */
    public static Optional<String> topicProblem(String name) {
        return problem(Kind.TOPIC, name);
    }

    /** Why {@code name} is not a valid consumer group name; empty when it is. */
    public static Optional<String> groupProblem(String name) {
        return problem(Kind.GROUP, name);
    }

    /** Whether {@code name} is a valid topic name. */
    public static boolean isValidTopic(String name) {
        return topicProblem(name).isEmpty();
    }

    /**
     * Returns {@code name} if it is a valid topic name.
     *
     * @throws InvalidNameException naming the topic (escaped) and what is wrong with it
     */
    public static String checkTopic(String name) {
        return check(Kind.TOPIC, name);
    }

    /**
     * Returns {@code name} if it is a valid consumer group name.
     *
     * @throws InvalidNameException naming the group (escaped) and what is wrong with it
     */
    public static String checkGroup(String name) {
        return check(Kind.GROUP, name);
    }

    /**
     * Why {@code pattern}, a {@code [topic=...]} section name in which {@code *} matches any run of
     * characters, is not made of what topic names are made of; empty when it is. A bare {@code *} (any
     * topic) is valid.
     */
    public static Optional<String> topicPatternProblem(String pattern) {
        return shapeProblem(Kind.TOPIC, pattern, true);
    }

    /**
     * Why {@code name} cannot be one ZooKeeper node name (ZooKeeper's own rule: not empty, not {@code .}
     * or {@code ..}, no {@code /}, no control or private-use characters); empty when it can. For names
     * that become nodes but not files, such as a consumer id chosen by the application.
     */
    public static Optional<String> zooKeeperNodeProblem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("it is empty");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("'" + name + "' is a relative path");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c <= 0x1f || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || c >= 0xfff0) {
                return Optional.of("character " + describe(c) + " at index " + i + " is not allowed in a "
                        + "ZooKeeper node name");
            }
        }
        return Optional.empty();
    }

    /** The text of an error about {@code name}: {@code invalid topic name '<name>': <problem>}. */
    public static String message(Kind kind, String name, String problem) {
        return "invalid " + kind.label() + " name '" + printable(name) + "': " + problem;
    }

    private static String check(Kind kind, String name) {
        Optional<String> problem = problem(kind, name);
        if (problem.isPresent()) {
            throw new InvalidNameException(kind, name, problem.get());
        }
        return name;
    }

    /** Why {@code name} is not a valid name of {@code kind}; empty when it is. */
    public static Optional<String> problem(Kind kind, String name) {
        Optional<String> shape = shapeProblem(kind, name, false);
        if (shape.isPresent()) {
            return shape;
        }
        if (DEVICE_NAMES.contains(name.toUpperCase(Locale.ROOT))) {
            return Optional.of("it is a device name reserved by Windows");
        }
        return Optional.empty();
    }

    /** Length, characters ({@code *} too where {@code wildcard}) and first character. */
    private static Optional<String> shapeProblem(Kind kind, String name, boolean wildcard) {
        if (name == null || name.isEmpty()) {
            return Optional.of("it is empty");
        }
        if (name.length() > MAX_LENGTH) {
            return Optional.of("it has " + name.length() + " characters, more than " + MAX_LENGTH);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isAllowed(kind, c) && !(wildcard && c == '*')) {
                return Optional.of(notAllowed(kind, c, i) + (wildcard ? ", or '*' as a wildcard" : ""));
            }
        }
        char first = name.charAt(0);
        if (first == '.' || first == '-') {
            return Optional.of("it starts with '" + first + "'; start with a letter, a digit or '_'");
        }
        return Optional.empty();
    }

    private static String notAllowed(Kind kind, char c, int index) {
        return "character " + describe(c) + " at index " + index + " is not allowed; use ASCII letters, digits, "
                + "'_', '-'" + (kind.allowsDot ? ", '.'" : "");
    }

    private static boolean isAllowed(Kind kind, char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '_'
                || c == '-'
                || (c == '.' && kind.allowsDot);
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    /**
     * {@code name} as safe, short text for an error message or a log line: printable ASCII as is, every
     * other character as {@code \\uXXXX}, cut after 64 characters.
     */
    public static String printable(String name) {
        if (name == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        int shown = Math.min(name.length(), 64);
        for (int i = 0; i < shown; i++) {
            char c = name.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        if (name.length() > shown) {
            out.append("...(").append(name.length()).append(" characters)");
        }
        return out.toString();
    }
}
