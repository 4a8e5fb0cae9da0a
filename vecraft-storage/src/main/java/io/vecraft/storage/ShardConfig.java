package io.vecraft.storage;

import io.vecraft.api.IndexSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Metric;
import io.vecraft.api.Record;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Configuration of one {@link Shard}. Build with {@link #builder(Path, int, Metric)}; every
 * value is validated once in {@link Builder#build()}. Immutable and thread-safe.
 *
 * <p>Exact-search threshold: a filtered search first counts the versions its metadata filter
 * can match (from the inverted index posting lists, superseded versions included). When that
 * count is at most {@link #exactSearchThreshold(long)} = {@code max(exactSearchMaxMatches,
 * exactSearchFraction * stored versions)}, the search scores exactly those versions (fast,
 * exact); otherwise it searches the vector index and filters the hits, widening until it has
 * {@code k} (see {@link io.vecraft.storage.index.GraphVectorIndex} and
 * {@link io.vecraft.storage.index.HnswVectorIndex}). Defaults:
 * {@value #DEFAULT_EXACT_SEARCH_MAX_MATCHES} matches or 1% of versions.
 */
public final class ShardConfig {

    /** Default initial capacity in versions (id map, HNSW graph, version table). */
    public static final int DEFAULT_INITIAL_CAPACITY = 10_000;
    /** Largest initial capacity. */
    public static final int MAX_INITIAL_CAPACITY = 1 << 28;
    /** Default number of checkpoints kept on disk. */
    public static final int DEFAULT_CHECKPOINTS_TO_KEEP = 2;
    /** Most checkpoints kept on disk. */
    public static final int MAX_CHECKPOINTS_TO_KEEP = 100;
    /** Default absolute part of the exact-search threshold. */
    public static final int DEFAULT_EXACT_SEARCH_MAX_MATCHES = 2_000;
    /** Default relative part of the exact-search threshold (fraction of stored versions). */
    public static final double DEFAULT_EXACT_SEARCH_FRACTION = 0.01;
    /** Default bytes per mapped chunk of the vector store. */
    public static final int DEFAULT_VECTOR_CHUNK_BYTES = 64 << 20;
    /** Default bytes per mapped chunk of the payload log. */
    public static final int DEFAULT_PAYLOAD_CHUNK_BYTES = 16 << 20;
    /** Smallest chunk size. */
    public static final int MIN_CHUNK_BYTES = 64 << 10;
    /** Largest chunk size. */
    public static final int MAX_CHUNK_BYTES = 1 << 30;
    /** Default average record id length in bytes, used to size the id map. */
    public static final int DEFAULT_AVERAGE_ID_BYTES = 24;
    /** Default HNSW implementation (chosen by measurement: BENCHMARKS.md, "Graph index"). */
    public static final HnswImplementation DEFAULT_HNSW_IMPLEMENTATION = HnswImplementation.GRAPH;

    private final Path directory;
    private final int dimension;
    private final Metric metric;
    private final IndexSpec index;
    private final int initialCapacity;
    private final int checkpointsToKeep;
    private final int exactSearchMaxMatches;
    private final double exactSearchFraction;
    private final int vectorChunkBytes;
    private final int payloadChunkBytes;
    private final int averageIdBytes;
    private final HnswImplementation hnswImplementation;

    private ShardConfig(Builder b) {
        this.directory = b.directory;
        this.dimension = b.dimension;
        this.metric = b.metric;
        this.index = b.index;
        this.initialCapacity = b.initialCapacity;
        this.checkpointsToKeep = b.checkpointsToKeep;
        this.exactSearchMaxMatches = b.exactSearchMaxMatches;
        this.exactSearchFraction = b.exactSearchFraction;
        this.vectorChunkBytes = b.vectorChunkBytes;
        this.payloadChunkBytes = b.payloadChunkBytes;
        this.averageIdBytes = b.averageIdBytes;
        this.hnswImplementation = b.hnswImplementation;
    }

    /**
     * @param directory the shard's directory (created if absent)
     * @param dimension vector dimension, 1..{@link Record#MAX_DIMENSION}
     * @param metric    distance metric
     * @return a builder with defaults for everything else (HNSW with the {@link IndexSpec} defaults)
     */
    public static Builder builder(Path directory, int dimension, Metric metric) {
        return new Builder(directory, dimension, metric);
    }

    /** @return a builder holding this configuration's values */
    public Builder toBuilder() {
        return toBuilder(directory);
    }

    /**
     * @param otherDirectory the directory of the new configuration
     * @return a builder holding this configuration's values except the directory (compaction writes a
     *     rewritten shard next to the original)
     */
    public Builder toBuilder(Path otherDirectory) {
        return new Builder(otherDirectory, dimension, metric)
                .withIndex(index)
                .withInitialCapacity(initialCapacity)
                .withCheckpointsToKeep(checkpointsToKeep)
                .withExactSearchThreshold(exactSearchMaxMatches, exactSearchFraction)
                .withVectorChunkBytes(vectorChunkBytes)
                .withPayloadChunkBytes(payloadChunkBytes)
                .withAverageIdBytes(averageIdBytes)
                .withHnswImplementation(hnswImplementation);
    }

    /** @return the shard directory */
    public Path directory() {
        return directory;
    }

    /** @return the vector dimension */
    public int dimension() {
        return dimension;
    }

    /** @return the metric */
    public Metric metric() {
        return metric;
    }

    /** @return the vector index kind and parameters */
    public IndexSpec index() {
        return index;
    }

    /** @return initial capacity in versions */
    public int initialCapacity() {
        return initialCapacity;
    }

    /** @return checkpoints kept on disk (the newest ones) */
    public int checkpointsToKeep() {
        return checkpointsToKeep;
    }

    /** @return absolute part of the exact-search threshold */
    public int exactSearchMaxMatches() {
        return exactSearchMaxMatches;
    }

    /** @return relative part of the exact-search threshold */
    public double exactSearchFraction() {
        return exactSearchFraction;
    }

    /**
     * @param versions stored versions
     * @return the largest number of filter matches searched exactly
     */
    public long exactSearchThreshold(long versions) {
        return Math.max(exactSearchMaxMatches, (long) Math.floor(exactSearchFraction * versions));
    }

    /** @return bytes per mapped chunk of the vector store (used when the store is created) */
    public int vectorChunkBytes() {
        return vectorChunkBytes;
    }

    /** @return bytes per mapped chunk of the payload log */
    public int payloadChunkBytes() {
        return payloadChunkBytes;
    }

    /** @return average id length in bytes used to size the id map */
    public int averageIdBytes() {
        return averageIdBytes;
    }

    /** @return the HNSW implementation used when {@link #index()} is HNSW (ignored for exact) */
    public HnswImplementation hnswImplementation() {
        return hnswImplementation;
    }

    @Override
    public String toString() {
        return "ShardConfig{directory=" + directory + ", dimension=" + dimension + ", metric=" + metric
                + ", index=" + index + (index instanceof IndexSpec.Hnsw ? " (" + hnswImplementation + ")" : "")
                + ", initialCapacity=" + initialCapacity + ", checkpointsToKeep="
                + checkpointsToKeep + ", exactSearch=max(" + exactSearchMaxMatches + ", " + exactSearchFraction
                + " * versions)}";
    }

    /** Fluent builder; not thread-safe. */
    public static final class Builder {
        private final Path directory;
        private final int dimension;
        private final Metric metric;
        private IndexSpec index = IndexSpec.hnsw();
        private int initialCapacity = DEFAULT_INITIAL_CAPACITY;
        private int checkpointsToKeep = DEFAULT_CHECKPOINTS_TO_KEEP;
        private int exactSearchMaxMatches = DEFAULT_EXACT_SEARCH_MAX_MATCHES;
        private double exactSearchFraction = DEFAULT_EXACT_SEARCH_FRACTION;
        private int vectorChunkBytes = DEFAULT_VECTOR_CHUNK_BYTES;
        private int payloadChunkBytes = DEFAULT_PAYLOAD_CHUNK_BYTES;
        private int averageIdBytes = DEFAULT_AVERAGE_ID_BYTES;
        private HnswImplementation hnswImplementation = DEFAULT_HNSW_IMPLEMENTATION;

        private Builder(Path directory, int dimension, Metric metric) {
            this.directory = directory;
            this.dimension = dimension;
            this.metric = metric;
        }

        /**
         * @param spec HNSW (with m, efConstruction, ef) or exact
         * @return this
         */
        public Builder withIndex(IndexSpec spec) {
            this.index = spec;
            return this;
        }

        /**
         * @param versions initial capacity, 1..{@link #MAX_INITIAL_CAPACITY}; everything grows beyond it
         * @return this
         */
        public Builder withInitialCapacity(int versions) {
            this.initialCapacity = versions;
            return this;
        }

        /**
         * @param count checkpoints kept, 1..{@link #MAX_CHECKPOINTS_TO_KEEP}
         * @return this
         */
        public Builder withCheckpointsToKeep(int count) {
            this.checkpointsToKeep = count;
            return this;
        }

        /**
         * @param maxMatches filters matching at most this many versions are searched exactly (>= 0)
         * @param fraction   ... or at most this fraction of stored versions (0..1)
         * @return this
         */
        public Builder withExactSearchThreshold(int maxMatches, double fraction) {
            this.exactSearchMaxMatches = maxMatches;
            this.exactSearchFraction = fraction;
            return this;
        }

        /**
         * @param bytes target bytes per mapped vector chunk, {@link #MIN_CHUNK_BYTES}..{@link #MAX_CHUNK_BYTES}
         * @return this
         */
        public Builder withVectorChunkBytes(int bytes) {
            this.vectorChunkBytes = bytes;
            return this;
        }

        /**
         * @param bytes bytes per mapped payload-log chunk, {@link #MIN_CHUNK_BYTES}..{@link #MAX_CHUNK_BYTES}
         * @return this
         */
        public Builder withPayloadChunkBytes(int bytes) {
            this.payloadChunkBytes = bytes;
            return this;
        }

        /**
         * @param bytes expected average id length, 1..{@link Record#MAX_ID_BYTES}
         * @return this
         */
        public Builder withAverageIdBytes(int bytes) {
            this.averageIdBytes = bytes;
            return this;
        }

        /**
         * @param implementation which HNSW implementation an HNSW index uses (default
         *                       {@link #DEFAULT_HNSW_IMPLEMENTATION})
         * @return this
         */
        public Builder withHnswImplementation(HnswImplementation implementation) {
            this.hnswImplementation = implementation;
            return this;
        }

        /**
         * @return the validated configuration
         * @throws InvalidArgumentException naming the first invalid field and its limit
         */
        public ShardConfig build() {
            if (directory == null) {
                throw new InvalidArgumentException("shard.directory", "must not be null");
            }
            if (dimension < 1 || dimension > Record.MAX_DIMENSION) {
                throw new InvalidArgumentException("shard.dimension",
                        "must be 1 to " + Record.MAX_DIMENSION + ", was " + dimension);
            }
            if (metric == null) {
                throw new InvalidArgumentException("shard.metric", "must be one of L2, COSINE, DOT, was null");
            }
            Objects.requireNonNull(metric);
            if (index == null) {
                throw new InvalidArgumentException("shard.index", "must be IndexSpec.hnsw(...) or IndexSpec.exact()");
            }
            if (hnswImplementation == null) {
                throw new InvalidArgumentException("shard.hnswImplementation", "must be GRAPH or HNSWLIB, was null");
            }
            if (initialCapacity < 1 || initialCapacity > MAX_INITIAL_CAPACITY) {
                throw new InvalidArgumentException("shard.initialCapacity",
                        "must be 1 to " + MAX_INITIAL_CAPACITY + ", was " + initialCapacity);
            }
            if (checkpointsToKeep < 1 || checkpointsToKeep > MAX_CHECKPOINTS_TO_KEEP) {
                throw new InvalidArgumentException("shard.checkpointsToKeep",
                        "must be 1 to " + MAX_CHECKPOINTS_TO_KEEP + ", was " + checkpointsToKeep);
            }
            if (exactSearchMaxMatches < 0) {
                throw new InvalidArgumentException("shard.exactSearchMaxMatches", "must be >= 0, was " + exactSearchMaxMatches);
            }
            if (!(exactSearchFraction >= 0 && exactSearchFraction <= 1)) {
                throw new InvalidArgumentException("shard.exactSearchFraction", "must be 0 to 1, was " + exactSearchFraction);
            }
            checkChunk("shard.vectorChunkBytes", vectorChunkBytes);
            checkChunk("shard.payloadChunkBytes", payloadChunkBytes);
            if (vectorChunkBytes < io.vecraft.storage.vector.VectorStore.slotBytes(dimension)) {
                throw new InvalidArgumentException("shard.vectorChunkBytes", "must hold at least one slot of "
                        + io.vecraft.storage.vector.VectorStore.slotBytes(dimension) + " bytes, was " + vectorChunkBytes);
            }
            if (averageIdBytes < 1 || averageIdBytes > Record.MAX_ID_BYTES) {
                throw new InvalidArgumentException("shard.averageIdBytes",
                        "must be 1 to " + Record.MAX_ID_BYTES + ", was " + averageIdBytes);
            }
            return new ShardConfig(this);
        }

        private static void checkChunk(String field, int bytes) {
            if (bytes < MIN_CHUNK_BYTES || bytes > MAX_CHUNK_BYTES) {
                throw new InvalidArgumentException(field,
                        "must be " + MIN_CHUNK_BYTES + " to " + MAX_CHUNK_BYTES + " bytes, was " + bytes);
            }
        }
    }
}
