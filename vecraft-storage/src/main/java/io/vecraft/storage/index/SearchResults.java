package io.vecraft.storage.index;

/**
 * Hits of a {@link VectorIndex} search as primitive arrays, nearest first. Immutable after
 * construction and thread-safe.
 */
public final class SearchResults {

    /** No hits. */
    public static final SearchResults EMPTY = new SearchResults(new int[0], new float[0], 0);

    private final int[] ordinals;
    private final float[] distances;
    private final int size;

    SearchResults(int[] ordinals, float[] distances, int size) {
        this.ordinals = ordinals;
        this.distances = distances;
        this.size = size;
    }

    /** @return number of hits */
    public int size() {
        return size;
    }

    /**
     * @param i hit index, 0 is nearest
     * @return the hit's ordinal
     */
    public int ordinal(int i) {
        if (i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return ordinals[i];
    }

    /**
     * @param i hit index, 0 is nearest
     * @return the hit's distance as defined by {@link io.vecraft.api.Metric}
     */
    public float distance(int i) {
        if (i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return distances[i];
    }
}
