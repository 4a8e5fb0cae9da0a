package io.vecraft.core.cluster;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.VersionConflictException;
import io.vecraft.cluster.spi.wire.WireReader;
import io.vecraft.cluster.spi.wire.WireWriter;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-JVM cluster's {@link MetadataStore}: a sorted map with a store-wide revision, per-key
 * versions, compare-and-set, prefix watches (snapshot first, then changes in revision order,
 * each watch on its own delivery thread) and leases that expire unless kept alive.
 *
 * <p>Keys without a lease are persisted: every change rewrites {@code metadata.bin} (write-new,
 * fsync, rename) so a restarted cluster keeps its catalog. Format: u32 magic 0x564d4554
 * ("VMET"), u16 version 1, i64 revision, i32 n, n x (str16 key, bytes value, i64 version,
 * i64 revision), u32 crc32c of everything before (little-endian). Leased keys are ephemeral.
 *
 * <p>Thread-safe: one lock serialises changes; listeners run on watch threads.
 */
public final class InMemoryMetadataStore implements MetadataStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryMetadataStore.class);
    private static final int MAGIC = 0x564d4554;

    private record Item(byte[] value, long version, long revision, long lease) {
    }

    private record Lease(long id, long ttlNanos, long expiresNanos, Set<String> keys) {
    }

    private final Path file;
    private final TreeMap<String, Item> items = new TreeMap<>();
    private final Map<Long, Lease> leases = new HashMap<>();
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService expiry;
    private long revision;
    private long nextLease = 1;
    private boolean closed;

    /**
     * @param file persistence file, or null for a purely in-memory store
     */
    public InMemoryMetadataStore(Path file) {
        this.file = file;
        if (file != null && Files.exists(file)) {
            load();
        }
        this.expiry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vecraft-metadata-leases");
            t.setDaemon(true); // expiry only; the store's state is persisted on every change
            return t;
        });
        expiry.scheduleWithFixedDelay(this::expireLeases, 20, 20, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized Optional<KeyValue> get(String key) {
        checkOpen();
        Item i = items.get(key);
        return i == null ? Optional.empty() : Optional.of(new KeyValue(key, i.value().clone(), i.version(),
                i.revision(), i.lease()));
    }

    @Override
    public synchronized List<KeyValue> list(String prefix) {
        checkOpen();
        List<KeyValue> out = new ArrayList<>();
        for (Map.Entry<String, Item> e : items.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            Item i = e.getValue();
            out.add(new KeyValue(e.getKey(), i.value().clone(), i.version(), i.revision(), i.lease()));
        }
        return out;
    }

    @Override
    public synchronized long put(String key, byte[] value, long expectedVersion, long leaseId) {
        checkOpen();
        if (key == null || key.isEmpty()) {
            throw new InvalidArgumentException("key", "must be non-empty");
        }
        if (value == null) {
            throw new InvalidArgumentException("value", "must not be null");
        }
        Item old = items.get(key);
        long actual = old == null ? 0 : old.version();
        if (expectedVersion != ANY_VERSION && expectedVersion != actual) {
            throw new VersionConflictException(key, expectedVersion, actual);
        }
        if (leaseId != 0 && !leases.containsKey(leaseId)) {
            throw new InvalidArgumentException("leaseId", "lease " + leaseId + " does not exist (expired?)");
        }
        if (old != null && old.lease() != 0 && old.lease() != leaseId) {
            Lease l = leases.get(old.lease());
            if (l != null) {
                l.keys().remove(key);
            }
        }
        revision++;
        Item item = new Item(value.clone(), actual + 1, revision, leaseId);
        items.put(key, item);
        if (leaseId != 0) {
            leases.get(leaseId).keys().add(key);
        }
        persist();
        publish(new WatchEvent(WatchEvent.Type.PUT, key, value.clone(), item.version(), revision));
        return item.version();
    }

    @Override
    public synchronized boolean delete(String key, long expectedVersion) {
        checkOpen();
        Item old = items.get(key);
        long actual = old == null ? 0 : old.version();
        if (expectedVersion != ANY_VERSION && expectedVersion != actual) {
            throw new VersionConflictException(key, expectedVersion, actual);
        }
        if (old == null) {
            return false;
        }
        removeLocked(key, old);
        persist();
        return true;
    }

    private void removeLocked(String key, Item old) {
        items.remove(key);
        if (old.lease() != 0) {
            Lease l = leases.get(old.lease());
            if (l != null) {
                l.keys().remove(key);
            }
        }
        revision++;
        publish(new WatchEvent(WatchEvent.Type.DELETE, key, new byte[0], 0, revision));
    }

    @Override
    public AutoCloseable watch(String prefix, Consumer<WatchEvent> listener) {
        Watch w;
        synchronized (this) {
            checkOpen();
            w = new Watch(prefix, listener);
            for (Map.Entry<String, Item> e : items.tailMap(prefix, true).entrySet()) {
                if (!e.getKey().startsWith(prefix)) {
                    break;
                }
                Item i = e.getValue();
                w.deliver(new WatchEvent(WatchEvent.Type.PUT, e.getKey(), i.value().clone(), i.version(), i.revision()));
            }
            watches.add(w);
        }
        return () -> {
            watches.remove(w);
            w.close();
        };
    }

    private void publish(WatchEvent e) {
        for (Watch w : watches) {
            if (e.key().startsWith(w.prefix)) {
                w.deliver(e);
            }
        }
    }

    @Override
    public synchronized long grantLease(Duration ttl) {
        checkOpen();
        if (ttl.isNegative() || ttl.isZero()) {
            throw new InvalidArgumentException("ttl", "must be positive, was " + ttl);
        }
        long id = nextLease++;
        leases.put(id, new Lease(id, ttl.toNanos(), System.nanoTime() + ttl.toNanos(), new HashSet<>()));
        return id;
    }

    @Override
    public synchronized boolean keepAlive(long leaseId) {
        checkOpen();
        Lease l = leases.get(leaseId);
        if (l == null) {
            return false;
        }
        leases.put(leaseId, new Lease(l.id(), l.ttlNanos(), System.nanoTime() + l.ttlNanos(), l.keys()));
        return true;
    }

    @Override
    public synchronized void revoke(long leaseId) {
        checkOpen();
        Lease l = leases.remove(leaseId);
        if (l != null) {
            dropLeaseKeys(l);
        }
    }

    private void dropLeaseKeys(Lease l) {
        for (String key : List.copyOf(l.keys())) {
            Item old = items.get(key);
            if (old != null && old.lease() == l.id()) {
                removeLocked(key, old);
            }
        }
    }

    private synchronized void expireLeases() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        for (Lease l : List.copyOf(leases.values())) {
            if (now - l.expiresNanos() > 0) {
                leases.remove(l.id());
                dropLeaseKeys(l);
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new VecraftClosedException("metadata store");
        }
    }

    private void persist() {
        if (file == null) {
            return;
        }
        WireWriter w = new WireWriter(1024);
        w.putInt(MAGIC);
        w.putShort(1);
        w.putLong(revision);
        List<Map.Entry<String, Item>> durable = items.entrySet().stream().filter(e -> e.getValue().lease() == 0).toList();
        w.putInt(durable.size());
        for (Map.Entry<String, Item> e : durable) {
            w.putShortString(e.getKey());
            w.putBytes(e.getValue().value());
            w.putLong(e.getValue().version());
            w.putLong(e.getValue().revision());
        }
        byte[] body = w.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(body);
        ByteBuffer out = ByteBuffer.allocate(body.length + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.put(body).putInt((int) crc.getValue()).flip();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                while (out.hasRemaining()) {
                    ch.write(out);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new VecraftIOException("cannot persist metadata to " + file, e);
        }
    }

    private void load() {
        try {
            byte[] b = Files.readAllBytes(file);
            if (b.length < 4) {
                throw new CorruptedDataException(file.toString(), 0, "file too short");
            }
            CRC32C crc = new CRC32C();
            crc.update(b, 0, b.length - 4);
            int stored = ByteBuffer.wrap(b, b.length - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
            if (stored != (int) crc.getValue()) {
                throw new CorruptedDataException(file.toString(), b.length - 4, "CRC32C mismatch");
            }
            WireReader r = new WireReader(java.util.Arrays.copyOf(b, b.length - 4));
            if (r.getInt() != MAGIC || r.getUnsignedShort() != 1) {
                throw new CorruptedDataException(file.toString(), 0, "bad magic or version");
            }
            revision = r.getLong();
            int n = r.getInt();
            for (int i = 0; i < n; i++) {
                items.put(r.getShortString(), new Item(r.getBytes(), r.getLong(), r.getLong(), 0));
            }
            LOG.info("loaded {} metadata keys at revision {} from {}", n, revision, file);
        } catch (IOException e) {
            throw new VecraftIOException("cannot read metadata " + file, e);
        } catch (BufferUnderflowException e) {
            throw new CorruptedDataException(file.toString(), -1, "truncated metadata", e);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        expiry.shutdownNow();
        for (Watch w : watches) {
            w.close();
        }
        watches.clear();
    }

    /** One watch: events delivered in order on its own thread. */
    private static final class Watch {
        private final String prefix;
        private final Consumer<WatchEvent> listener;
        private final ExecutorService thread;

        Watch(String prefix, Consumer<WatchEvent> listener) {
            this.prefix = prefix;
            this.listener = listener;
            this.thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "vecraft-metadata-watch-" + prefix);
                t.setDaemon(true); // delivers notifications only
                return t;
            });
        }

        void deliver(WatchEvent e) {
            try {
                thread.execute(() -> {
                    try {
                        listener.accept(e);
                    } catch (RuntimeException ex) {
                        LOG.warn("metadata watch listener on {} failed for {}", prefix, e.key(), ex);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // watch closed
            }
        }

        void close() {
            thread.shutdownNow();
        }
    }
}
