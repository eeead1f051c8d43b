package io.imago.client.internal.consumer;

import io.imago.exception.MetaClientException;
import io.imago.protocol.zk.ZnodeDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * Where a consumer fetches a broker's partitions from: the URL the master registered in its
 * {@code ids/<id>/master} node ({@link ZnodeDescriptor}; ZooKeeper mode, read once and cached until
 * {@link #forget} or {@link #forgetAll}), or one fixed URL (direct mode). Thread-safe.
 */
public abstract class BrokerLocator {

    /** The URL to fetch the partitions of broker {@code brokerId} from. */
    public abstract String url(int brokerId) throws MetaClientException;

    /** Drops what is known of one broker (its connection failed: it may have moved). */
    public abstract void forget(int brokerId);

    /** Drops what is known of every broker (registrations changed). */
    public abstract void forgetAll();

    /** Direct mode: every broker id maps to {@code serverUrl}. */
    public static BrokerLocator fixed(String serverUrl) {
        return new BrokerLocator() {
            @Override
            public String url(int brokerId) {
                return serverUrl;
            }

            @Override
            public void forget(int brokerId) {
                // one fixed URL: nothing to forget
            }

            @Override
            public void forgetAll() {
                // one fixed URL: nothing to forget
            }
        };
    }

    /** ZooKeeper mode: master URLs under {@code zkRoot}, read through the caller's started client. */
    public static BrokerLocator zooKeeper(CuratorFramework client, String zkRoot) {
        return new ZooKeeperLocator(client, new ZnodeDescriptor(zkRoot));
    }

    private static final class ZooKeeperLocator extends BrokerLocator {
        private final CuratorFramework client;
        private final ZnodeDescriptor znodes;
        private final Map<Integer, String> urls = new ConcurrentHashMap<>();

        ZooKeeperLocator(CuratorFramework client, ZnodeDescriptor znodes) {
            this.client = client;
            this.znodes = znodes;
        }

        @Override
        public String url(int brokerId) throws MetaClientException {
            String known = urls.get(brokerId);
            if (known != null) {
                return known;
            }
            String path = znodes.masterPath(brokerId);
            try {
                String url = new String(client.getData().forPath(path), StandardCharsets.UTF_8).trim();
                urls.put(brokerId, url);
                return url;
            } catch (KeeperException.NoNodeException e) {
                throw new MetaClientException("broker " + brokerId + " has no master registered at " + path, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MetaClientException("interrupted while reading " + path, e);
            } catch (Exception e) {
                throw new MetaClientException("cannot read " + path + ": " + e, e);
            }
        }

        @Override
        public void forget(int brokerId) {
            urls.remove(brokerId);
        }

        @Override
        public void forgetAll() {
            urls.clear();
        }
    }
}
