package io.vecraft.storage.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Per-ordinal MVCC version data in chunked primitive arrays: created HLC, deleted HLC, previous
 * ordinal of the same id (the version chain), payload-log offset of the version's record and
 * of the tombstone that deleted it. A version is visible at T iff {@code created <= T < deleted}.
 * A free ordinal has {@code created = }{@link #FREE_CREATED} and
 * {@code deleted = }{@link #FREE_DELETED}, which no T satisfies.
 *
 * <p>Publication: the writer fills a version's other fields, then stores {@code created} with
 * release semantics; readers load {@code created} with acquire semantics first, so a reader that
 * sees a version sees all of it. {@code deleted} is likewise stored with release and loaded with
 * acquire. Growth appends chunks and republishes the chunk array through a volatile field, so
 * readers never see a chunk move.
 *
 * <p>Thread-safety: one writer thread (methods documented "writer"); readers from any thread.
 */
public final class VersionTable {

    /** {@code created} of a free ordinal. */
    public static final long FREE_CREATED = Long.MAX_VALUE;
    /** {@code deleted} of a free ordinal. */
    public static final long FREE_DELETED = Long.MIN_VALUE;
    /** {@code deleted} of a live version. */
    public static final long LIVE = Long.MAX_VALUE;
    /** No ordinal (end of a chain). */
    public static final int NONE = -1;

    static final int SHIFT = 13;
    static final int CHUNK = 1 << SHIFT;
    static final int MASK = CHUNK - 1;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    private static final class Chunk {
        final long[] created = new long[CHUNK];
        final long[] deleted = new long[CHUNK];
        final long[] payload = new long[CHUNK];
        final long[] tombstone = new long[CHUNK];
        final int[] prev = new int[CHUNK];

        Chunk() {
            Arrays.fill(created, FREE_CREATED);
            Arrays.fill(deleted, FREE_DELETED);
            Arrays.fill(payload, -1);
            Arrays.fill(tombstone, -1);
            Arrays.fill(prev, NONE);
        }
    }

    private volatile Chunk[] chunks = new Chunk[0];
    private volatile int highWater;

    /** @return one past the highest ordinal ever allocated */
    public int highWater() {
        return highWater;
    }

    /**
     * Makes room for {@code ordinal} and raises the high-water mark past it. Writer.
     *
     * @param ordinal an ordinal about to be published
     */
    public void ensure(int ordinal) {
        int need = (ordinal >>> SHIFT) + 1;
        Chunk[] cur = chunks;
        if (need > cur.length) {
            Chunk[] grown = Arrays.copyOf(cur, Math.max(need, cur.length + (cur.length >> 1)));
            for (int i = cur.length; i < grown.length; i++) {
                grown[i] = new Chunk();
            }
            chunks = grown;
        }
        if (ordinal >= highWater) {
            highWater = ordinal + 1;
        }
    }

    private Chunk chunk(int o) {
        return chunks[o >>> SHIFT];
    }

    /**
     * @param o an ordinal below {@link #highWater()}
     * @return its created HLC (acquire)
     */
    public long created(int o) {
        return (long) LONGS.getAcquire(chunk(o).created, o & MASK);
    }

    /**
     * @param o an ordinal below {@link #highWater()}
     * @return its deleted HLC (acquire)
     */
    public long deleted(int o) {
        return (long) LONGS.getAcquire(chunk(o).deleted, o & MASK);
    }

    /**
     * @param o an ordinal
     * @return the previous version of the same id, or {@link #NONE}
     */
    public int prev(int o) {
        return (int) INTS.getAcquire(chunk(o).prev, o & MASK);
    }

    /**
     * @param o an ordinal
     * @return offset of its payload record
     */
    public long payload(int o) {
        return (long) LONGS.getAcquire(chunk(o).payload, o & MASK);
    }

    /**
     * @param o an ordinal
     * @return offset of the tombstone that deleted it, or -1
     */
    public long tombstone(int o) {
        return (long) LONGS.getAcquire(chunk(o).tombstone, o & MASK);
    }

    /**
     * @param o an ordinal
     * @param t snapshot HLC
     * @return true iff {@code created <= t < deleted}
     */
    public boolean visible(int o, long t) {
        if (o >= highWater) {
            return false;
        }
        Chunk c = chunk(o);
        int i = o & MASK;
        long created = (long) LONGS.getAcquire(c.created, i);
        return created <= t && t < (long) LONGS.getAcquire(c.deleted, i);
    }

    /**
     * @param o an ordinal below the high-water mark
     * @return true if the ordinal holds no version
     */
    public boolean isFree(int o) {
        return created(o) == FREE_CREATED;
    }

    /**
     * Publishes a new version. Writer; {@link #ensure} first.
     *
     * @param o       the ordinal (free)
     * @param created created HLC
     * @param prev    previous version of the id or {@link #NONE}
     * @param payload payload record offset
     */
    public void publish(int o, long created, int prev, long payload) {
        Chunk c = chunk(o);
        int i = o & MASK;
        c.prev[i] = prev;
        c.payload[i] = payload;
        c.tombstone[i] = -1;
        c.deleted[i] = LIVE;
        LONGS.setRelease(c.created, i, created);
    }

    /**
     * Restores a version read from a checkpoint. Writer, before readers exist.
     *
     * @param o         ordinal
     * @param created   created HLC
     * @param deleted   deleted HLC
     * @param prev      previous ordinal
     * @param payload   payload offset
     * @param tombstone tombstone offset
     */
    public void restore(int o, long created, long deleted, int prev, long payload, long tombstone) {
        ensure(o);
        Chunk c = chunk(o);
        int i = o & MASK;
        c.prev[i] = prev;
        c.payload[i] = payload;
        c.tombstone[i] = tombstone;
        c.deleted[i] = deleted;
        LONGS.setRelease(c.created, i, created);
    }

    /**
     * Ends a version's visibility. Writer.
     *
     * @param o         the version
     * @param hlc       deleted HLC
     * @param tombstone offset of the delete tombstone, or -1 when superseded by an upsert
     */
    public void markDeleted(int o, long hlc, long tombstone) {
        Chunk c = chunk(o);
        int i = o & MASK;
        LONGS.setRelease(c.tombstone, i, tombstone);
        LONGS.setRelease(c.deleted, i, hlc);
    }

    /**
     * Cuts or changes a chain link. Writer.
     *
     * @param o    a version
     * @param prev new previous ordinal
     */
    public void setPrev(int o, int prev) {
        INTS.setRelease(chunk(o).prev, o & MASK, prev);
    }

    /**
     * Frees an ordinal: invisible at every T from now on. Writer.
     *
     * @param o the ordinal
     */
    public void free(int o) {
        Chunk c = chunk(o);
        int i = o & MASK;
        LONGS.setRelease(c.deleted, i, FREE_DELETED);
        LONGS.setRelease(c.created, i, FREE_CREATED);
        INTS.setRelease(c.prev, i, NONE);
        LONGS.setRelease(c.tombstone, i, -1L);
    }

    /** @return heap bytes held by the arrays */
    public long heapBytes() {
        return (long) chunks.length * CHUNK * (8 * 4 + 4);
    }
}
