package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Durability;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.Record;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.Vecraft;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The APPLIED acknowledgement promise (README, "Consistency model"): once a write returns, a plain read at
 * the default EVENTUAL consistency sees it, also on a collection with many shards. An EVENTUAL read runs at
 * the minimum safe time of all the collection's shards, so the acknowledgement waits for every shard of the
 * collection, not only the one holding the record (regression: it waited for the record's shard only, and
 * the count and searches below missed the write while another shard's safe time lagged).
 */
class AckLevelTest {
    @TempDir
    Path dir;

    @Test
    void appliedWriteIsVisibleToEventualReadsOnEveryShard() {
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.ASYNC).withMaxEntryBytes(1 << 20).open()) {
            Collection c = db.createCollection(CollectionSpec.of("c", KillWorkload.DIMENSION)
                    .withIndex(IndexSpec.exact()).withShards(8));
            for (int i = 0; i < 150; i++) {
                Record r = KillWorkload.record("a" + i, 0, "r" + i);
                c.upsert(r);
                assertEquals(i + 1, c.count(), "count right after write " + i);
                assertEquals(r.id(), c.search(SearchRequest.of(r.vector(), 1)).hits().get(0).id(),
                        "search right after write " + i);
            }
            for (int i = 0; i < 50; i++) {
                c.delete("r" + i);
                assertEquals(149 - i, c.count(), "count right after delete " + i);
            }
        }
    }
}
