package io.vecraft.storage;

/**
 * Which HNSW implementation a shard uses for {@link io.vecraft.api.IndexSpec.Hnsw}: both build a
 * graph with the same parameters (M, efConstruction, per-search ef) over the ordinals of the
 * mapped vector store, and both answer the same {@link io.vecraft.storage.index.VectorIndex}
 * contract. The choice is recorded in each checkpoint's manifest (index kind); a shard opened with
 * the other implementation than its newest checkpoint rebuilds the graph from the stored vectors
 * (logged as a warning) instead of loading it. See BENCHMARKS.md, "Graph index", for the
 * measurements behind the default.
 *
 * <p>Immutable and thread-safe.
 */
public enum HnswImplementation {
    /**
     * {@link io.vecraft.storage.index.GraphVectorIndex}: Vecraft's own graph (primitive neighbour
     * lists, lock-free readers, filter-aware traversal, binary checkpoint file
     * {@code hnsw-graph.bin}).
     */
    GRAPH,
    /**
     * {@link io.vecraft.storage.index.HnswVectorIndex} over jelmerk hnswlib 1.2.1 (Java-serialized
     * checkpoint file {@code graph.bin}).
     */
    HNSWLIB
}
