package io.vecraft.storage.index;

import java.nio.file.Path;
import java.util.function.IntPredicate;

/**
 * A nearest-neighbour index over the ordinals of a {@link io.vecraft.storage.vector.VectorStore}:
 * it holds no vectors of its own, only ordinals, and scores through a
 * {@link io.vecraft.storage.vector.VectorScorer}. Implementations: {@link GraphVectorIndex} and
 * {@link HnswVectorIndex} (approximate HNSW graph search, our own and jelmerk hnswlib's) and
 * {@link ExactVectorIndex} (scan).
 *
 * <p>Search takes an {@code accept} predicate over ordinals (MVCC visibility and metadata
 * filters): results contain only accepted ordinals, and an implementation keeps looking (for
 * HNSW: walking past rejected nodes or widening its beam, then scanning) until it has {@code k}
 * accepted ordinals or has seen
 * every ordinal it holds, so it returns exactly {@code min(k, accepted ordinals held)} hits.
 *
 * <p>Thread-safety: one writer thread calls {@link #add}, {@link #remove}, {@link #save} and
 * {@link #close}; {@link #search}, {@link #contains} and {@link #size} may be called from any
 * thread concurrently with the writer.
 */
public interface VectorIndex extends AutoCloseable {

    /**
     * Adds an ordinal whose vector is already written to the store. Writer only. Concurrent
     * searches may return the ordinal as soon as this method is entered (HNSW links it into the
     * graph step by step); callers publish visibility through their own {@code accept}.
     *
     * @param ordinal the ordinal, not currently held
     */
    void add(int ordinal);

    /**
     * Removes an ordinal so searches no longer return it; the ordinal may be added again later
     * (with a new vector). Writer only.
     *
     * @param ordinal a held ordinal
     */
    void remove(int ordinal);

    /**
     * @param ordinal an ordinal
     * @return whether it is held (added and not removed)
     */
    boolean contains(int ordinal);

    /** @return the number of held ordinals */
    int size();

    /**
     * Finds the nearest accepted ordinals.
     *
     * @param query  a query prepared by {@link io.vecraft.storage.vector.VectorScorer#prepareQuery}
     * @param k      number of hits wanted, at least 1
     * @param ef     search beam width, 0 for the index default; raised to {@code k} when smaller
     * @param accept ordinals that may be returned, or null for all
     * @return up to {@code k} hits, nearest first
     */
    SearchResults search(float[] query, int k, int ef, IntPredicate accept);

    /**
     * Writes the index to a file (the HNSW graph; nothing for a scan index). Writer only: no
     * add or remove may run concurrently.
     *
     * @param file destination, created or replaced
     * @return bytes written
     */
    long save(Path file);

    /** @return an estimate of the heap bytes the index holds */
    long heapBytesEstimate();

    /** Releases resources; idempotent. */
    @Override
    void close();
}
