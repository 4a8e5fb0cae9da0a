package io.vecraft.cluster.spi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Cluster metadata (seed: Meta-Manager on etcd): a versioned key-value store with
 * compare-and-set, prefix watches and leases. Every change gets the next store-wide revision;
 * each key has a version (1 at creation, +1 per put).
 *
 * <p>Thread-safe.
 */
public interface MetadataStore {

    /** Expected version meaning "any" in {@link #put} and {@link #delete}. */
    long ANY_VERSION = -1;
    /** Expected version meaning "the key must not exist". */
    long ABSENT = 0;

    /**
     * @param key the key
     * @return the value with its version, if present
     */
    Optional<KeyValue> get(String key);

    /**
     * @param prefix key prefix
     * @return every key with the prefix, in key order
     */
    List<KeyValue> list(String prefix);

    /**
     * Compare-and-set put.
     *
     * @param key             the key
     * @param value           the value
     * @param expectedVersion {@link #ANY_VERSION}, {@link #ABSENT}, or the version the key must have
     * @param leaseId         lease the key is attached to (deleted when it expires), 0 for none
     * @return the key's new version
     * @throws VersionConflictException if the key's version is not the expected one
     */
    long put(String key, byte[] value, long expectedVersion, long leaseId);

    /**
     * Compare-and-set delete.
     *
     * @param key             the key
     * @param expectedVersion {@link #ANY_VERSION} or the version the key must have
     * @return true if a key was deleted
     * @throws VersionConflictException if the key's version is not the expected one
     */
    boolean delete(String key, long expectedVersion);

    /**
     * Watches a prefix: first delivers every existing key as a PUT event (the snapshot), then
     * every change in revision order. Events are delivered on one thread per watch, in order.
     *
     * @param prefix   key prefix
     * @param listener receives events
     * @return a handle; closing it stops the watch
     */
    AutoCloseable watch(String prefix, Consumer<WatchEvent> listener);

    /**
     * Grants a lease: keys attached to it are deleted when it expires.
     *
     * @param ttl time to live without a keep-alive
     * @return the lease id (positive)
     */
    long grantLease(Duration ttl);

    /**
     * Renews a lease.
     *
     * @param leaseId the lease
     * @return false if the lease already expired (re-grant and re-put)
     */
    boolean keepAlive(long leaseId);

    /**
     * Revokes a lease at once, deleting its keys.
     *
     * @param leaseId the lease
     */
    void revoke(long leaseId);

    /**
     * A key, its value and versions.
     *
     * @param key      the key
     * @param value    the value
     * @param version  the key's version
     * @param revision store revision of the last change of the key
     * @param leaseId  lease, 0 for none
     */
    record KeyValue(String key, byte[] value, long version, long revision, long leaseId) {
    }

    /**
     * A change.
     *
     * @param type     PUT or DELETE
     * @param key      the key
     * @param value    new value (PUT) or empty (DELETE)
     * @param version  new version (PUT) or 0 (DELETE)
     * @param revision store revision of the change
     */
    record WatchEvent(Type type, String key, byte[] value, long version, long revision) {
        /** Kind of change. */
        public enum Type {
            /** Created or updated. */
            PUT,
            /** Deleted (explicitly or by lease expiry). */
            DELETE
        }
    }
}
