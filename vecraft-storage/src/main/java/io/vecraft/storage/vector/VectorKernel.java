package io.vecraft.storage.vector;

/**
 * Allocation-free distance primitives over on-heap arrays and {@link VectorStore} slots: the
 * hot path of every search. Implementations: {@link ScalarKernel} (plain Java) and SIMD kernels
 * over {@code jdk.incubator.vector}; {@link VectorKernels#preferred()} picks one at start-up.
 * All implementations agree within float rounding (the summation order differs).
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface VectorKernel {

    /** @return a short name for logs and benchmarks, e.g. {@code "simd-buffer-256"} */
    String name();

    /**
     * @param a a vector
     * @param b a vector of the same length
     * @return the inner product
     */
    float dot(float[] a, float[] b);

    /**
     * @param a a vector
     * @param b a vector of the same length
     * @return the squared Euclidean distance
     */
    float squareDistance(float[] a, float[] b);

    /**
     * @param q       a vector of the store's dimension
     * @param store   the store
     * @param ordinal a written slot
     * @return the inner product of {@code q} and the slot
     */
    float dot(float[] q, VectorStore store, int ordinal);

    /**
     * @param q       a vector of the store's dimension
     * @param store   the store
     * @param ordinal a written slot
     * @return the squared Euclidean distance between {@code q} and the slot
     */
    float squareDistance(float[] q, VectorStore store, int ordinal);

    /**
     * @param store the store
     * @param a     a written slot
     * @param b     a written slot
     * @return the inner product of the two slots
     */
    float dot(VectorStore store, int a, int b);

    /**
     * @param store the store
     * @param a     a written slot
     * @param b     a written slot
     * @return the squared Euclidean distance between the two slots
     */
    float squareDistance(VectorStore store, int a, int b);
}
