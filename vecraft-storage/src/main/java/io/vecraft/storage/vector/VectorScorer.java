package io.vecraft.storage.vector;

import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Metric;

/**
 * Scores vectors of one {@link VectorStore} under its {@link Metric} with one
 * {@link VectorKernel}. Indexes rank by <em>score</em> (lower is nearer) and report
 * {@link #distance(float) distances} as {@link Metric} defines them:
 * <ul>
 *   <li>L2: score is the squared Euclidean distance, distance its square root;</li>
 *   <li>COSINE: vectors are unit length (normalised at insert, queries by
 *       {@link #prepareQuery}), score = distance = {@code 1 - dot};</li>
 *   <li>DOT: score = distance = {@code -dot}.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class VectorScorer {

    private final VectorStore store;
    private final VectorKernel kernel;
    private final int metric; // 0 L2, 1 COSINE, 2 DOT

    /**
     * @param store  the vector store
     * @param kernel the distance kernel
     */
    public VectorScorer(VectorStore store, VectorKernel kernel) {
        this.store = store;
        this.kernel = kernel;
        this.metric = VectorStore.metricCode(store.metric());
    }

    /** @return the store */
    public VectorStore store() {
        return store;
    }

    /** @return the kernel */
    public VectorKernel kernel() {
        return kernel;
    }

    /** @return the metric */
    public Metric metric() {
        return store.metric();
    }

    /**
     * @param query   a prepared query (see {@link #prepareQuery})
     * @param ordinal a written slot
     * @return the score (lower is nearer)
     */
    public float score(float[] query, int ordinal) {
        switch (metric) {
            case 0:
                return kernel.squareDistance(query, store, ordinal);
            case 1:
                return 1f - kernel.dot(query, store, ordinal);
            default:
                return -kernel.dot(query, store, ordinal);
        }
    }

    /**
     * @param a a written slot
     * @param b a written slot
     * @return the score between two stored vectors
     */
    public float score(int a, int b) {
        switch (metric) {
            case 0:
                return kernel.squareDistance(store, a, b);
            case 1:
                return 1f - kernel.dot(store, a, b);
            default:
                return -kernel.dot(store, a, b);
        }
    }

    /**
     * @param score a score
     * @return the distance reported to callers
     */
    public float distance(float score) {
        return metric == 0 ? (float) Math.sqrt(Math.max(0f, score)) : score;
    }

    /**
     * Validates a query and, for COSINE, returns a normalised copy.
     *
     * @param query the query
     * @return the vector to score with (the argument itself unless normalised)
     * @throws InvalidArgumentException on wrong dimension, non-finite values or a zero COSINE query
     */
    public float[] prepareQuery(float[] query) {
        Vectors.check("query", query, store.dimension());
        return metric == 1 ? Vectors.normalised("query", query) : query;
    }
}
