package io.vecraft.api;

import java.util.regex.Pattern;

/**
 * What a collection is: name, vector dimension, metric, index and shard count. Immutable.
 *
 * <pre>{@code
 * CollectionSpec spec = CollectionSpec.of("docs", 384).withMetric(Metric.COSINE).withShards(4);
 * }</pre>
 *
 * @param name      1 to {@link #MAX_NAME_LENGTH} characters of {@code [A-Za-z0-9_.-]}, starting with a letter or digit
 * @param dimension vector dimension, 1..{@link Record#MAX_DIMENSION}
 * @param metric    distance metric
 * @param index     index kind and parameters
 * @param shards    number of shards, 1..{@link #MAX_SHARDS}; 0 in a spec means "the database default"
 */
public record CollectionSpec(String name, int dimension, Metric metric, IndexSpec index, int shards) {
    /** Longest collection name. */
    public static final int MAX_NAME_LENGTH = 64;
    /** Most shards per collection. */
    public static final int MAX_SHARDS = 256;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    /** Validates. */
    public CollectionSpec {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
            throw new InvalidArgumentException("collection.name", "must be 1 to " + MAX_NAME_LENGTH
                    + " characters of [A-Za-z0-9_.-] starting with a letter or digit, was '" + name + "'");
        }
        if (dimension < 1 || dimension > Record.MAX_DIMENSION) {
            throw new InvalidArgumentException("collection.dimension",
                    "must be 1 to " + Record.MAX_DIMENSION + ", was " + dimension);
        }
        if (metric == null) {
            throw new InvalidArgumentException("collection.metric", "must be one of L2, COSINE, DOT");
        }
        if (index == null) {
            throw new InvalidArgumentException("collection.index", "must be HNSW or EXACT");
        }
        if (shards < 0 || shards > MAX_SHARDS) {
            throw new InvalidArgumentException("collection.shards", "must be 1 to " + MAX_SHARDS + ", was " + shards);
        }
    }

    /**
     * @param name      collection name
     * @param dimension vector dimension
     * @return a spec with metric L2, the default HNSW index and the database's default shard count
     */
    public static CollectionSpec of(String name, int dimension) {
        return new CollectionSpec(name, dimension, Metric.L2, IndexSpec.hnsw(), 0);
    }

    /**
     * @param metric distance metric
     * @return a copy
     */
    public CollectionSpec withMetric(Metric metric) {
        return new CollectionSpec(name, dimension, metric, index, shards);
    }

    /**
     * @param index index kind and parameters
     * @return a copy
     */
    public CollectionSpec withIndex(IndexSpec index) {
        return new CollectionSpec(name, dimension, metric, index, shards);
    }

    /**
     * @param shards number of shards, 1..{@link #MAX_SHARDS}
     * @return a copy
     */
    public CollectionSpec withShards(int shards) {
        if (shards < 1) {
            throw new InvalidArgumentException("collection.shards", "must be 1 to " + MAX_SHARDS + ", was " + shards);
        }
        return new CollectionSpec(name, dimension, metric, index, shards);
    }
}
