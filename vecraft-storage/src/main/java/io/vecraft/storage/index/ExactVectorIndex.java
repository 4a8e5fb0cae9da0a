package io.vecraft.storage.index;

import io.vecraft.storage.internal.AtomicBitSet;
import io.vecraft.storage.vector.VectorScorer;

import java.nio.file.Path;
import java.util.PrimitiveIterator;
import java.util.function.IntPredicate;

/**
 * Exact (brute-force) index: a search scores every held, accepted ordinal. Holds one bit per
 * ordinal. Also provides {@link #scan}, the exact search over an explicit candidate set used
 * for selective filters whatever the index kind.
 *
 * <p>Thread-safety: single writer ({@link #add}, {@link #remove}), concurrent lock-free readers.
 */
public final class ExactVectorIndex implements VectorIndex {

    private final VectorScorer scorer;
    private final AtomicBitSet members = new AtomicBitSet();
    private volatile int size;

    /** @param scorer scores the store's vectors */
    public ExactVectorIndex(VectorScorer scorer) {
        this.scorer = scorer;
    }

    @Override
    public void add(int ordinal) {
        if (!members.get(ordinal)) {
            members.set(ordinal);
            size = size + 1;
        }
    }

    @Override
    public void remove(int ordinal) {
        if (members.get(ordinal)) {
            members.clear(ordinal);
            size = size - 1;
        }
    }

    @Override
    public boolean contains(int ordinal) {
        return members.get(ordinal);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public SearchResults search(float[] query, int k, int ef, IntPredicate accept) {
        return scanMembers(scorer, members, query, k, accept);
    }

    static SearchResults scanMembers(VectorScorer scorer, AtomicBitSet members, float[] query, int k,
                                     IntPredicate accept) {
        TopK top = new TopK(k);
        for (int o = members.nextSetBit(0); o >= 0; o = members.nextSetBit(o + 1)) {
            offer(top, o, scorer.score(query, o), accept);
        }
        return top.toResults(scorer);
    }

    /**
     * Exact search over explicit candidates.
     *
     * @param scorer     scores the store's vectors
     * @param query      a prepared query
     * @param k          hits wanted
     * @param candidates candidate ordinals (each at most once)
     * @param accept     further predicate, or null
     * @return up to {@code k} accepted candidates, nearest first
     */
    public static SearchResults scan(VectorScorer scorer, float[] query, int k, PrimitiveIterator.OfInt candidates,
                                     IntPredicate accept) {
        TopK top = new TopK(k);
        while (candidates.hasNext()) {
            int o = candidates.nextInt();
            offer(top, o, scorer.score(query, o), accept);
        }
        return top.toResults(scorer);
    }

    /**
     * Offers a scored ordinal, testing {@code accept} only when the score would enter the heap.
     * Scoring first is cheaper than testing first: the predicate (MVCC visibility, a filter) costs
     * about as much as a SIMD distance, and once the heap is full almost every candidate is
     * rejected by one comparison. The predicate is pure, so the order does not change the result.
     */
    private static void offer(TopK top, int ordinal, float score, IntPredicate accept) {
        if (top.full() && score > top.worst()) {
            return;
        }
        if (accept == null || accept.test(ordinal)) {
            top.offer(ordinal, score);
        }
    }

    @Override
    public long save(Path file) {
        return 0; // nothing to persist: membership is rebuilt from the version table
    }

    @Override
    public long heapBytesEstimate() {
        return members.heapBytes();
    }

    @Override
    public void close() {
        // nothing held
    }
}
