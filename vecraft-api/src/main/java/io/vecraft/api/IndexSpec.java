package io.vecraft.api;

/**
 * How a collection indexes its vectors: an HNSW graph (approximate, fast) or an exact scan.
 * Immutable and thread-safe.
 */
public sealed interface IndexSpec {

    /** Default HNSW graph degree. */
    int DEFAULT_M = 16;
    /** Default HNSW construction beam width. */
    int DEFAULT_EF_CONSTRUCTION = 200;
    /** Default HNSW search beam width (raised to k when k is larger). */
    int DEFAULT_EF = 64;

    /** @return HNSW with {@link #DEFAULT_M}, {@link #DEFAULT_EF_CONSTRUCTION}, {@link #DEFAULT_EF} */
    static IndexSpec hnsw() {
        return new Hnsw(DEFAULT_M, DEFAULT_EF_CONSTRUCTION, DEFAULT_EF);
    }

    /**
     * @param m              graph degree, 2..{@link Hnsw#MAX_M}
     * @param efConstruction construction beam width, 1..{@link Hnsw#MAX_EF}
     * @param ef             default search beam width, 1..{@link Hnsw#MAX_EF}
     * @return the spec
     */
    static IndexSpec hnsw(int m, int efConstruction, int ef) {
        return new Hnsw(m, efConstruction, ef);
    }

    /** @return an exact (brute-force) index */
    static IndexSpec exact() {
        return new Exact();
    }

    /**
     * Hierarchical navigable small world graph.
     *
     * @param m              graph degree (neighbours per node on upper layers; 2m on layer 0)
     * @param efConstruction beam width while inserting
     * @param ef             default beam width while searching
     */
    record Hnsw(int m, int efConstruction, int ef) implements IndexSpec {
        /** Largest accepted m. */
        public static final int MAX_M = 128;
        /** Largest accepted ef / efConstruction. */
        public static final int MAX_EF = 10_000;

        /** Validates. */
        public Hnsw {
            if (m < 2 || m > MAX_M) {
                throw new InvalidArgumentException("index.m", "must be 2 to " + MAX_M + ", was " + m);
            }
            if (efConstruction < 1 || efConstruction > MAX_EF) {
                throw new InvalidArgumentException("index.efConstruction",
                        "must be 1 to " + MAX_EF + ", was " + efConstruction);
            }
            if (ef < 1 || ef > MAX_EF) {
                throw new InvalidArgumentException("index.ef", "must be 1 to " + MAX_EF + ", was " + ef);
            }
        }
    }

    /** Exact search: every query scans every visible vector. */
    record Exact() implements IndexSpec {
    }
}
