package io.vecraft.storage;

import java.util.Map;

/**
 * One search hit.
 *
 * @param id         record id
 * @param distance   distance as defined by {@link io.vecraft.api.Metric}
 * @param createdHlc HLC of the returned version
 * @param vector     the stored vector if requested, else null (COSINE: the normalised vector)
 * @param metadata   the metadata if requested, else null
 * @param document   the document if requested and present, else null
 */
public record ShardHit(String id, float distance, long createdHlc, float[] vector, Map<String, Object> metadata,
                       String document) {
}
