package io.vecraft.storage.internal;

import io.vecraft.api.CapacityException;
import io.vecraft.api.VecraftIOException;
import net.openhft.chronicle.map.ChronicleMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.stream.Stream;

/**
 * Record id to current ordinal (the newest version of the id, live or deleted), in a persisted
 * Chronicle Map: off-heap, so ids cost no heap. The map is derived state: the shard rebuilds it
 * from the restored checkpoint at every open (a fresh file, so a map left locked or half
 * written by a crash never matters), and nothing relies on it surviving a crash.
 *
 * <p>Capacity: created for {@code max(initial capacity, 2 x entries)} entries; when it fills to
 * {@value #GROW_AT_PERCENT}% the writer creates a map twice as large, copies the entries and
 * swaps it in. The old map is closed only when no reader that could hold it is still running
 * ({@link ReaderEpochs}).
 *
 * <p>Thread-safety: one writer ({@link #put}, {@link #remove}, {@link #close}); {@link #get}
 * from any thread (Chronicle Map takes its own short segment read locks).
 */
public final class IdIndex implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IdIndex.class);
    /** Fill percentage that triggers growth. */
    static final int GROW_AT_PERCENT = 75;
    private static final String PREFIX = "ids-";
    private static final String SUFFIX = ".dat";

    private final Path dir;
    private final int averageIdBytes;
    private final ReaderEpochs epochs;
    private volatile ChronicleMap<CharSequence, Integer> map;
    private long capacity;
    /**
     * Ids in the map, kept by the writer from the return values of put and remove:
     * {@code ChronicleMap.longSize()} sums every segment, too slow to ask on each put.
     */
    private long count;
    /**
     * File numbers are unique in the JVM, not per index: Chronicle Map shares one mapping between maps
     * persisted to the same path in a JVM, so a new index must never reuse the path of a map another index
     * may still hold (a compacted shard opens next to the store it replaces, whose files were renamed away).
     */
    private static final java.util.concurrent.atomic.AtomicLong FILE_NUMBERS = new java.util.concurrent.atomic.AtomicLong();
    private final Deque<Retired> retired = new ArrayDeque<>();
    private boolean closed;

    private record Retired(ChronicleMap<CharSequence, Integer> map, Path file, long epoch) {
    }

    private IdIndex(Path dir, int averageIdBytes, ReaderEpochs epochs) {
        this.dir = dir;
        this.averageIdBytes = averageIdBytes;
        this.epochs = epochs;
    }

    /**
     * Creates a fresh, empty map in {@code dir}, deleting any earlier map files.
     *
     * @param dir            directory of the map files
     * @param capacity       entries to size for
     * @param averageIdBytes average id length
     * @param epochs         reader epochs of the shard
     * @return the index
     */
    public static IdIndex create(Path dir, long capacity, int averageIdBytes, ReaderEpochs epochs) {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> old = Files.list(dir)) {
                for (Path p : (Iterable<Path>) old::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new VecraftIOException("cannot prepare id map directory " + dir, e);
        }
        IdIndex index = new IdIndex(dir, averageIdBytes, epochs);
        index.capacity = Math.max(1024, capacity);
        index.map = index.newMap(index.capacity);
        return index;
    }

    private ChronicleMap<CharSequence, Integer> newMap(long entries) {
        Path file = dir.resolve(PREFIX + FILE_NUMBERS.getAndIncrement() + SUFFIX);
        try {
            Files.deleteIfExists(file);
            return ChronicleMap.of(CharSequence.class, Integer.class)
                    .name("vecraft-ids")
                    .entries(entries)
                    .averageKeySize(averageIdBytes)
                    .createPersistedTo(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new VecraftIOException("cannot create id map " + file + " for " + entries + " entries", e);
        }
    }

    /**
     * @param id record id
     * @return its current ordinal, or -1
     */
    public int get(String id) {
        Integer o = map.get(id);
        return o == null ? -1 : o;
    }

    /**
     * Maps an id to its current ordinal. Writer.
     *
     * @param id      record id
     * @param ordinal the ordinal
     */
    public void put(String id, int ordinal) {
        ChronicleMap<CharSequence, Integer> m = map;
        if (count * 100 >= capacity * GROW_AT_PERCENT && !m.containsKey(id)) {
            grow();
            m = map;
        }
        Integer previous;
        try {
            previous = m.put(id, ordinal);
        } catch (IllegalStateException e) {
            // the map ran out of segments earlier than its nominal size (very uneven keys)
            grow();
            try {
                previous = map.put(id, ordinal);
            } catch (IllegalStateException again) {
                throw new CapacityException("id map in " + dir + " is full at " + map.longSize() + " entries", again);
            }
        }
        if (previous == null) {
            count++;
        }
    }

    /**
     * Removes an id. Writer.
     *
     * @param id record id
     */
    public void remove(String id) {
        if (map.remove(id) != null) {
            count--;
        }
    }

    /** @return number of ids */
    public long size() {
        return map.longSize();
    }

    /** @return entries the current map is sized for */
    public long capacity() {
        return capacity;
    }

    private void grow() {
        ChronicleMap<CharSequence, Integer> old = map;
        long next = capacity * 2;
        ChronicleMap<CharSequence, Integer> bigger = newMap(next);
        old.forEach((k, v) -> bigger.put(k.toString(), v));
        Path oldFile = old.file().toPath();
        map = bigger;
        capacity = next;
        retired.add(new Retired(old, oldFile, epochs.retire()));
        LOG.debug("id map {} grown to {} entries", dir, next);
        releaseRetired();
    }

    /** Closes and deletes old maps no reader can still hold. Writer. */
    public void releaseRetired() {
        while (!retired.isEmpty() && epochs.quiescent(retired.peekFirst().epoch())) {
            Retired r = retired.pollFirst();
            r.map().close();
            try {
                Files.deleteIfExists(r.file());
            } catch (IOException e) {
                LOG.warn("cannot delete old id map {}: {}", r.file(), e.toString());
            }
        }
    }

    /** @return bytes of the map files */
    public long fileBytes() {
        try (Stream<Path> files = Files.list(dir)) {
            long sum = 0;
            for (Path p : (Iterable<Path>) files::iterator) {
                sum += Files.size(p);
            }
            return sum;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Closes the maps; idempotent. The caller ensures no reader is inside. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Retired r : retired) {
            r.map().close();
        }
        retired.clear();
        map.close();
    }
}
