package io.vecraft.api;

import java.util.Map;
import java.util.Optional;

/**
 * One search result.
 *
 * @param id         record id
 * @param distance   distance to the query as defined by the collection's {@link Metric}; smaller is nearer
 * @param versionHlc HLC of the version returned (when it was written)
 * @param vector     the stored vector, when requested (COSINE collections store it normalised)
 * @param metadata   the metadata when requested, else empty
 * @param document   the document when requested and present
 */
public record SearchHit(String id, float distance, long versionHlc, Optional<float[]> vector,
                        Map<String, Object> metadata, Optional<String> document) {
}
