package io.imago.bench.budget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench put-budget} end to end, briefly: a broker, a few puts, every stage in the report. */
@Timeout(120)
class PutBudgetTest {
    @TempDir
    Path tmp;

    @Test
    void aShortRunReportsEveryStageOfThePut() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        PutBudget.Options options = new PutBudget.Options(
                50, 20, 100, tmp, Optional.of(tmp.resolve("copy.jfr")), List.of("logWriterThreads=1"));
        PutBudgetReport report = new PutBudget(options, new PrintStream(progress, true, StandardCharsets.UTF_8)).run();

        JsonNode json = new ObjectMapper().readTree(report.json());
        List<String> stages = new ArrayList<>();
        json.get("stages").forEach(s -> stages.add(s.get("name").asText()));
        assertThat(stages)
                .containsExactly(
                        "event loop",
                        "writer wake-up",
                        "writer to write",
                        "write",
                        "write to fsync",
                        "fsync",
                        "fsync to completion",
                        "completion to reply",
                        "reply to event loop",
                        "reply write");
        assertThat(json.get("puts").asInt()).isEqualTo(50);
        assertThat(json.get("roundTrip").get("medianUs").asDouble())
                .isGreaterThanOrEqualTo(json.get("brokerSpan").get("medianUs").asDouble());
        assertThat(report.table())
                .contains("client round trip")
                .contains("remainder")
                .contains("recording stopped");
        assertThat(tmp.resolve("copy.jfr")).isNotEmptyFile();
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("copy.jfr"); // its directory is gone
        }
    }
}
