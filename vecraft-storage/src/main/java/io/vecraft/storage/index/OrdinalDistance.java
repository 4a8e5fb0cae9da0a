package io.vecraft.storage.index;

import com.github.jelmerk.hnswlib.core.DistanceFunction;
import io.vecraft.storage.vector.VectorScorer;

/**
 * hnswlib distance function over {@link VectorRef}s: scores a query (or a node) against a node
 * by reading the mapped vector store through the {@link VectorScorer}. The scorer is transient:
 * a graph loaded from disk is re-bound with {@link #bind} before use. hnswlib boxes every
 * distance into a {@link Float}; that allocation is hnswlib's, not ours.
 *
 * <p>Thread-safe once bound.
 */
final class OrdinalDistance implements DistanceFunction<VectorRef, Float> {

    private static final long serialVersionUID = 1L;

    private transient volatile VectorScorer scorer;

    OrdinalDistance(VectorScorer scorer) {
        this.scorer = scorer;
    }

    void bind(VectorScorer s) {
        this.scorer = s;
    }

    @Override
    public Float distance(VectorRef u, VectorRef v) {
        VectorScorer s = scorer;
        if (u.query != null) {
            return s.score(u.query, v.ordinal);
        }
        if (v.query != null) {
            return s.score(v.query, u.ordinal);
        }
        return s.score(u.ordinal, v.ordinal);
    }
}
