package io.imago.client.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.Message;
import io.imago.client.consumer.MessageListener;
import io.imago.client.internal.storage.RecoverStore;
import io.imago.client.testing.LogCapture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 (smaller): a recover store of the group for a topic the consumer no longer subscribes is
 * reported when the consumer starts, instead of being stranded without a word; the store is left as it
 * is (a consumer that subscribes the topic again redelivers it).
 */
class StrandedRecoverStoreTest {
    private static final MessageListener IGNORE = new MessageListener() {
        @Override
        public void recieveMessages(Message message) {}

        @Override
        public Executor getExecutor() {
            return null;
        }
    };

    @TempDir
    Path dir;

    @Test
    void aStoreOfATopicNoLongerSubscribedIsReportedAtStartAndKept() throws Exception {
        RecoverStore gone = new RecoverStore(dir, "gone", "grp", region -> {});
        gone.open();
        gone.append(new Message("gone", "kept".getBytes(StandardCharsets.UTF_8)));
        gone.append(new Message("gone", "kept too".getBytes(StandardCharsets.UTF_8)));
        long bytes = gone.fileBytes();
        gone.close();
        RecoverStore otherGroup = new RecoverStore(dir, "elsewhere", "other", region -> {});
        otherGroup.open();
        otherGroup.append(new Message("elsewhere", "x".getBytes(StandardCharsets.UTF_8)));
        otherGroup.close();

        RecoverManager manager = new RecoverManager(
                dir, "grp", Map.of("kept", new Subscription("kept", 1024, IGNORE, null)), 60_000, 1, e -> {});
        try (LogCapture log = LogCapture.of(RecoverManager.class.getName())) {
            manager.start();
            assertThat(log.warnings("gone@grp.recover"))
                    .singleElement()
                    .asString()
                    .contains("topic gone", "not subscribed", bytes + " bytes");
            assertThat(log.warnings("elsewhere"))
                    .as("another group's store is not ours to report")
                    .isEmpty();
        } finally {
            manager.close();
        }
        RecoverStore reopened = new RecoverStore(dir, "gone", "grp", region -> {});
        reopened.open();
        assertThat(reopened.size()).as("left as it was").isEqualTo(2);
        reopened.close();
    }
}
