package io.vecraft.api;

/**
 * Distance metric of a collection. Search results are ordered by ascending {@code distance};
 * the distance reported for each metric is:
 *
 * <ul>
 *   <li>{@link #L2}: Euclidean distance, {@code sqrt(sum((a[i]-b[i])^2))}.</li>
 *   <li>{@link #COSINE}: {@code 1 - cos(a, b)}, in [0, 2]. Vectors are normalised once at insert;
 *       a zero vector is rejected.</li>
 *   <li>{@link #DOT}: the negated inner product {@code -sum(a[i]*b[i])}, so that a larger inner
 *       product ranks first.</li>
 * </ul>
 */
public enum Metric {
    /** Euclidean distance. */
    L2,
    /** One minus cosine similarity. */
    COSINE,
    /** Negated inner product. */
    DOT
}
