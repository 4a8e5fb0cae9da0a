package io.vecraft.api;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A nearest-neighbour search. Immutable; {@code withX} returns a copy.
 *
 * <pre>{@code
 * SearchRequest req = SearchRequest.of(queryVector, 10)
 *         .withFilter(Filter.eq("lang", "en"))
 *         .withConsistency(Consistency.STRONG)
 *         .includeVector(true);
 * }</pre>
 *
 * <p>Defaults: no filter, the database's default consistency, the latest snapshot, the index's
 * ef, metadata and document included, vector not included.
 */
public final class SearchRequest {
    /** Largest accepted k. */
    public static final int MAX_K = 10_000;

    private final float[] vector;
    private final int k;
    private final Filter filter;
    private final Consistency consistency;
    private final long asOfHlc;
    private final int ef;
    private final boolean includeVector;
    private final boolean includeMetadata;
    private final boolean includeDocument;

    private SearchRequest(float[] vector, int k, Filter filter, Consistency consistency, long asOfHlc, int ef,
                          boolean includeVector, boolean includeMetadata, boolean includeDocument) {
        this.vector = vector;
        this.k = k;
        this.filter = filter;
        this.consistency = consistency;
        this.asOfHlc = asOfHlc;
        this.ef = ef;
        this.includeVector = includeVector;
        this.includeMetadata = includeMetadata;
        this.includeDocument = includeDocument;
    }

    /**
     * @param vector query vector (copied); finite values; its dimension is checked against the collection
     * @param k      number of hits wanted, 1..{@link #MAX_K}
     * @return the request
     * @throws InvalidArgumentException on bad input
     */
    public static SearchRequest of(float[] vector, int k) {
        if (vector == null) {
            throw new InvalidArgumentException("search.vector", "must not be null");
        }
        if (vector.length == 0 || vector.length > Record.MAX_DIMENSION) {
            throw new InvalidArgumentException("search.vector",
                    "dimension must be 1 to " + Record.MAX_DIMENSION + ", was " + vector.length);
        }
        float[] copy = vector.clone();
        for (int i = 0; i < copy.length; i++) {
            if (!Float.isFinite(copy[i])) {
                throw new InvalidArgumentException("search.vector[" + i + "]", "must be finite, was " + copy[i]);
            }
        }
        if (k < 1 || k > MAX_K) {
            throw new InvalidArgumentException("search.k", "must be 1 to " + MAX_K + ", was " + k);
        }
        return new SearchRequest(copy, k, null, null, 0, 0, false, true, true);
    }

    /**
     * @param filter metadata/document filter
     * @return a copy with the filter
     */
    public SearchRequest withFilter(Filter filter) {
        if (filter == null) {
            throw new InvalidArgumentException("search.filter", "must not be null (omit it for none)");
        }
        return new SearchRequest(vector, k, filter, consistency, asOfHlc, ef, includeVector, includeMetadata,
                includeDocument);
    }

    /**
     * @param consistency consistency level
     * @return a copy with the consistency level
     */
    public SearchRequest withConsistency(Consistency consistency) {
        if (consistency == null) {
            throw new InvalidArgumentException("search.consistency", "must not be null");
        }
        return new SearchRequest(vector, k, filter, consistency, asOfHlc, ef, includeVector, includeMetadata,
                includeDocument);
    }

    /**
     * Time travel: search the state as of {@code hlc} (within the version retention window).
     *
     * @param hlc a positive hybrid logical timestamp
     * @return a copy
     */
    public SearchRequest asOf(long hlc) {
        if (hlc <= 0) {
            throw new InvalidArgumentException("search.asOf", "must be a positive HLC, was " + hlc);
        }
        return new SearchRequest(vector, k, filter, consistency, hlc, ef, includeVector, includeMetadata,
                includeDocument);
    }

    /**
     * @param ef HNSW beam width for this query, 1..{@link IndexSpec.Hnsw#MAX_EF} (raised to k when smaller)
     * @return a copy
     */
    public SearchRequest withEf(int ef) {
        if (ef < 1 || ef > IndexSpec.Hnsw.MAX_EF) {
            throw new InvalidArgumentException("search.ef", "must be 1 to " + IndexSpec.Hnsw.MAX_EF + ", was " + ef);
        }
        return new SearchRequest(vector, k, filter, consistency, asOfHlc, ef, includeVector, includeMetadata,
                includeDocument);
    }

    /**
     * @param include whether hits carry the stored vector
     * @return a copy
     */
    public SearchRequest includeVector(boolean include) {
        return new SearchRequest(vector, k, filter, consistency, asOfHlc, ef, include, includeMetadata,
                includeDocument);
    }

    /**
     * @param include whether hits carry the metadata
     * @return a copy
     */
    public SearchRequest includeMetadata(boolean include) {
        return new SearchRequest(vector, k, filter, consistency, asOfHlc, ef, includeVector, include,
                includeDocument);
    }

    /**
     * @param include whether hits carry the document
     * @return a copy
     */
    public SearchRequest includeDocument(boolean include) {
        return new SearchRequest(vector, k, filter, consistency, asOfHlc, ef, includeVector, includeMetadata,
                include);
    }

    /** @return a copy of the query vector */
    public float[] vector() {
        return vector.clone();
    }

    /** @return the query's dimension */
    public int dimension() {
        return vector.length;
    }

    /** @return number of hits wanted */
    public int k() {
        return k;
    }

    /** @return the filter, if any */
    public Optional<Filter> filter() {
        return Optional.ofNullable(filter);
    }

    /** @return the consistency level, if set (else the database default) */
    public Optional<Consistency> consistency() {
        return Optional.ofNullable(consistency);
    }

    /** @return the as-of HLC, if set */
    public OptionalLong asOfHlc() {
        return asOfHlc > 0 ? OptionalLong.of(asOfHlc) : OptionalLong.empty();
    }

    /** @return the per-query ef, if set */
    public OptionalInt ef() {
        return ef > 0 ? OptionalInt.of(ef) : OptionalInt.empty();
    }

    /** @return whether hits carry the vector */
    public boolean includeVector() {
        return includeVector;
    }

    /** @return whether hits carry the metadata */
    public boolean includeMetadata() {
        return includeMetadata;
    }

    /** @return whether hits carry the document */
    public boolean includeDocument() {
        return includeDocument;
    }
}
