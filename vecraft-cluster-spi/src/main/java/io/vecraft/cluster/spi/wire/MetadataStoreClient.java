package io.vecraft.cluster.spi.wire;

import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.transport.Connection;
import io.vecraft.cluster.spi.transport.MessageStream;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A {@link MetadataStore} reached over a {@link Connection} with {@link WireFormat} messages.
 * Each watch runs a daemon thread {@code vecraft-metadata-watch-<prefix>} that reads the watch
 * stream and calls the listener in order; if the stream breaks it reopens it and replays the
 * snapshot (listeners are idempotent on PUT of an unchanged version).
 *
 * <p>Thread-safe.
 */
public final class MetadataStoreClient implements MetadataStore {
    // The SPI depends on the JDK and vecraft-api only, so it logs through System.Logger.
    private static final System.Logger LOG = System.getLogger(MetadataStoreClient.class.getName());

    private final Connection connection;
    private final Duration timeout;

    /**
     * @param connection connection to the metadata node
     * @param timeout    deadline of each call
     */
    public MetadataStoreClient(Connection connection, Duration timeout) {
        this.connection = connection;
        this.timeout = timeout;
    }

    private WireReader call(WireWriter w) {
        return WireFormat.response(connection.call(w.toByteArray(), timeout));
    }

    @Override
    public Optional<KeyValue> get(String key) {
        WireWriter w = WireFormat.message(WireFormat.M_GET);
        w.putShortString(key);
        WireReader r = call(w);
        return r.getBoolean() ? Optional.of(WireFormat.getKeyValue(r)) : Optional.empty();
    }

    @Override
    public List<KeyValue> list(String prefix) {
        WireWriter w = WireFormat.message(WireFormat.M_LIST);
        w.putShortString(prefix);
        WireReader r = call(w);
        int n = WireFormat.count(r);
        List<KeyValue> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(WireFormat.getKeyValue(r));
        }
        return out;
    }

    @Override
    public long put(String key, byte[] value, long expectedVersion, long leaseId) {
        WireWriter w = WireFormat.message(WireFormat.M_PUT);
        w.putShortString(key);
        w.putBytes(value);
        w.putLong(expectedVersion);
        w.putLong(leaseId);
        return call(w).getLong();
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        WireWriter w = WireFormat.message(WireFormat.M_DELETE);
        w.putShortString(key);
        w.putLong(expectedVersion);
        return call(w).getBoolean();
    }

    @Override
    public AutoCloseable watch(String prefix, Consumer<WatchEvent> listener) {
        WireWriter w = WireFormat.message(WireFormat.M_WATCH);
        w.putShortString(prefix);
        byte[] request = w.toByteArray();
        WatchThread t = new WatchThread(prefix, request, listener);
        t.start();
        return t::stopWatch;
    }

    /** Reads one watch stream and delivers its events. */
    private final class WatchThread extends Thread {
        private final byte[] request;
        private final Consumer<WatchEvent> listener;
        private volatile boolean stopped;
        private volatile MessageStream stream;

        WatchThread(String prefix, byte[] request, Consumer<WatchEvent> listener) {
            super("vecraft-metadata-watch-" + prefix);
            setDaemon(true); // delivers notifications only; the store keeps the state
            this.request = request;
            this.listener = listener;
        }

        @Override
        public void run() {
            while (!stopped) {
                try {
                    stream = connection.stream(request, 64);
                    while (!stopped) {
                        byte[] m = stream.poll(Duration.ofMillis(200));
                        if (m != null) {
                            listener.accept(WireFormat.getWatchEvent(WireFormat.response(m)));
                        }
                    }
                } catch (NodeUnavailableException | NoSuchElementException e) {
                    if (!stopped) {
                        LOG.log(System.Logger.Level.DEBUG, "metadata watch broke ({0}); reopening", e.toString());
                        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
                    }
                } catch (RuntimeException e) {
                    if (!stopped) {
                        LOG.log(System.Logger.Level.WARNING, "metadata watch listener failed; reopening the watch", e);
                        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
                    }
                } finally {
                    MessageStream s = stream;
                    if (s != null) {
                        s.close();
                    }
                }
            }
        }

        void stopWatch() {
            stopped = true;
            MessageStream s = stream;
            if (s != null) {
                s.close();
            }
            interrupt();
        }
    }

    @Override
    public long grantLease(Duration ttl) {
        WireWriter w = WireFormat.message(WireFormat.M_GRANT);
        w.putLong(ttl.toMillis());
        return call(w).getLong();
    }

    @Override
    public boolean keepAlive(long leaseId) {
        WireWriter w = WireFormat.message(WireFormat.M_KEEPALIVE);
        w.putLong(leaseId);
        return call(w).getBoolean();
    }

    @Override
    public void revoke(long leaseId) {
        WireWriter w = WireFormat.message(WireFormat.M_REVOKE);
        w.putLong(leaseId);
        call(w);
    }
}
