package io.vecraft.cluster.raft.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.VersionConflictException;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MetadataStore} on etcd (seed: Meta-Manager) through jetcd. Keys are UTF-8; every key
 * is stored under the cluster's namespace (jetcd's namespace option), so several clusters can
 * share one etcd. Mapping: the key's version is etcd's version (1 at creation, +1 per put, a
 * re-created key starts at 1 again), the revision is etcd's mod revision, compare-and-set is an
 * etcd transaction comparing the version, leases are etcd leases (TTL rounded up to whole seconds;
 * etcd enforces its own minimum TTL).
 *
 * <p>jetcd sets no deadline by itself, so every call here waits at most the configured call
 * timeout ({@link VecraftTimeoutException}); an unreachable etcd gives
 * {@link NodeUnavailableException}. Watches deliver the snapshot, then the changes from the
 * snapshot's revision on, on one daemon thread per watch ({@code vecraft-etcd-watch-N}); if etcd
 * cancels the watch (compaction, no leader), or a listener throws, the watch re-reads the prefix
 * and delivers the difference (PUTs for present keys, DELETEs for keys that disappeared) before
 * resuming; listeners must therefore be idempotent.
 *
 * <p>Thread-safe.
 */
public final class EtcdMetadataStore implements MetadataStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdMetadataStore.class);
    /** Default deadline of each etcd call. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);

    private final Client client;
    private final KV kv;
    private final String endpoints;
    private final Duration callTimeout;
    private final java.util.concurrent.atomic.AtomicInteger watchIds = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vecraft-etcd-watch-retry");
        t.setDaemon(true); // re-delivers watch snapshots; the store keeps the state
        return t;
    });
    private volatile boolean closed;

    /**
     * Connects (lazily: the first call reaches etcd).
     *
     * @param endpoints   comma-separated etcd client URLs, e.g. {@code http://127.0.0.1:2379}
     * @param namespace   key namespace of this cluster, e.g. {@code /vecraft-test-1}; empty for none
     * @param callTimeout deadline of each call
     */
    public EtcdMetadataStore(String endpoints, String namespace, Duration callTimeout) {
        if (endpoints == null || endpoints.isBlank()) {
            throw new InvalidArgumentException("etcd", "must list at least one etcd endpoint, e.g. http://127.0.0.1:2379");
        }
        List<URI> uris = new ArrayList<>();
        for (String e : endpoints.split(",")) {
            try {
                uris.add(URI.create(e.trim()));
            } catch (IllegalArgumentException ex) {
                throw new InvalidArgumentException("etcd", "malformed endpoint '" + e + "': " + ex.getMessage());
            }
        }
        var builder = Client.builder().endpoints(uris).connectTimeout(callTimeout).waitForReady(true)
                .retryMaxDuration(callTimeout).keepaliveTime(Duration.ofSeconds(10))
                .keepaliveTimeout(Duration.ofSeconds(5));
        if (namespace != null && !namespace.isEmpty()) {
            builder.namespace(bytes(namespace));
        }
        this.client = builder.build();
        this.kv = client.getKVClient();
        this.endpoints = endpoints;
        this.callTimeout = callTimeout;
    }

    /** @return the jetcd client (leases, for {@link NodeLease}) */
    Client client() {
        return client;
    }

    /** @return the call deadline */
    Duration callTimeout() {
        return callTimeout;
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static String string(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    <T> T await(CompletableFuture<T> f, String what) {
        if (closed) {
            f.cancel(true);
            throw new VecraftClosedException("etcd metadata store");
        }
        try {
            return f.get(callTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new VecraftTimeoutException("etcd " + endpoints + ": " + what + " got no answer within " + callTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new VecraftException("interrupted during etcd " + what, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            String msg = String.valueOf(c == null ? e : c.getMessage());
            if (c instanceof io.etcd.jetcd.common.exception.EtcdException ee
                    && ee.getErrorCode() == io.etcd.jetcd.common.exception.ErrorCode.UNAVAILABLE) {
                throw new NodeUnavailableException("etcd " + endpoints, what + ": " + msg);
            }
            throw new VecraftException("etcd " + endpoints + ": " + what + " failed: " + msg, c);
        }
    }

    private static KeyValue toKeyValue(io.etcd.jetcd.KeyValue kv) {
        return new KeyValue(string(kv.getKey()), kv.getValue().getBytes(), kv.getVersion(), kv.getModRevision(),
                kv.getLease());
    }

    private static void checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new InvalidArgumentException("key", "must be non-empty");
        }
    }

    @Override
    public Optional<KeyValue> get(String key) {
        checkKey(key);
        GetResponse r = await(kv.get(bytes(key)), "get " + key);
        return r.getKvs().isEmpty() ? Optional.empty() : Optional.of(toKeyValue(r.getKvs().get(0)));
    }

    private GetResponse getPrefix(String prefix) {
        GetOption opt = GetOption.builder().isPrefix(true).withSortField(GetOption.SortTarget.KEY)
                .withSortOrder(GetOption.SortOrder.ASCEND).build();
        return await(kv.get(bytes(prefix), opt), "list " + prefix);
    }

    @Override
    public List<KeyValue> list(String prefix) {
        checkKey(prefix);
        List<KeyValue> out = new ArrayList<>();
        for (io.etcd.jetcd.KeyValue x : getPrefix(prefix).getKvs()) {
            out.add(toKeyValue(x));
        }
        return out;
    }

    @Override
    public long put(String key, byte[] value, long expectedVersion, long leaseId) {
        checkKey(key);
        if (value == null) {
            throw new InvalidArgumentException("value", "must not be null");
        }
        if (expectedVersion < ANY_VERSION) {
            throw new InvalidArgumentException("expectedVersion", "must be -1 (any), 0 (absent) or a version, was "
                    + expectedVersion);
        }
        ByteSequence k = bytes(key);
        PutOption po = leaseId == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(leaseId).build();
        var txn = kv.txn();
        if (expectedVersion != ANY_VERSION) {
            txn = txn.If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(expectedVersion)));
        }
        TxnResponse r = await(txn.Then(Op.put(k, ByteSequence.from(value), po), Op.get(k, GetOption.DEFAULT))
                .Else(Op.get(k, GetOption.DEFAULT)).commit(), "put " + key);
        List<GetResponse> gets = r.getGetResponses();
        long version = gets.isEmpty() || gets.get(0).getKvs().isEmpty() ? 0 : gets.get(0).getKvs().get(0).getVersion();
        if (!r.isSucceeded()) {
            throw new VersionConflictException(key, expectedVersion, version);
        }
        return version;
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        checkKey(key);
        ByteSequence k = bytes(key);
        if (expectedVersion == ANY_VERSION) {
            return await(kv.delete(k), "delete " + key).getDeleted() > 0;
        }
        TxnResponse r = await(kv.txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(expectedVersion)))
                .Then(Op.delete(k, DeleteOption.DEFAULT)).Else(Op.get(k, GetOption.DEFAULT)).commit(), "delete " + key);
        if (!r.isSucceeded()) {
            List<GetResponse> gets = r.getGetResponses();
            long actual = gets.isEmpty() || gets.get(0).getKvs().isEmpty() ? 0 : gets.get(0).getKvs().get(0).getVersion();
            throw new VersionConflictException(key, expectedVersion, actual);
        }
        return r.getDeleteResponses().stream().mapToLong(d -> d.getDeleted()).sum() > 0;
    }

    @Override
    public AutoCloseable watch(String prefix, Consumer<WatchEvent> listener) {
        checkKey(prefix);
        PrefixWatch w = new PrefixWatch(prefix, listener);
        w.start();
        return w;
    }

    /** One prefix watch: snapshot, then etcd's events, re-synchronised if etcd cancels the watch. */
    private final class PrefixWatch implements AutoCloseable {
        private final String prefix;
        private final Consumer<WatchEvent> listener;
        private final ExecutorService delivery;
        /** Keys known to the listener; touched only on the delivery thread. */
        private final Set<String> known = new HashSet<>();
        private volatile Watch.Watcher watcher;
        private volatile boolean stopped;
        private volatile boolean resyncScheduled;

        PrefixWatch(String prefix, Consumer<WatchEvent> listener) {
            this.prefix = prefix;
            this.listener = listener;
            int id = watchIds.incrementAndGet();
            this.delivery = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "vecraft-etcd-watch-" + id);
                t.setDaemon(true); // delivers notifications; etcd keeps the state
                return t;
            });
        }

        void start() {
            GetResponse snapshot = getPrefix(prefix);
            delivery.execute(() -> deliverSnapshot(snapshot));
            subscribe(snapshot.getHeader().getRevision() + 1);
        }

        private void deliverSnapshot(GetResponse snapshot) {
            Set<String> present = new HashSet<>();
            for (io.etcd.jetcd.KeyValue x : snapshot.getKvs()) {
                String key = string(x.getKey());
                present.add(key);
                deliver(new WatchEvent(WatchEvent.Type.PUT, key, x.getValue().getBytes(), x.getVersion(),
                        x.getModRevision()));
            }
            for (String gone : new ArrayList<>(known)) {
                if (!present.contains(gone)) {
                    deliver(new WatchEvent(WatchEvent.Type.DELETE, gone, new byte[0], 0,
                            snapshot.getHeader().getRevision()));
                }
            }
        }

        private void deliver(WatchEvent e) {
            if (stopped) {
                return;
            }
            if (e.type() == WatchEvent.Type.PUT) {
                known.add(e.key());
            } else {
                known.remove(e.key());
            }
            try {
                listener.accept(e);
            } catch (RuntimeException ex) {
                LOG.warn("metadata watch listener of {} failed on {} {}; re-delivering the prefix shortly", prefix,
                        e.type(), e.key(), ex);
                scheduleResync();
            }
        }

        /** After a listener failure: re-read the prefix and deliver it again (listeners are idempotent). */
        private void scheduleResync() {
            if (resyncScheduled || stopped) {
                return;
            }
            resyncScheduled = true;
            try {
                retries.schedule(() -> {
                    resyncScheduled = false;
                    if (!stopped) {
                        delivery.execute(this::resubscribe);
                    }
                }, 500, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException ex) {
                resyncScheduled = false;
            }
        }

        private void subscribe(long fromRevision) {
            WatchOption opt = WatchOption.builder().isPrefix(true).withRevision(fromRevision).build();
            watcher = client.getWatchClient().watch(bytes(prefix), opt, Watch.listener(this::onResponse,
                    this::onError));
        }

        private void onResponse(WatchResponse r) {
            List<io.etcd.jetcd.watch.WatchEvent> events = new ArrayList<>(r.getEvents());
            delivery.execute(() -> {
                for (io.etcd.jetcd.watch.WatchEvent e : events) {
                    io.etcd.jetcd.KeyValue x = e.getKeyValue();
                    String key = string(x.getKey());
                    if (e.getEventType() == io.etcd.jetcd.watch.WatchEvent.EventType.PUT) {
                        deliver(new WatchEvent(WatchEvent.Type.PUT, key, x.getValue().getBytes(), x.getVersion(),
                                x.getModRevision()));
                    } else if (e.getEventType() == io.etcd.jetcd.watch.WatchEvent.EventType.DELETE) {
                        deliver(new WatchEvent(WatchEvent.Type.DELETE, key, new byte[0], 0, x.getModRevision()));
                    }
                }
            });
        }

        private void onError(Throwable t) {
            if (stopped) {
                return;
            }
            Watch.Watcher w = watcher;
            // jetcd resumes by itself after transient errors (it still reports them); it gives up
            // (closes the watcher) on compaction or a lost leader: then re-read and re-subscribe.
            if (t instanceof CompactedException || (w != null && w.isClosed())) {
                LOG.info("etcd watch of {} was cancelled ({}); re-reading the prefix", prefix, t.getMessage());
                delivery.execute(this::resubscribe);
            } else {
                LOG.debug("etcd watch of {} reported {}; jetcd resumes it", prefix, t.toString());
            }
        }

        private void resubscribe() {
            while (!stopped) {
                try {
                    Watch.Watcher old = watcher;
                    if (old != null) {
                        old.close();
                    }
                    GetResponse snapshot = getPrefix(prefix);
                    deliverSnapshot(snapshot);
                    subscribe(snapshot.getHeader().getRevision() + 1);
                    return;
                } catch (VecraftException e) {
                    LOG.debug("re-reading {} failed ({}); retrying", prefix, e.getMessage());
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
                }
            }
        }

        @Override
        public void close() {
            stopped = true;
            Watch.Watcher w = watcher;
            if (w != null) {
                w.close();
            }
            delivery.shutdownNow();
        }
    }

    @Override
    public long grantLease(Duration ttl) {
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new InvalidArgumentException("ttl", "must be positive, was " + ttl);
        }
        long seconds = Math.max(1, (ttl.toMillis() + 999) / 1000);
        return await(client.getLeaseClient().grant(seconds), "grant lease").getID();
    }

    @Override
    public boolean keepAlive(long leaseId) {
        try {
            return await(client.getLeaseClient().keepAliveOnce(leaseId), "keep lease alive").getTTL() > 0;
        } catch (VecraftTimeoutException | VecraftClosedException | NodeUnavailableException e) {
            throw e;
        } catch (VecraftException e) {
            String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (m.contains("not found") || m.contains("expired")) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void revoke(long leaseId) {
        try {
            await(client.getLeaseClient().revoke(leaseId), "revoke lease");
        } catch (VecraftTimeoutException | VecraftClosedException | NodeUnavailableException e) {
            throw e;
        } catch (VecraftException e) {
            if (!String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("not found")) {
                throw e;
            }
        }
    }

    /** Disconnects from etcd; idempotent. Open watches stop. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        retries.shutdownNow();
        client.close();
    }
}
