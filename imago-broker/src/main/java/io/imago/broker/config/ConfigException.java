package io.imago.broker.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The broker configuration could not be read or is invalid. Thrown once, at load time, never later.
 *
 * <p>The message is written for the person who edits {@code server.ini}: it names the file (with the
 * line when known), the section, the key and the offending value, and what would be accepted. The
 * same facts are available as fields so a launcher or a test can inspect them. Instances are
 * immutable.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Path file;
    private final int line;
    private final String section;
    private final String key;
    private final String value;

    ConfigException(String message, Location location, String key, String value, Throwable cause) {
        super(message, cause);
        this.file = location.file().orElse(null);
        this.line = location.line();
        this.section = location.section().orElse(null);
        this.key = key;
        this.value = value;
    }

    /** The configuration file, absent for the built-in standalone configuration. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The 1-based line of the offending text, when the failure has one. */
    public OptionalInt line() {
        return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
    }

    /** The section name as written between the brackets, e.g. {@code system} or {@code topic=t*}. */
    public Optional<String> section() {
        return Optional.ofNullable(section);
    }

    /** The offending key. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** The offending value as written (trimmed). */
    public Optional<String> value() {
        return Optional.ofNullable(value);
    }

    /**
     * Where in a configuration source a failure happened: the source's display name (a file path or
     * a description of a built-in configuration), its file when it has one, the section and the line
     * (0 = unknown).
     */
    record Location(String sourceName, Optional<Path> file, Optional<String> section, int line) {

        static Location of(ConfigSource source) {
            return new Location(source.displayName(), source.file(), Optional.empty(), 0);
        }

        Location at(String sectionName, int lineNumber) {
            return new Location(sourceName, file, Optional.of(sectionName), lineNumber);
        }

        Location atLine(int lineNumber) {
            return new Location(sourceName, file, section, lineNumber);
        }

        /** {@code /path/server.ini:12}, or the bare name when the line is unknown. */
        String where() {
            return line > 0 ? sourceName + ":" + line : sourceName;
        }

        /** {@code [system] of /path/server.ini:12}. */
        String inSection() {
            return section.map(s -> "[" + s + "] of ").orElse("") + where();
        }
    }
}
