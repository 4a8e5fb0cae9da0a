/**
 * Nearest-neighbour indexes over vector-store ordinals: the
 * {@link io.vecraft.storage.index.VectorIndex} seam, {@link io.vecraft.storage.index.GraphVectorIndex}
 * (Vecraft's own HNSW graph: primitive neighbour lists, lock-free readers, filter-aware traversal,
 * binary graph file; the default), {@link io.vecraft.storage.index.HnswVectorIndex} (jelmerk
 * hnswlib, vectors left in the mapped store) and {@link io.vecraft.storage.index.ExactVectorIndex}.
 */
package io.vecraft.storage.index;
