package io.vecraft.cluster.raft.etcd;

import io.vecraft.api.VecraftException;
import io.vecraft.cluster.spi.MetadataStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's liveness lease in the metadata store (seed: Fail-over-Manager, replica leases): keys put
 * through it (the node record, the leader records of the partitions the node leads) live as long
 * as the node keeps the lease alive. One daemon thread ({@code vecraft-lease-<node>}) renews it
 * every third of the TTL with single keep-alive calls (not jetcd's keep-alive stream, which ends
 * silently when the etcd leader changes: jetcd issues 1322, 1383, 965); if the lease expired
 * anyway (the node was stopped or cut off for longer than the TTL), it grants a new one, puts the
 * keys registered with {@link #put} again (so a node that comes back is alive again) and calls the
 * re-grant listeners (conditional keys, like leader records, must be re-checked by their owner:
 * they may be stale by then).
 *
 * <p>Thread-safe.
 */
public final class NodeLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeLease.class);

    private final MetadataStore store;
    private final String node;
    private final Duration ttl;
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
    private final java.util.List<Runnable> regrantListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread thread;
    private final Object lock = new Object();
    private volatile long lease;
    private volatile boolean closed;

    /**
     * Grants the lease and starts renewing it.
     *
     * @param store the metadata store
     * @param node  node id (for the thread name and logs)
     * @param ttl   time to live without renewal (several seconds: etcd rounds to whole seconds)
     */
    public NodeLease(MetadataStore store, String node, Duration ttl) {
        this.store = store;
        this.node = node;
        this.ttl = ttl;
        this.lease = store.grantLease(ttl);
        this.thread = new Thread(this::renew, "vecraft-lease-" + node);
        this.thread.setDaemon(true); // liveness signal only: when it stops, the node is seen as dead
        this.thread.start();
    }

    /** @return the current lease id */
    public long id() {
        return lease;
    }

    /**
     * Puts a key attached to the lease, and again whenever the lease has to be re-granted.
     *
     * @param key   the key
     * @param value the value
     */
    public void put(String key, byte[] value) {
        synchronized (lock) {
            keys.put(key, value.clone());
            store.put(key, value, MetadataStore.ANY_VERSION, lease);
        }
    }

    /**
     * Puts a key attached to the lease only if its version is still {@code expectedVersion}. The key
     * is not put again after a re-grant (see {@link #onRegrant}).
     *
     * @param key             the key
     * @param value           the value
     * @param expectedVersion the version it must have (or {@link MetadataStore#ABSENT})
     * @return the new version
     * @throws io.vecraft.cluster.spi.VersionConflictException if the version differs
     */
    public long putIfVersion(String key, byte[] value, long expectedVersion) {
        synchronized (lock) {
            return store.put(key, value, expectedVersion, lease);
        }
    }

    /**
     * @param listener called (on the lease thread) after the lease had to be re-granted
     */
    public void onRegrant(Runnable listener) {
        regrantListeners.add(listener);
    }

    private void renew() {
        long periodNanos = Math.max(100_000_000L, ttl.toNanos() / 3);
        while (!closed) {
            java.util.concurrent.locks.LockSupport.parkNanos(periodNanos); // renewal period of the lease
            if (closed) {
                return;
            }
            try {
                if (!store.keepAlive(lease)) {
                    regrant();
                }
            } catch (VecraftException e) {
                LOG.warn("node {}: renewing its lease failed ({}); retrying", node, e.getMessage());
            }
        }
    }

    private void regrant() {
        synchronized (lock) {
            LOG.warn("node {}: its lease expired; granting a new one and putting {} keys again", node, keys.size());
            lease = store.grantLease(ttl);
            for (Map.Entry<String, byte[]> e : keys.entrySet()) {
                store.put(e.getKey(), e.getValue(), MetadataStore.ANY_VERSION, lease);
            }
        }
        for (Runnable r : regrantListeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("node {}: a lease re-grant listener failed", node, e);
            }
        }
    }

    /** Stops renewing and revokes the lease (its keys disappear at once); idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.interrupt();
        try {
            store.revoke(lease);
        } catch (VecraftException e) {
            LOG.debug("node {}: revoking its lease failed ({}); it expires by itself", node, e.getMessage());
        }
    }
}
