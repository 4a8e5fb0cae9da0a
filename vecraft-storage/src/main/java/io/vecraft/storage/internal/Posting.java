package io.vecraft.storage.internal;

import org.roaringbitmap.RoaringBitmap;

import java.util.Arrays;

/**
 * The ordinals holding one metadata value: an append-only int array published as an immutable
 * (array, size) snapshot through a volatile field. Appends write past every published size, so
 * readers of an older snapshot never see a change; removals build a new array.
 *
 * <p>Thread-safety: one writer ({@link #add}, {@link #removeAll}); readers from any thread.
 */
public final class Posting {

    private static final class Snapshot {
        final int[] data;
        final int size;

        Snapshot(int[] data, int size) {
            this.data = data;
            this.size = size;
        }
    }

    private volatile Snapshot snap = new Snapshot(new int[2], 0);

    /** @param ordinal ordinal to append. Writer. */
    public void add(int ordinal) {
        Snapshot s = snap;
        int[] d = s.data;
        if (s.size == d.length) {
            d = Arrays.copyOf(d, d.length * 2);
        }
        d[s.size] = ordinal;
        snap = new Snapshot(d, s.size + 1);
    }

    /**
     * Removes every ordinal contained in {@code removed}. Writer.
     *
     * @param removed ordinals to drop
     */
    public void removeAll(RoaringBitmap removed) {
        Snapshot s = snap;
        int[] d = new int[Math.max(2, s.size)];
        int n = 0;
        for (int i = 0; i < s.size; i++) {
            int o = s.data[i];
            if (!removed.contains(o)) {
                d[n++] = o;
            }
        }
        snap = new Snapshot(d, n);
    }

    /** @return the number of ordinals */
    public int size() {
        return snap.size;
    }

    /** @param into bitmap to add this posting's ordinals to */
    public void addTo(RoaringBitmap into) {
        Snapshot s = snap;
        into.addN(s.data, 0, s.size);
    }

    /** @return approximate heap bytes */
    long heapBytes() {
        return 32 + 4L * snap.data.length;
    }
}
