package io.vecraft.cluster.spi;

import io.vecraft.api.Filter;

/**
 * A search against one shard replica.
 *
 * @param vector      query vector
 * @param k           hits wanted
 * @param filter      filter, or null for none
 * @param snapshotHlc snapshot time
 * @param ef          HNSW beam width, 0 for the index default
 * @param withVector  return stored vectors
 * @param withMetadata return metadata
 * @param withDocument return documents
 */
public record ReplicaQuery(float[] vector, int k, Filter filter, long snapshotHlc, int ef, boolean withVector,
                           boolean withMetadata, boolean withDocument) {
}
