package io.imago.it.port;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.it.compat.OriginalClient;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every part of MetaQ's public client API an application can touch exists in Imago under the same name
 * with {@code io.imago} for {@code com.taobao.metamorphosis} (issue 11 §4), or is a known gap: the
 * reflective comparison of {@link MetaqApiSurface} over the types of {@code metaq-api-types.txt} must
 * find exactly the gaps listed, each with its reason, in {@code metaq-api-gaps.txt}
 * (docs/migrating-from-metaq.md explains them). A new gap fails the test, and so does a listed gap that
 * was closed, so the list stays true.
 */
class MetaqApiSurfaceIT {
    @Test
    void theOnlyDifferencesFromMetaqsPublicApiAreTheListedOnes() throws Exception {
        List<String> types = lines("metaq-api-types.txt");
        Map<String, String> known = new LinkedHashMap<>();
        for (String line : lines("metaq-api-gaps.txt")) {
            String[] gapAndReason = line.split("\t+", 2);
            assertThat(gapAndReason)
                    .as("gap and reason, tab-separated: " + line)
                    .hasSize(2);
            assertThat(known.put(gapAndReason[0], gapAndReason[1]))
                    .as("listed twice: " + line)
                    .isNull();
        }
        List<String> found;
        try (URLClassLoader metaq = new URLClassLoader(originalJars(), ClassLoader.getPlatformClassLoader())) {
            found = new MetaqApiSurface(metaq, getClass().getClassLoader()).gaps(types);
        }
        assertThat(found)
                .as("gaps between MetaQ's public API and Imago's (left: found; right: listed)")
                .containsExactlyInAnyOrderElementsOf(known.keySet());
    }

    private static URL[] originalJars() throws IOException {
        List<URL> urls = new ArrayList<>();
        for (String jar : OriginalClient.clientClasspath().split(File.pathSeparator)) {
            urls.add(Path.of(jar).toUri().toURL());
        }
        return urls.toArray(URL[]::new);
    }

    /** The non-blank lines of a resource beside this class that do not start with '#'. */
    private static List<String> lines(String resource) throws IOException {
        try (InputStream in = MetaqApiSurfaceIT.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .toList();
        }
    }
}
