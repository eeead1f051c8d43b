package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every example region of {@link ConsumerGuideExamples} appears verbatim in docs/client-consumer.md. */
@Timeout(10)
class ClientGuideExamplesTest {
    private static final Path DOC = Path.of("..", "docs", "client-consumer.md");
    private static final Path SOURCE =
            Path.of("src", "test", "java", "io", "imago", "client", "ConsumerGuideExamples.java");

    @Test
    void theGuideShowsEveryExampleAsItCompiles() throws Exception {
        String doc = Files.readString(DOC);
        String source = Files.readString(SOURCE);
        Matcher m = Pattern.compile("// begin:(\\w+)\\n(.*?)\\n\\s*// end:\\1", Pattern.DOTALL)
                .matcher(source);
        int regions = 0;
        while (m.find()) {
            regions++;
            String block = "```java\n" + dedent(m.group(2)) + "\n```";
            assertThat(doc)
                    .as("docs/client-consumer.md shows example '" + m.group(1) + "'")
                    .contains(block);
        }
        assertThat(regions).isEqualTo(6);
    }

    private static String dedent(String region) {
        List<String> lines = region.lines().toList();
        int indent = lines.stream()
                .filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length())
                .min()
                .orElse(0);
        return String.join(
                "\n",
                lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
    }
}
