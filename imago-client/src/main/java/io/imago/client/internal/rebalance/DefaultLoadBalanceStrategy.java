package io.imago.client.internal.rebalance;

import io.imago.client.consumer.LoadBalanceStrategy;
import java.util.List;

/**
 * MetaQ's {@code DEFAULT} strategy: contiguous ranges. With {@code P} partitions and {@code C}
 * consumers, {@code n = P / C} and {@code extra = P % C}; consumer {@code i} takes
 * {@code partitions[start, start + count)} with {@code start = n*i + min(i, extra)} and
 * {@code count = n + (i < extra ? 1 : 0)}. Consumers beyond {@code P} get nothing. Stateless;
 * thread-safe.
 */
public final class DefaultLoadBalanceStrategy implements LoadBalanceStrategy {

    @Override
    public List<String> partitionsFor(String consumerId, List<String> consumers, List<String> partitions) {
        int index = consumers.indexOf(consumerId);
        if (index < 0) {
            throw new IllegalArgumentException("consumer " + consumerId + " is not among " + consumers);
        }
        int perConsumer = partitions.size() / consumers.size();
        int extra = partitions.size() % consumers.size();
        int start = perConsumer * index + Math.min(index, extra);
        int count = perConsumer + (index < extra ? 1 : 0);
        return List.copyOf(partitions.subList(start, start + count));
    }
}
