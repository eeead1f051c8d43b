package io.imago.client.testing;

import io.imago.client.MessageSessionFactory;
import io.imago.client.TopicBrowser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the brokers stored of a topic, read with a {@link TopicBrowser}: each message's text. */
public final class StoredTexts {
    private StoredTexts() {}

    /** The texts of every message of {@code topic}, in the browser's order, without "warm-up" ones. */
    public static List<String> of(MessageSessionFactory factory, String topic) {
        List<String> all = new ArrayList<>();
        TopicBrowser browser = factory.createTopicBrowser(topic, 1024 * 1024, 5, TimeUnit.SECONDS);
        try {
            browser.iterator().forEachRemaining(m -> all.add(new String(m.getData(), StandardCharsets.UTF_8)));
        } finally {
            browser.shutdown();
        }
        all.removeIf("warm-up"::equals);
        return all;
    }
}
