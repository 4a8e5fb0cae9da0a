package io.vecraft.storage.index;

/**
 * Binary min-heap of {@code long} keys, each packing a (score, node) pair so that key order is
 * score order with ties broken by the lower node: the high 32 bits hold the score as a sortable
 * int (IEEE 754 bits with the magnitude bits flipped for negatives), the low 32 bits the node.
 * Used as a min-heap of candidates and, with every key bit-inverted ({@code ~key} reverses the
 * order of signed longs), as a bounded max-heap of results. Primitive storage, no allocation once
 * grown: the search hot path pushes and pops without boxing.
 *
 * <p>Not thread-safe: one per search (kept per thread by {@link GraphVectorIndex}).
 */
final class NodeHeap {

    private long[] heap;
    private int size;

    /** @param capacity initial capacity (grows by doubling) */
    NodeHeap(int capacity) {
        heap = new long[Math.max(2, capacity)];
    }

    /**
     * @param score a score (lower is nearer), not NaN
     * @param node  a node
     * @return the key ordering by score, then node
     */
    static long encode(float score, int node) {
        int bits = Float.floatToIntBits(score);
        bits ^= (bits >> 31) & 0x7fffffff;
        return ((long) bits << 32) | (node & 0xFFFFFFFFL);
    }

    /**
     * @param key a key made by {@link #encode}
     * @return its score
     */
    static float score(long key) {
        int bits = (int) (key >>> 32);
        bits ^= (bits >> 31) & 0x7fffffff;
        return Float.intBitsToFloat(bits);
    }

    /**
     * @param key a key made by {@link #encode}
     * @return its node
     */
    static int node(long key) {
        return (int) key;
    }

    void clear() {
        size = 0;
    }

    int size() {
        return size;
    }

    /** @return the smallest key; only when not empty */
    long top() {
        return heap[0];
    }

    void push(long key) {
        if (size == heap.length) {
            heap = java.util.Arrays.copyOf(heap, size * 2);
        }
        long[] h = heap;
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            long p = h[parent];
            if (p <= key) {
                break;
            }
            h[i] = p;
            i = parent;
        }
        h[i] = key;
    }

    /** @return the smallest key, removed; only when not empty */
    long pop() {
        long[] h = heap;
        long top = h[0];
        long last = h[--size];
        if (size > 0) {
            siftDown(h, last);
        }
        return top;
    }

    /** Replaces the smallest key (only when not empty). */
    void replaceTop(long key) {
        siftDown(heap, key);
    }

    private void siftDown(long[] h, long key) {
        int n = size;
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            if (l >= n) {
                break;
            }
            int r = l + 1;
            int c = r < n && h[r] < h[l] ? r : l;
            if (h[c] >= key) {
                break;
            }
            h[i] = h[c];
            i = c;
        }
        h[i] = key;
    }
}
