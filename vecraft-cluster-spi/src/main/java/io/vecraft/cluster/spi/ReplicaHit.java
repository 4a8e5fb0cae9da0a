package io.vecraft.cluster.spi;

import java.util.Map;

/**
 * One search hit from a replica. Fields not requested are null (vector, document) or empty (metadata).
 *
 * @param id         record id
 * @param distance   distance per the collection's metric
 * @param versionHlc HLC of the version returned
 * @param vector     stored vector or null
 * @param metadata   metadata, empty if not requested
 * @param document   document or null
 */
public record ReplicaHit(String id, float distance, long versionHlc, float[] vector, Map<String, Object> metadata,
                         String document) {
}
