package io.vecraft.storage;

/**
 * Which stored fields a read loads.
 *
 * @param vector   load the vector
 * @param metadata load the metadata
 * @param document load the document
 */
public record Include(boolean vector, boolean metadata, boolean document) {
    /** Everything. */
    public static final Include ALL = new Include(true, true, true);
    /** Ids and distances only. */
    public static final Include NONE = new Include(false, false, false);
}
