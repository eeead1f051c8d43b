package io.imago.broker.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small factories for configuration tests: a deterministic environment and ini files in a temp dir. */
final class ConfigFixtures {
    static final Path HOME = Path.of("/home/tester").toAbsolutePath();
    static final int PROCESSORS = 4;
    static final String LOCAL_ADDRESS = "10.1.2.3";
    static final ConfigEnvironment ENVIRONMENT = new ConfigEnvironment(HOME, PROCESSORS, () -> LOCAL_ADDRESS);

    private ConfigFixtures() {}

    static Path write(Path dir, String text) {
        try {
            Path file = dir.resolve("server.ini");
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BrokerConfig load(Path dir, String text) {
        return BrokerConfig.load(write(dir, text), ENVIRONMENT);
    }

    /** {@code systemLines} under [system], plus a catch-all topic section so the file is valid. */
    static BrokerConfig loadSystem(Path dir, String systemLines) {
        return load(dir, "[system]\n" + systemLines + "\n[topic=*]\n");
    }
}
