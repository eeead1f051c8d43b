package io.imago.client.internal.remoting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.client.testing.ScriptedBroker;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.StatsCommand;
import io.imago.protocol.command.VersionCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RemotingClientTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private RemotingClient client(RemotingConfig config) {
        RemotingClient c = new RemotingClient(config);
        c.start();
        toClose.add(c);
        return c;
    }

    private RemotingClient client() {
        return client(RemotingConfig.defaults());
    }

    private ScriptedBroker broker(java.util.function.Function<String, Optional<String>> script) throws Exception {
        ScriptedBroker b = ScriptedBroker.start(0, script);
        toClose.add(b);
        return b;
    }

    private static Optional<String> answerVersion(String line) {
        return line.startsWith("version") ? Optional.of(ScriptedBroker.result(line, 200, "1.4.6.2")) : Optional.empty();
    }

    private static String text(CompletableFuture<ResponseCommand> f) throws Exception {
        ResponseCommand r = f.get(5, TimeUnit.SECONDS);
        try {
            return ((ResultCommand) r).code() + " " + ((ResultCommand) r).text();
        } finally {
            r.release();
        }
    }

    @Test
    void pipelinedRepliesAreMatchedByOpaqueWhateverTheirOrder() throws Exception {
        List<String> held = new ArrayList<>();
        ScriptedBroker b = broker(line -> {
            synchronized (held) {
                held.add(line);
                if (held.size() < 3) {
                    return Optional.empty();
                }
                // answer the three in reverse order, each with its own opaque in the body
                StringBuilder out = new StringBuilder();
                for (int i = held.size() - 1; i >= 0; i--) {
                    String l = held.get(i);
                    out.append(ScriptedBroker.result(l, 200, l.substring(l.lastIndexOf(' ') + 1)));
                }
                return Optional.of(out.toString());
            }
        });
        RemotingClient c = client();
        List<CompletableFuture<ResponseCommand>> futures = new ArrayList<>();
        List<Integer> opaques = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int opaque = OpaqueGenerator.next();
            opaques.add(opaque);
            futures.add(c.invoke(b.url(), new VersionCommand(opaque), 5_000));
        }
        for (int i = 0; i < 3; i++) {
            assertThat(text(futures.get(i))).isEqualTo("200 " + opaques.get(i));
        }
        assertThat(c.connectedUrls()).containsExactly(b.url());
    }

    @Test
    void requestWithoutReplyFailsWithTimeoutAndItsLateReplyIsDropped() throws Exception {
        ScriptedBroker b = broker(line -> Optional.empty());
        RemotingClient c = client();
        int opaque = OpaqueGenerator.next();
        CompletableFuture<ResponseCommand> f = c.invoke(b.url(), new StatsCommand("", opaque), 200);
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(RequestTimeoutException.class)
                .hasMessageContaining("timed out after 200 ms")
                .hasMessageContaining(b.url());
        b.sendToAll("result 200 4 " + opaque + "\r\nlate"); // dropped: nobody waits for it
        CompletableFuture<ResponseCommand> next =
                c.invoke(b.url(), new StatsCommand("", OpaqueGenerator.next()), 5_000);
        await().until(() -> b.received().size() == 2);
        b.sendToAll(ScriptedBroker.result(b.received().get(1), 200, "ok"));
        assertThat(text(next)).isEqualTo("200 ok");
    }

    @Test
    void connectionLossFailsRequestsInFlightAtOnceAndReconnects() throws Exception {
        ScriptedBroker b = broker(RemotingClientTest::answerVersion);
        RemotingClient c = client();
        c.connect(b.url()).get(5, TimeUnit.SECONDS);
        CompletableFuture<ResponseCommand> f = c.invoke(b.url(), new StatsCommand("", OpaqueGenerator.next()), 20_000);
        await().until(() -> b.received().size() == 1);
        long t0 = System.nanoTime();
        b.dropConnections();
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(ConnectionException.class)
                .hasMessageContaining("lost");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> c.isConnected(b.url()));
        assertThat(text(c.invoke(b.url(), new VersionCommand(OpaqueGenerator.next()), 2_000)))
                .isEqualTo("200 1.4.6.2");
    }

    @Test
    void requestsToABrokerThatIsDownFailFastWithConnectionException() throws Exception {
        ScriptedBroker b = broker(line -> Optional.empty());
        String url = b.url();
        b.close();
        RemotingClient c = client();
        CompletableFuture<ResponseCommand> f = c.invoke(url, new VersionCommand(OpaqueGenerator.next()), 10_000);
        // "Cannot connect to <url>" when the request waited on the attempt, "Not connected to <url>
        // (reconnecting)" when the attempt had already failed: both fail fast and name the broker
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(ConnectionException.class)
                .hasMessageContaining(url);
        CompletableFuture<ResponseCommand> again = c.invoke(url, new VersionCommand(OpaqueGenerator.next()), 10_000);
        assertThatThrownBy(() -> again.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(ConnectionException.class);
    }

    @Test
    void reconnectsWhenTheBrokerComesBackOnItsPort() throws Exception {
        ScriptedBroker b = broker(RemotingClientTest::answerVersion);
        int port = b.port();
        RemotingClient c = client();
        c.connect(b.url()).get(5, TimeUnit.SECONDS);
        b.close();
        await().until(() -> !c.isConnected(b.url()));
        ScriptedBroker same = ScriptedBroker.start(port, RemotingClientTest::answerVersion);
        toClose.add(same);
        await().atMost(Duration.ofSeconds(10)).until(() -> c.isConnected(same.url()));
        assertThat(text(c.invoke(same.url(), new VersionCommand(OpaqueGenerator.next()), 2_000)))
                .isEqualTo("200 1.4.6.2");
    }

    @Test
    void idleConnectionSendsVersionHeartbeats() throws Exception {
        ScriptedBroker b = broker(RemotingClientTest::answerVersion);
        RemotingClient c = client(RemotingConfig.defaults().withHeartbeat(200, 1_000));
        c.connect(b.url()).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.received().size() >= 3);
        assertThat(b.received()).allMatch(l -> l.matches("version -?\\d+"));
        assertThat(c.isConnected(b.url())).isTrue();
    }

    @Test
    void unansweredHeartbeatClosesTheConnection() throws Exception {
        ScriptedBroker b = broker(line -> Optional.empty());
        RemotingClient c = client(RemotingConfig.defaults().withHeartbeat(100, 200));
        c.connect(b.url()).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> !c.isConnected(b.url()));
    }

    @Test
    @SuppressWarnings("FutureReturnValueIgnored") // the first two requests only take the two slots
    void inFlightRequestsAreBoundedPerConnection() throws Exception {
        ScriptedBroker b = broker(line -> Optional.empty());
        RemotingClient c = client(RemotingConfig.defaults().withMaxInFlightPerConnection(2));
        c.invoke(b.url(), new VersionCommand(OpaqueGenerator.next()), 10_000);
        c.invoke(b.url(), new VersionCommand(OpaqueGenerator.next()), 10_000);
        CompletableFuture<ResponseCommand> third = c.invoke(b.url(), new VersionCommand(OpaqueGenerator.next()), 300);
        assertThatThrownBy(() -> third.get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(RequestTimeoutException.class)
                .hasMessageContaining("No in-flight slot");
        await().until(() -> b.received().size() == 2);
        b.sendToAll(ScriptedBroker.result(b.received().get(0), 200, "x")); // frees one slot
        CompletableFuture<ResponseCommand> fourth =
                c.invoke(b.url(), new VersionCommand(OpaqueGenerator.next()), 5_000);
        await().until(() -> b.received().size() == 3);
        b.sendToAll(ScriptedBroker.result(b.received().get(2), 200, "y"));
        assertThat(text(fourth)).isEqualTo("200 y");
    }

    @Test
    void closeFailsPendingRequestsAndIsIdempotent() throws Exception {
        ScriptedBroker b = broker(line -> Optional.empty());
        RemotingClient c = new RemotingClient(RemotingConfig.defaults());
        c.start();
        CompletableFuture<ResponseCommand> f = c.invoke(b.url(), new VersionCommand(OpaqueGenerator.next()), 20_000);
        await().until(() -> b.received().size() == 1);
        c.close();
        c.close();
        assertThatThrownBy(() -> f.get(1, TimeUnit.SECONDS)).cause().isInstanceOf(ClientClosedException.class);
        assertThatThrownBy(() -> c.invoke(b.url(), new VersionCommand(1), 100).get(1, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(ClientClosedException.class);
        // an event-loop thread completes its termination future just before it returns: let it return
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                        .noneMatch(t -> t.getName().startsWith("imago-client-io")
                                || t.getName().startsWith("imago-client-timeouts")));
    }
}
