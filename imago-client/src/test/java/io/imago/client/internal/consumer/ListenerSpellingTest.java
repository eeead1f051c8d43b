package io.imago.client.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.Message;
import io.imago.client.consumer.MessageListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * Both kinds of listener work (issue 11 §4): one written for MetaQ implements {@code recieveMessages},
 * one written for Imago may implement {@code receiveMessages}; the consumer calls MetaQ's spelling, whose
 * default hands over to the other with the listener's own exception, and a listener that implements
 * neither is refused.
 */
class ListenerSpellingTest {
    private static final Message MESSAGE = new Message("t", new byte[] {1});

    @Test
    void aMetaqListenerIsCalledThroughItsOwnSpelling() throws Exception {
        List<Message> got = new ArrayList<>();
        MessageListener metaq = new MessageListener() {
            @Override
            public void recieveMessages(Message message) {
                got.add(message);
            }

            @Override
            public Executor getExecutor() {
                return null;
            }
        };
        ListenerCalls.checkImplemented(metaq);
        metaq.recieveMessages(MESSAGE);
        assertThat(got).containsExactly(MESSAGE);
    }

    @Test
    void aCorrectlySpelledListenerIsReachedThroughMetaqsSpellingWithItsOwnCheckedException() {
        IOException failure = new IOException("listener failed");
        List<Message> got = new ArrayList<>();
        MessageListener imago = new MessageListener() {
            @Override
            public void receiveMessages(Message message) throws IOException {
                got.add(message);
                throw failure;
            }

            @Override
            public Executor getExecutor() {
                return null;
            }
        };
        assertThatCode(() -> ListenerCalls.checkImplemented(imago)).doesNotThrowAnyException();
        assertThatThrownBy(() -> imago.recieveMessages(MESSAGE)).isSameAs(failure);
        assertThat(got).containsExactly(MESSAGE);
    }

    @Test
    void aListenerThatImplementsNeitherIsRefused() {
        MessageListener neither = () -> null;
        assertThatThrownBy(() -> ListenerCalls.checkImplemented(neither))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("implements neither recieveMessages(Message)");
    }
}
