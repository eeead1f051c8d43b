package io.imago.client.internal.stats;

import io.imago.client.StatsResult;
import io.imago.client.internal.cluster.TopicBrokers;
import io.imago.client.internal.remoting.OpaqueGenerator;
import io.imago.client.internal.remoting.RemotingClient;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.StatsCommand;
import io.imago.protocol.zk.BrokerUrl;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's {@code stats} requests: one broker's reply as a {@link StatsResult}, every connected
 * broker's, and, in direct mode, a topic's partitions learnt from them. Stateless; thread-safe as the
 * {@link RemotingClient} it is given.
 */
public final class StatsRequests {
    private static final Logger LOG = LoggerFactory.getLogger(StatsRequests.class);

    private StatsRequests() {}

    /** One {@code stats <item>} of the broker at {@code url}, over the client's connection to it. */
    public static StatsResult ask(RemotingClient remoting, String url, String item, long timeoutMs)
            throws MetaClientException, InterruptedException {
        CompletableFuture<ResponseCommand> f =
                remoting.invoke(url, new StatsCommand(item, OpaqueGenerator.next()), timeoutMs);
        ResponseCommand reply;
        try {
            reply = RemotingClient.await(f, timeoutMs + 1_000);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof MetaClientException m
                    ? m
                    : new MetaClientException("stats " + item + " to " + url + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new MetaClientException("stats " + item + " to " + url + " timed out", e);
        }
        try {
            if (!(reply instanceof ResultCommand result) || !result.isSuccess()) {
                throw new MetaClientException("stats " + item + " refused by " + url + ": " + reply);
            }
            return StatsReply.parse(item, result.text());
        } finally {
            reply.release();
        }
    }

    /** {@code stats <item>} of every connected broker, by address; a broker that does not answer is left out. */
    public static Map<InetSocketAddress, StatsResult> ofConnected(RemotingClient remoting, String item, long timeoutMs)
            throws InterruptedException {
        Map<InetSocketAddress, StatsResult> all = new LinkedHashMap<>();
        for (String url : remoting.connectedUrls()) {
            try {
                BrokerUrl broker = BrokerUrl.parse(url);
                all.put(new InetSocketAddress(broker.host(), broker.port()), ask(remoting, url, item, timeoutMs));
            } catch (MetaClientException e) {
                LOG.warn("Stats of {} unavailable: {}", url, e.getMessage());
            }
        }
        return all;
    }

    /** Direct mode: the broker's id and the topic's partition count come from {@code stats}. */
    public static TopicBrokers topicBrokers(RemotingClient remoting, String url, String topic, long timeoutMs) {
        try {
            StatsResult general = ask(remoting, url, "", timeoutMs);
            StatsResult perTopic = ask(remoting, url, topic, timeoutMs);
            int brokerId = Integer.parseInt(general.getValue("broker_id"));
            int count = Integer.parseInt(perTopic.getValue("partitions"));
            List<Partition> partitions = new ArrayList<>();
            for (int p = 0; p < count; p++) {
                partitions.add(new Partition(brokerId, p));
            }
            return new TopicBrokers(topic, partitions, Map.of(brokerId, url));
        } catch (MetaClientException | RuntimeException e) {
            throw new IllegalStateException(
                    "Cannot learn the partitions of topic " + topic + " from " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while asking " + url + " for topic " + topic, e);
        }
    }
}
