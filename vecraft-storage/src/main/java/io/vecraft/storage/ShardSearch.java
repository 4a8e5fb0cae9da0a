package io.vecraft.storage;

import io.vecraft.api.Filter;

/**
 * A search against one shard.
 *
 * @param query   query vector of the shard's dimension (not retained, not modified)
 * @param k       number of hits wanted, at least 1
 * @param filter  metadata/document filter, or null for none
 * @param asOfHlc snapshot time T: only versions visible at T are returned
 * @param ef      HNSW beam width for this query, 0 for the index default (raised to k if smaller)
 * @param include which stored fields to return with each hit
 */
public record ShardSearch(float[] query, int k, Filter filter, long asOfHlc, int ef, Include include) {
}
