package io.vecraft.api;

import java.util.List;

/**
 * Result of a search: the hits, nearest first, and the snapshot they were read at.
 *
 * @param hits        at most k hits, exactly {@code min(k, matching records)}, nearest first; unmodifiable
 * @param snapshotHlc the snapshot time T every shard was searched at
 */
public record SearchResult(List<SearchHit> hits, long snapshotHlc) {
    /** Copies the hit list. */
    public SearchResult {
        hits = List.copyOf(hits);
    }

    /** @return the number of hits */
    public int size() {
        return hits.size();
    }
}
