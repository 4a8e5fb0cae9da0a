/**
 * Vectors: the memory-mapped slot store ({@link io.vecraft.storage.vector.VectorStore}), the
 * allocation-free distance kernels (scalar and SIMD over {@code jdk.incubator.vector}, chosen at
 * start-up by {@link io.vecraft.storage.vector.VectorKernels}) and metric scoring
 * ({@link io.vecraft.storage.vector.VectorScorer}).
 */
package io.vecraft.storage.vector;
