package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.AckLevel;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Durability;
import io.vecraft.api.Hlc;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.Session;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.api.WriteOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsistencyTest {
    private static final WriteOptions DURABLE = WriteOptions.defaults().withAckLevel(AckLevel.DURABLE);

    @TempDir
    Path dir;

    private Vecraft open(Duration waitTimeout) {
        return Vecraft.builder(dir).withDurability(Durability.ASYNC).withWaitTimeout(waitTimeout).open();
    }

    private static Record rec(String id, int version) {
        return Record.of(id, new float[] {version, 1}).withMetadata(Map.of("v", version));
    }

    @Test
    void strongReadSeesEveryWriteAcknowledgedBeforeIt() {
        try (Vecraft db = open(Duration.ofSeconds(30))) {
            Collection c = db.createCollection(CollectionSpec.of("c", 2).withShards(3));
            for (int i = 0; i < 300; i++) {
                c.upsert(rec("k" + (i % 7), i), DURABLE);
                Record r = c.get("k" + (i % 7), ReadOptions.defaults().withConsistency(Consistency.STRONG)).orElseThrow();
                assertEquals((long) i, r.metadata().get("v"), "STRONG get after write #" + i);
                long n = c.count(ReadOptions.defaults().withConsistency(Consistency.STRONG));
                assertEquals(Math.min(i + 1, 7), n);
            }
        }
    }

    @Test
    void anAppliedWriteIsVisibleToACollectionWideEventualReadRightAfter() {
        try (Vecraft db = open(Duration.ofSeconds(30))) {
            Collection c = db.createCollection(CollectionSpec.of("c", 2).withShards(4));
            for (int i = 0; i < 300; i++) {
                c.upsert(rec("id" + i, i));
                assertEquals(i + 1, c.count(ReadOptions.defaults().withConsistency(Consistency.EVENTUAL)),
                        "EVENTUAL count after APPLIED write #" + i + " (every shard's safe time passed it)");
            }
        }
    }

    @Test
    void readYourWritesSeesTheSessionsWrites() {
        try (Vecraft db = open(Duration.ofSeconds(30))) {
            Collection c = db.createCollection(CollectionSpec.of("c", 2).withShards(2));
            Session s = db.newSession();
            for (int i = 0; i < 300; i++) {
                Receipt r = c.upsert(rec("id" + i, i), DURABLE.withSession(s));
                assertTrue(s.lastWriteHlc() >= r.hlc());
                var hits = c.search(SearchRequest.of(new float[] {i, 1}, 1)
                        .withConsistency(Consistency.readYourWrites(s))).hits();
                assertEquals("id" + i, hits.get(0).id(), "RYW search after write #" + i);
            }
        }
    }

    @Test
    void eventualNeverBlocksWhileStrongWaitsAndTimesOutClearly() {
        try (Vecraft db = open(Duration.ofMillis(300))) {
            Collection c = db.createCollection(CollectionSpec.of("c", 2).withShards(1));
            c.upsert(rec("a", 1));
            CollectionRuntime rt = ((EmbeddedVecraft) db).runtime("c");
            ShardRuntime shard0 = (ShardRuntime) rt.shard(0);
            shard0.pauseApplying(true);
            try {
                c.upsert(rec("a", 2), DURABLE);
                long t0 = System.nanoTime();
                Record eventual = c.get("a", ReadOptions.defaults().withConsistency(Consistency.EVENTUAL)).orElseThrow();
                long tookMs = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(1L, eventual.metadata().get("v"), "EVENTUAL reads the applied snapshot");
                assertTrue(tookMs < 250, "EVENTUAL must not wait for the paused applier, took " + tookMs + " ms");
                c.get("a", ReadOptions.defaults().withConsistency(Consistency.bounded(Duration.ofHours(1))));

                VecraftTimeoutException e = assertThrows(VecraftTimeoutException.class,
                        () -> c.get("a", ReadOptions.defaults().withConsistency(Consistency.STRONG)));
                assertTrue(e.getMessage().contains("safe time"), e.getMessage());
                assertThrows(VecraftTimeoutException.class, () -> c.upsert(rec("b", 1)),
                        "an APPLIED write cannot be acknowledged while its shard is paused");
            } finally {
                shard0.pauseApplying(false);
            }
            assertEquals(2L, c.get("a", ReadOptions.defaults().withConsistency(Consistency.STRONG))
                    .orElseThrow().metadata().get("v"));
            assertTrue(c.get("b", ReadOptions.defaults().withConsistency(Consistency.STRONG)).isPresent(),
                    "a write that timed out waiting for APPLIED is still durable and applied later");
        }
    }

    @Test
    void boundedStalenessWaitsUntilFreshEnough() {
        try (Vecraft db = open(Duration.ofSeconds(30))) {
            Collection c = db.createCollection(CollectionSpec.of("c", 2));
            c.upsert(rec("a", 1), DURABLE);
            Record r = c.get("a", ReadOptions.defaults().withConsistency(Consistency.bounded(Duration.ZERO))).orElseThrow();
            assertEquals(1L, r.metadata().get("v"), "BOUNDED(0) is as fresh as the time of the read");
        }
    }

    @Test
    void asOfReadsSeeTheStateAtThatTime() {
        try (Vecraft db = open(Duration.ofSeconds(30))) {
            Collection c = db.createCollection(CollectionSpec.of("c", 2).withShards(2));
            Receipt r1 = c.upsert(rec("a", 1));
            Receipt r2 = c.upsert(rec("a", 2));
            Receipt r3 = c.delete("a");
            assertEquals(1L, c.get("a", ReadOptions.defaults().asOf(r1.hlc())).orElseThrow().metadata().get("v"));
            assertEquals(1L, c.get("a", ReadOptions.defaults().asOf(r2.hlc() - 1)).orElseThrow().metadata().get("v"));
            assertEquals(2L, c.get("a", ReadOptions.defaults().asOf(r2.hlc())).orElseThrow().metadata().get("v"));
            assertTrue(c.get("a", ReadOptions.defaults().asOf(r3.hlc())).isEmpty());
            assertTrue(c.get("a", ReadOptions.defaults().asOf(r1.hlc() - 1)).isEmpty());
            assertEquals(1, c.search(SearchRequest.of(new float[] {0, 0}, 5).asOf(r2.hlc())).size());
            assertEquals(0, c.search(SearchRequest.of(new float[] {0, 0}, 5).asOf(r3.hlc())).size());
            assertEquals(1, c.count(ReadOptions.defaults().asOf(r1.hlc())));

            long tooOld = Hlc.of(Instant.now().minus(Duration.ofHours(2)));
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> c.get("a", ReadOptions.defaults().asOf(tooOld)));
            assertEquals("asOf", e.field());
        }
    }
}
