package io.vecraft.api;

/** When a write returns. */
public enum AckLevel {
    /**
     * After the journal holds the write durably (per the durability mode) and every shard it
     * touches has applied it, so any later read, even {@link Consistency#EVENTUAL}, sees it.
     * The default.
     */
    APPLIED,
    /**
     * As soon as the journal holds the write durably; shards apply it shortly after. For bulk
     * ingest. Reads see it with {@link Consistency#STRONG} or {@link Consistency#readYourWrites}.
     */
    DURABLE
}
