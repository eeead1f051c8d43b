package io.imago.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class IniDocumentTest {
    private static final Path FILE = Path.of("/etc/imago/server.ini");
    private static final ConfigException.Location SOURCE =
            new ConfigException.Location(FILE.toString(), Optional.of(FILE), Optional.empty(), 0);

    @Test
    void readsSectionsAndTrimmedEntriesInFileOrderSkippingComments() {
        IniDocument doc = IniDocument.parse("""
                ; a comment
                # another
                [system]
                  brokerId = 3
                deleteWhen=0 0 6,18 * * ?

                [ topic=b ]
                group.g = a.B
                """, SOURCE);
        assertThat(doc.sections()).extracting(IniDocument.Section::name).containsExactly("system", "topic=b");
        assertThat(doc.sections().get(0).entries())
                .containsExactly(
                        new IniDocument.Entry("brokerId", "3", 4),
                        new IniDocument.Entry("deleteWhen", "0 0 6,18 * * ?", 5));
        assertThat(doc.sections().get(1).entries()).containsExactly(new IniDocument.Entry("group.g", "a.B", 8));
    }

    @Test
    void splitsAtTheFirstEqualsSignAndKeepsHashInsideValues() {
        IniDocument doc = IniDocument.parse("[s]\nk=a=b # not a comment\r\nblank=\n", SOURCE);
        assertThat(doc.sections().get(0).entries())
                .extracting(IniDocument.Entry::value)
                .containsExactly("a=b # not a comment", "");
    }

    @Test
    void duplicateKeyNamesFileLineAndKey() {
        assertThatThrownBy(() -> IniDocument.parse("[system]\nbrokerId=1\nserverPort=1\nbrokerId=2\n", SOURCE))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e)
                            .hasMessage("Duplicate config key 'brokerId' in [system] of /etc/imago/server.ini:4, "
                                    + "first set on line 2");
                    assertThat(e.file()).contains(FILE);
                    assertThat(e.line()).hasValue(4);
                    assertThat(e.section()).contains("system");
                    assertThat(e.key()).contains("brokerId");
                    assertThat(e.value()).contains("2");
                });
    }

    @Test
    void duplicateSectionIsAnError() {
        assertThatThrownBy(() -> IniDocument.parse("[system]\n[zookeeper]\n[system]\n", SOURCE))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Duplicate section [system] in /etc/imago/server.ini:3, first declared on line 1");
    }

    @Test
    void keyBeforeAnySectionIsAnError() {
        assertThatThrownBy(() -> IniDocument.parse("brokerId=1\n[system]\n", SOURCE))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Key 'brokerId' outside of any section in /etc/imago/server.ini:1");
    }

    @Test
    void malformedLinesAreErrorsNamingTheLine() {
        assertThatThrownBy(() -> IniDocument.parse("[system]\nbrokerId\n", SOURCE))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Malformed line 'brokerId' in /etc/imago/server.ini:2");
        assertThatThrownBy(() -> IniDocument.parse("[system\n", SOURCE))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Malformed section header '[system' in /etc/imago/server.ini:1");
        assertThatThrownBy(() -> IniDocument.parse("[ ]\n", SOURCE))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Malformed section header");
        assertThatThrownBy(() -> IniDocument.parse("[s]\n = 3\n", SOURCE))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Missing key before '='");
    }

    @Test
    void ignoresAByteOrderMark() {
        IniDocument doc = IniDocument.parse("\uFEFF[system]\nbrokerId=1\n", SOURCE);
        assertThat(doc.sections()).extracting(IniDocument.Section::name).containsExactly("system");
    }
}
