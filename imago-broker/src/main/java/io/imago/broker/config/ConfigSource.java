package io.imago.broker.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a configuration came from: a file, or a built-in configuration that has only a name.
 * The display name is what error messages and logs show. Immutable.
 */
record ConfigSource(String displayName, Optional<Path> file) {

    static ConfigSource ofFile(Path file) {
        return new ConfigSource(file.toString(), Optional.of(file));
    }

    static ConfigSource builtIn(String description) {
        return new ConfigSource(description, Optional.empty());
    }
}
