package io.vecraft.cluster.spi.wire;

import io.vecraft.api.InvalidArgumentException;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.transport.MessageHandler;
import io.vecraft.cluster.spi.transport.StreamSink;
import java.nio.BufferUnderflowException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Serves a local {@link MetadataStore} on a transport address with {@link WireFormat}; watches
 * become streams of watch events.
 *
 * <p>Thread-safe if the store is.
 */
public final class MetadataStoreServer implements MessageHandler {
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final MetadataStore store;

    /** @param store the local store to expose */
    public MetadataStoreServer(MetadataStore store) {
        this.store = store;
    }

    @Override
    public byte[] handle(byte[] request) {
        try {
            WireFormat.Envelope e = WireFormat.open(request);
            WireReader r = e.reader();
            WireWriter out = WireFormat.ok();
            switch (e.kind()) {
                case WireFormat.M_GET -> {
                    Optional<MetadataStore.KeyValue> kv = store.get(r.getShortString());
                    out.putBoolean(kv.isPresent());
                    kv.ifPresent(x -> WireFormat.putKeyValue(out, x));
                }
                case WireFormat.M_LIST -> {
                    List<MetadataStore.KeyValue> kvs = store.list(r.getShortString());
                    out.putInt(kvs.size());
                    for (MetadataStore.KeyValue kv : kvs) {
                        WireFormat.putKeyValue(out, kv);
                    }
                }
                case WireFormat.M_PUT -> out.putLong(store.put(r.getShortString(), r.getBytes(), r.getLong(), r.getLong()));
                case WireFormat.M_DELETE -> out.putBoolean(store.delete(r.getShortString(), r.getLong()));
                case WireFormat.M_GRANT -> out.putLong(store.grantLease(Duration.ofMillis(r.getLong())));
                case WireFormat.M_KEEPALIVE -> out.putBoolean(store.keepAlive(r.getLong()));
                case WireFormat.M_REVOKE -> store.revoke(r.getLong());
                default -> throw new InvalidArgumentException("wire.kind", "metadata store does not serve kind " + e.kind());
            }
            return out.toByteArray();
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return WireFormat.error(WireFormat.malformed("metadata request", e));
        } catch (RuntimeException e) {
            return WireFormat.error(e);
        }
    }

    @Override
    public void stream(byte[] request, StreamSink sink) {
        WireFormat.Envelope e = WireFormat.open(request);
        if (e.kind() != WireFormat.M_WATCH) {
            throw new InvalidArgumentException("wire.kind", "metadata store streams only kind " + WireFormat.M_WATCH);
        }
        String prefix = e.reader().getShortString();
        BlockingQueue<MetadataStore.WatchEvent> events = new ArrayBlockingQueue<>(4096);
        try (AutoCloseable watch = store.watch(prefix, ev -> {
            if (!events.offer(ev)) {
                // The client is too slow: end the stream; it reopens and replays the snapshot.
                sink.send(WireFormat.error(new io.vecraft.api.CapacityException("watch queue full")), SEND_TIMEOUT);
            }
        })) {
            while (!sink.isClosed()) {
                MetadataStore.WatchEvent ev = events.poll(200, TimeUnit.MILLISECONDS);
                if (ev != null) {
                    WireWriter w = WireFormat.ok();
                    WireFormat.putWatchEvent(w, ev);
                    if (!sink.send(w.toByteArray(), SEND_TIMEOUT)) {
                        return;
                    }
                }
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } catch (Exception ex) {
            if (ex instanceof RuntimeException re) {
                throw re;
            }
            throw new io.vecraft.api.VecraftException("closing a metadata watch failed", ex);
        }
    }
}
