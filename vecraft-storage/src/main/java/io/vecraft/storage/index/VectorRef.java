package io.vecraft.storage.index;

import com.github.jelmerk.hnswlib.core.Item;

/**
 * What hnswlib holds for every node and receives as a query: a reference to a vector-store
 * ordinal (items) or an on-heap query vector (queries, ordinal -1). Holding a reference instead
 * of a {@code float[]} keeps one copy of every vector, in the mapped store. 24 bytes per node.
 *
 * <p>Immutable and thread-safe.
 */
final class VectorRef implements Item<Integer, VectorRef> {

    private static final long serialVersionUID = 1L;

    final int ordinal;
    final transient float[] query;
    private final int dimension;

    private VectorRef(int ordinal, float[] query, int dimension) {
        this.ordinal = ordinal;
        this.query = query;
        this.dimension = dimension;
    }

    static VectorRef item(int ordinal, int dimension) {
        return new VectorRef(ordinal, null, dimension);
    }

    static VectorRef query(float[] query) {
        return new VectorRef(-1, query, query.length);
    }

    @Override
    public Integer id() {
        return ordinal;
    }

    @Override
    public VectorRef vector() {
        return this;
    }

    @Override
    public int dimensions() {
        return dimension;
    }

    @Override
    public long version() {
        return 0; // ordinals are reused after purge: remove(id, 0) then add(version 0) is accepted
    }
}
