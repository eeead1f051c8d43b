package io.imago.broker.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The syntax of a {@code server.ini}: sections in file order, each with its entries in file order and
 * the line of every item, before any meaning is given to a key.
 *
 * <p>Grammar (the subset of ini4j that MetaQ configurations use): a line is blank, a full-line
 * comment starting with {@code ;} or {@code #}, a section header {@code [name]}, or
 * {@code key=value} split at the first {@code =}. Names and values are trimmed. There are no inline
 * comments ({@code #} is meaningful inside a Quartz cron expression), no escapes and no line
 * continuations. An entry before the first section, a line that is none of the above, a repeated
 * section or a repeated key inside one section is an error naming the source, the line and the name.
 *
 * <p>The reader is hand-written because the format is this small; ini4j (what MetaQ used) is
 * unmaintained since 2015, and it would interpret backslashes in Windows paths as escapes.
 * Instances are immutable and thread-safe.
 */
final class IniDocument {
    private final List<Section> sections;

    private IniDocument(List<Section> sections) {
        this.sections = sections;
    }

    /** One {@code key=value} line. */
    record Entry(String key, String value, int line) {}

    /** One {@code [name]} section and its entries in file order. */
    record Section(String name, int line, List<Entry> entries) {}

    List<Section> sections() {
        return sections;
    }

    static IniDocument parse(String text, ConfigException.Location source) {
        Reader reader = new Reader(source);
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length; i++) {
            reader.line(stripBom(lines[i], i).trim(), i + 1);
        }
        return new IniDocument(List.copyOf(reader.sections.values()));
    }

    /** The state of one pass over the lines: the sections so far and the one being filled. */
    private static final class Reader {
        private final ConfigException.Location source;
        private final Map<String, Section> sections = new LinkedHashMap<>();
        private String currentName;
        private Map<String, Entry> currentKeys;
        private List<Entry> currentEntries;

        Reader(ConfigException.Location source) {
            this.source = source;
        }

        void line(String line, int lineNumber) {
            if (line.isEmpty() || line.startsWith(";") || line.startsWith("#")) {
                return;
            }
            if (line.startsWith("[")) {
                startSection(sectionName(line, source.atLine(lineNumber)), lineNumber);
            } else {
                addEntry(entry(line, lineNumber, source.atLine(lineNumber)));
            }
        }

        private void startSection(String name, int lineNumber) {
            currentName = name;
            currentKeys = new LinkedHashMap<>();
            currentEntries = new ArrayList<>();
            Section previous = sections.putIfAbsent(
                    name, new Section(name, lineNumber, Collections.unmodifiableList(currentEntries)));
            if (previous != null) {
                ConfigException.Location here = source.at(name, lineNumber);
                throw new ConfigException(
                        "Duplicate section [" + name + "] in " + here.where() + ", first declared on line "
                                + previous.line(),
                        here,
                        null,
                        null,
                        null);
            }
        }

        private void addEntry(Entry entry) {
            if (currentName == null) {
                ConfigException.Location here = source.atLine(entry.line());
                throw new ConfigException(
                        "Key '" + entry.key() + "' outside of any section in " + here.where()
                                + "; put it under [system], [zookeeper] or [topic=<name>]",
                        here,
                        entry.key(),
                        entry.value(),
                        null);
            }
            Entry previous = currentKeys.putIfAbsent(entry.key(), entry);
            if (previous != null) {
                ConfigException.Location here = source.at(currentName, entry.line());
                throw new ConfigException(
                        "Duplicate config key '" + entry.key() + "' in " + here.inSection() + ", first set on line "
                                + previous.line(),
                        here,
                        entry.key(),
                        entry.value(),
                        null);
            }
            currentEntries.add(entry);
        }
    }

    private static String stripBom(String line, int index) {
        return index == 0 && line.startsWith("\uFEFF") ? line.substring(1) : line;
    }

    private static String sectionName(String line, ConfigException.Location here) {
        if (!line.endsWith("]") || line.substring(1, line.length() - 1).isBlank()) {
            throw new ConfigException(
                    "Malformed section header '" + line + "' in " + here.where() + "; expected [name]",
                    here,
                    null,
                    line,
                    null);
        }
        return line.substring(1, line.length() - 1).trim();
    }

    private static Entry entry(String line, int lineNumber, ConfigException.Location here) {
        int eq = line.indexOf('=');
        if (eq < 0) {
            throw new ConfigException(
                    "Malformed line '" + line + "' in " + here.where()
                            + "; expected key=value, [section] or a comment starting with ; or #",
                    here,
                    null,
                    line,
                    null);
        }
        String key = line.substring(0, eq).trim();
        if (key.isEmpty()) {
            throw new ConfigException(
                    "Missing key before '=' in '" + line + "' at " + here.where(), here, null, line, null);
        }
        return new Entry(key, line.substring(eq + 1).trim(), lineNumber);
    }
}
