package io.imago.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@link OracleClasspath} finds a class path file, and when it would ask Maven to rewrite one (a
 * repository root without {@code mvnw} makes that an error, so no Maven runs here).
 */
class OracleClasspathTest {
    @TempDir
    Path dir;

    @AfterEach
    void clearProperties() {
        System.clearProperty(OracleClasspath.KAFKA.property());
        System.clearProperty(OracleClasspath.HOME_PROPERTY);
    }

    private String jars(String... names) throws IOException {
        StringBuilder classpath = new StringBuilder();
        for (String name : names) {
            Path jar = Files.createDirectories(dir.resolve("repo")).resolve(name);
            Files.write(jar, new byte[0]);
            classpath.append(classpath.length() == 0 ? "" : File.pathSeparator).append(jar);
        }
        return classpath.toString();
    }

    /** {@code <root>/imago-oracles/kafka} with a pom.xml and target/classpath.txt, the pom a minute older. */
    private Path home(String classpath) throws IOException {
        Path root = dir.resolve("home");
        Path module = Files.createDirectories(root.resolve("imago-oracles/kafka/target"));
        Path pom = Files.writeString(module.getParent().resolve("pom.xml"), "<project/>");
        Path file = Files.writeString(module.resolve("classpath.txt"), classpath + "\n");
        Files.setLastModifiedTime(pom, FileTime.from(Instant.now().minusSeconds(60)));
        Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
        return root;
    }

    @Test
    void theFileNamedByThePropertyIsRead() throws IOException {
        String classpath = jars("kafka_2.13-4.1.1.jar", "scala-library-2.13.16.jar");
        Path file = Files.writeString(dir.resolve("cp.txt"), classpath + "\n");
        System.setProperty(OracleClasspath.KAFKA.property(), file.toString());

        assertThat(OracleClasspath.KAFKA.read()).isEqualTo(classpath);
    }

    @Test
    void aFileNamingAJarThatIsGoneIsRefused() throws IOException {
        String classpath = jars("kafka_2.13-4.1.1.jar") + File.pathSeparator + dir.resolve("gone.jar");
        Path file = Files.writeString(dir.resolve("cp.txt"), classpath);
        System.setProperty(OracleClasspath.KAFKA.property(), file.toString());

        assertThatThrownBy(OracleClasspath.KAFKA::read)
                .hasMessageContaining("gone.jar, which is gone")
                .hasMessageContaining("./mvnw -q -B -pl imago-oracles/kafka generate-resources");
    }

    @Test
    void aFileOfAnotherDistributionIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("cp.txt"), jars("metamorphosis-client-1.4.6.2.jar"));
        System.setProperty(OracleClasspath.KAFKA.property(), file.toString());

        assertThatThrownBy(OracleClasspath.KAFKA::read).hasMessageContaining("does not name kafka_2.13-");
    }

    @Test
    void withoutEitherPropertyTheErrorNamesBoth() {
        assertThatThrownBy(OracleClasspath.KAFKA::read)
                .hasMessageContaining("-Dimago.bench.kafkaClasspath=")
                .hasMessageContaining("-Dimago.bench.home=");
    }

    @Test
    void anUpToDateFileOfTheModuleIsReadWithoutMaven() throws IOException {
        String classpath = jars("kafka_2.13-4.1.1.jar", "log4j-core-2.24.3.jar");
        System.setProperty(OracleClasspath.HOME_PROPERTY, home(classpath).toString());

        assertThat(OracleClasspath.KAFKA.read()).isEqualTo(classpath);
    }

    @Test
    void aFileOlderThanTheModulesPomIsRewrittenByMaven() throws IOException {
        Path root = home(jars("kafka_2.13-4.1.1.jar"));
        Files.setLastModifiedTime(
                root.resolve("imago-oracles/kafka/pom.xml"),
                FileTime.from(Instant.now().plusSeconds(60)));

        assertThatThrownBy(() -> OracleClasspath.KAFKA.fromHome(root))
                .hasMessageContaining(root.resolve("mvnw") + " is missing");
    }

    @Test
    void aMissingFileOfTheModuleIsWrittenByMaven() throws IOException {
        Path root = home(jars("kafka_2.13-4.1.1.jar"));
        Files.delete(root.resolve("imago-oracles/kafka/target/classpath.txt"));

        assertThatThrownBy(() -> OracleClasspath.KAFKA.fromHome(root))
                .hasMessageContaining(root.resolve("mvnw") + " is missing");
    }
}
