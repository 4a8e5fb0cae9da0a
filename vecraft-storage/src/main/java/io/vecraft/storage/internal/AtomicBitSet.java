package io.vecraft.storage.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A growable bit set over non-negative ints, written by one thread and read by any number of
 * threads without locks. Storage is a list of fixed-size {@link AtomicLongArray} pages
 * published through a volatile array, so growth never copies words readers are reading.
 *
 * <p>Thread-safety: {@link #set}, {@link #clear} and {@link #ensureCapacity} from one writer
 * thread; {@link #get} and {@link #nextSetBit} from any thread.
 */
public final class AtomicBitSet {

    private static final int PAGE_SHIFT = 12; // 4096 words = 262,144 bits per page
    private static final int PAGE_WORDS = 1 << PAGE_SHIFT;

    private volatile AtomicLongArray[] pages = new AtomicLongArray[0];

    /** @param bits capacity in bits. Writer only. */
    public void ensureCapacity(int bits) {
        int words = (int) (((long) bits + 63) >>> 6);
        int neededPages = (words + PAGE_WORDS - 1) >>> PAGE_SHIFT;
        AtomicLongArray[] cur = pages;
        if (neededPages <= cur.length) {
            return;
        }
        AtomicLongArray[] grown = java.util.Arrays.copyOf(cur, neededPages);
        for (int i = cur.length; i < neededPages; i++) {
            grown[i] = new AtomicLongArray(PAGE_WORDS);
        }
        pages = grown;
    }

    /** @param bit bit to set. Writer only. */
    public void set(int bit) {
        ensureCapacity(bit + 1);
        int word = bit >>> 6;
        AtomicLongArray page = pages[word >>> PAGE_SHIFT];
        int i = word & (PAGE_WORDS - 1);
        page.setRelease(i, page.getPlain(i) | (1L << bit));
    }

    /** @param bit bit to clear. Writer only. */
    public void clear(int bit) {
        int word = bit >>> 6;
        AtomicLongArray[] ps = pages;
        if ((word >>> PAGE_SHIFT) >= ps.length) {
            return;
        }
        AtomicLongArray page = ps[word >>> PAGE_SHIFT];
        int i = word & (PAGE_WORDS - 1);
        page.setRelease(i, page.getPlain(i) & ~(1L << bit));
    }

    /**
     * @param bit a bit
     * @return whether it is set
     */
    public boolean get(int bit) {
        int word = bit >>> 6;
        AtomicLongArray[] ps = pages;
        int p = word >>> PAGE_SHIFT;
        if (p >= ps.length) {
            return false;
        }
        return (ps[p].getAcquire(word & (PAGE_WORDS - 1)) & (1L << bit)) != 0;
    }

    /**
     * @param from first bit to look at
     * @return the first set bit at or after {@code from}, or -1
     */
    public int nextSetBit(int from) {
        AtomicLongArray[] ps = pages;
        int word = from >>> 6;
        int totalWords = ps.length << PAGE_SHIFT;
        if (word >= totalWords) {
            return -1;
        }
        long w = ps[word >>> PAGE_SHIFT].getAcquire(word & (PAGE_WORDS - 1)) & (-1L << from);
        while (true) {
            if (w != 0) {
                return (word << 6) + Long.numberOfTrailingZeros(w);
            }
            if (++word >= totalWords) {
                return -1;
            }
            w = ps[word >>> PAGE_SHIFT].getAcquire(word & (PAGE_WORDS - 1));
        }
    }

    /** @return approximate heap bytes held */
    public long heapBytes() {
        return (long) pages.length * PAGE_WORDS * 8;
    }
}
