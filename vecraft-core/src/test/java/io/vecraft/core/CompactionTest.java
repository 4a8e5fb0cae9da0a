package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.CompactionStats;
import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Record;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.SearchResult;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compactor gives space back (purged versions out of the HNSW, slots packed, payload log
 * compacted), keeps every retained version readable, swaps rewritten shards in while searches go
 * on, and survives a reopen.
 */
class CompactionTest {
    private static final int DIM = 64;
    private static final int N = 10_000;
    private static final io.vecraft.api.IndexSpec HNSW = io.vecraft.api.IndexSpec.hnsw(8, 48, 64);

    @TempDir
    Path tmp;

    private static Vecraft open(Path dir) {
        return Vecraft.builder(dir).withDurability(Durability.ASYNC).withVersionRetention(Duration.ZERO)
                .withCompactionInterval(Duration.ZERO).withCheckpointInterval(Duration.ofDays(1))
                .withMaxEntryBytes(1 << 20).open();
    }

    private static void upsertAll(Collection docs, List<Record> records) {
        for (int i = 0; i < records.size(); i += 100) {
            docs.upsert(records.subList(i, Math.min(records.size(), i + 100)));
        }
    }

    private static Record record(int i, float[][] vectors) {
        return Record.of("r" + i, vectors[i], Map.of("i", (long) i, "tag", "t" + (i % 10)),
                "document number " + i + " with some text to make the payload log grow");
    }

    /**
     * Disk use of the shard data (collections/) measured on real files: the sum of the allocated sizes
     * (st_blocks * 512, which counts only the written pages of sparse and mapped files) of every regular
     * file. The apparent size (file lengths) is printed too but not used: mapped files are extended by whole
     * chunks.
     */
    private static long allocatedBytes(Path dir) throws IOException {
        long n = 0;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    n += blocks(p) * 512L;
                }
            }
        }
        return n;
    }

    private static long blocks(Path p) throws IOException {
        Process proc = new ProcessBuilder("stat", "-c", "%b", p.toString()).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes()).trim();
        try {
            if (proc.waitFor() != 0) {
                throw new IOException("stat failed on " + p + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return Long.parseLong(out);
    }

    private static void dump(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    System.out.println(dir.relativize(p) + " apparent " + Files.size(p) + " allocated " + blocks(p) * 512);
                }
            }
        }
    }

    private static long apparentBytes(Path dir) throws IOException {
        long n = 0;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    n += Files.size(p);
                }
            }
        }
        return n;
    }

    @Test
    void afterDeletingNinetyPercentCompactionBringsDiskUseWithinOneAndAHalfOfAFreshLoad() throws IOException {
        SplittableRandom rnd = TestSeeds.random("CompactionTest.space", 0);
        float[][] vectors = TestVectors.clustered(rnd, N, DIM, 20);
        Path data = tmp.resolve("data");
        Path fresh = tmp.resolve("fresh");
        List<Integer> survivors = new ArrayList<>();
        long before;
        long after;
        CompactionStats stats;
        try (Vecraft db = open(data)) {
            Collection docs = db.createCollection(CollectionSpec.of("docs", DIM).withIndex(HNSW).withShards(2));
            List<Record> batch = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                batch.add(record(i, vectors));
                if (batch.size() == 100) {
                    docs.upsert(batch);
                    batch.clear();
                }
            }
            List<String> deletes = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                if (i % 10 == 0) {
                    survivors.add(i);
                } else {
                    deletes.add("r" + i);
                }
            }
            for (int i = 0; i < deletes.size(); i += 500) {
                docs.delete(deletes.subList(i, Math.min(deletes.size(), i + 500)));
            }
            db.checkpoint();
            before = allocatedBytes(data.resolve("collections"));
            stats = db.compact();
            after = allocatedBytes(data.resolve("collections"));
            if (Boolean.getBoolean("vecraft.test.du")) {
                dump(data.resolve("collections"));
            }
            assertEquals(N - survivors.size(), stats.versionsPurged(), stats.toString());
            assertEquals(2, stats.shardsRewritten(), stats.toString());
            assertTrue(stats.bytesReclaimed() > 0, stats.toString());
            assertEquals(stats.runs(), db.compactionStats().runs());
            checkSurvivors(docs, survivors, vectors);
            assertTrue(docs.get("r1").isEmpty());
        }
        long freshBytes;
        try (Vecraft db = open(fresh)) {
            Collection docs = db.createCollection(CollectionSpec.of("docs", DIM).withIndex(HNSW).withShards(2));
            List<Record> batch = new ArrayList<>();
            for (int i : survivors) {
                batch.add(record(i, vectors));
            }
            upsertAll(docs, batch);
            db.checkpoint();
            db.checkpoint(); // as many checkpoints retained as the compacted database (2 per shard)
            freshBytes = allocatedBytes(fresh.resolve("collections"));
        }
        double ratioBefore = (double) before / freshBytes;
        double ratio = (double) after / freshBytes;
        System.out.printf("shard data allocated bytes: before compaction %d, after %d, fresh load of the %d survivors "
                        + "%d; ratio before %.2f, after %.2f (apparent sizes: after %d, fresh %d; whole directory "
                        + "with journal: after %d, fresh %d)%n", before, after, survivors.size(), freshBytes,
                ratioBefore, ratio, apparentBytes(data.resolve("collections")),
                apparentBytes(fresh.resolve("collections")), allocatedBytes(data), allocatedBytes(fresh));
        if (Boolean.getBoolean("vecraft.test.du")) {
            dump(data.resolve("collections"));
            dump(fresh.resolve("collections"));
        }
        assertTrue(ratioBefore > 3, "the deleted data took real space before compaction: ratio " + ratioBefore);
        assertTrue(ratio <= 1.5, "after compaction shard data is " + ratio + "x a fresh load of the survivors");
        // everything survives a reopen (journal replay starts from the rewritten shards' positions)
        try (Vecraft db = open(data)) {
            Collection docs = db.collection("docs");
            checkSurvivors(docs, survivors, vectors);
            docs.upsert(record(1, vectors)); // a reused id after compaction
            assertEquals(survivors.size() + 1, docs.count());
        }
        assertTrue(Vecraft.verify(data).ok(), Vecraft.verify(data).toString());
    }

    private static void checkSurvivors(Collection docs, List<Integer> survivors, float[][] vectors) {
        assertEquals(survivors.size(), docs.count());
        for (int i : survivors) {
            assertEquals(record(i, vectors), docs.get("r" + i).orElseThrow(), "r" + i);
        }
        int found = 0;
        for (int j = 0; j < 50; j++) {
            int i = survivors.get(j * 7 % survivors.size());
            SearchResult r = docs.search(SearchRequest.of(vectors[i], 5));
            assertEquals(5, r.hits().size());
            if (r.hits().get(0).id().equals("r" + i)) {
                found++;
            }
        }
        assertTrue(found >= 48, "a survivor is its own nearest neighbour: " + found + "/50");
    }

    @Test
    void searchesGoOnWhileShardsAreRewrittenAndSwappedIn() throws Exception {
        SplittableRandom rnd = TestSeeds.random("CompactionTest.concurrent", 0);
        int n = 3000;
        float[][] vectors = TestVectors.clustered(rnd, n, DIM, 10);
        Path data = tmp.resolve("data");
        try (Vecraft db = open(data)) {
            Collection docs = db.createCollection(CollectionSpec.of("docs", DIM).withIndex(HNSW).withShards(2));
            List<Record> batch = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                batch.add(record(i, vectors));
            }
            upsertAll(docs, batch);
            List<String> deletes = new ArrayList<>();
            for (int i = 1; i < n; i += 2) {
                deletes.add("r" + i);
            }
            docs.delete(deletes);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger searches = new AtomicInteger();
            AtomicReference<Throwable> error = new AtomicReference<>();
            Thread searcher = new Thread(() -> {
                SplittableRandom q = new SplittableRandom(1);
                try {
                    while (!stop.get()) {
                        int i = q.nextInt(n / 2) * 2;
                        SearchResult r = docs.search(SearchRequest.of(vectors[i], 10));
                        if (r.hits().size() != 10) {
                            throw new AssertionError("search returned " + r.hits().size() + " hits");
                        }
                        for (var h : r.hits()) {
                            if (Integer.parseInt(h.id().substring(1)) % 2 == 1) {
                                throw new AssertionError("deleted record " + h.id() + " returned");
                            }
                        }
                        searches.incrementAndGet();
                    }
                } catch (Throwable t) {
                    error.set(t);
                }
            });
            searcher.start();
            CompactionStats s;
            int during;
            try {
                while (searches.get() < 20 && error.get() == null) {
                    Thread.onSpinWait();
                }
                int at = searches.get();
                s = db.compact();
                during = searches.get() - at;
                at = searches.get();
                while (searches.get() < at + 20 && error.get() == null) {
                    Thread.onSpinWait();
                }
            } finally {
                stop.set(true);
                searcher.join();
            }
            assertNull(error.get(), () -> "search failed during compaction: " + error.get());
            assertEquals(2, s.shardsRewritten(), s.toString());
            assertTrue(during > 0, "searches ran while the shards were rewritten: " + during);
            System.out.println("searches completed during the compaction run: " + during + " (" + s + ")");
            assertEquals(n / 2, docs.count());
        }
    }

    /**
     * An EVENTUAL read of a collection reads at its slowest shard's safe time. With a shard lagging (paused here),
     * that time is before an update the other shard has applied; purging the superseded version there (zero
     * version retention) used to make the record vanish from such reads, a state that never existed. The
     * compactor keeps its horizon at or below the collection's slowest safe time.
     */
    @Test
    void purgingNeverRemovesAVersionAnEventualReadOfALaggingCollectionStillSees() {
        SplittableRandom rnd = TestSeeds.random("CompactionTest.lagging", 0);
        try (Vecraft db = open(tmp.resolve("data"))) {
            Collection docs = db.createCollection(CollectionSpec.of("docs", DIM).withIndex(io.vecraft.api.IndexSpec.exact())
                    .withShards(2));
            CollectionRuntime rt = ((EmbeddedVecraft) db).collections().get("docs");
            String x = "x";
            String other = null;
            for (int i = 0; other == null; i++) {
                if (rt.shardOf("y" + i) != rt.shardOf(x)) {
                    other = "y" + i;
                }
            }
            float[] v1 = TestVectors.random(rnd, DIM);
            float[] v2 = TestVectors.random(rnd, DIM);
            docs.upsert(Record.of(x, v1));
            docs.upsert(Record.of(other, TestVectors.random(rnd, DIM)));
            ShardRuntime lagging = (ShardRuntime) rt.shard(rt.shardOf(other));
            lagging.pauseApplying(true);
            try {
                docs.upsert(Record.of(x, v2), io.vecraft.api.WriteOptions.defaults()
                        .withAckLevel(io.vecraft.api.AckLevel.DURABLE));
                // a STRONG get reads x's shard only: it waits until that shard applied the update
                assertEquals(v2[0], docs.get(x, io.vecraft.api.ReadOptions.defaults()
                        .withConsistency(io.vecraft.api.Consistency.STRONG)).orElseThrow().vector()[0]);
                io.vecraft.api.ReadOptions eventual = io.vecraft.api.ReadOptions.defaults()
                        .withConsistency(io.vecraft.api.Consistency.EVENTUAL);
                io.vecraft.api.SearchRequest q = io.vecraft.api.SearchRequest.of(v1, 1)
                        .withConsistency(io.vecraft.api.Consistency.EVENTUAL);
                assertEquals(2, docs.count(eventual));
                assertEquals(x, docs.search(q).hits().get(0).id(), "at the lagging time x is still its first version");
                assertEquals(0f, docs.search(q).hits().get(0).distance(), 1e-6f);
                CompactionStats s = db.compact();
                assertEquals(2, docs.count(eventual), "after compaction " + s);
                var hits = docs.search(q).hits();
                assertEquals(x, hits.get(0).id(), "x is still served at the lagging time after compaction " + s);
                assertEquals(0f, hits.get(0).distance(), 1e-6f);
            } finally {
                lagging.pauseApplying(false);
            }
            // caught up: the next run purges the superseded version
            assertEquals(2, docs.count(io.vecraft.api.ReadOptions.defaults()
                    .withConsistency(io.vecraft.api.Consistency.STRONG)));
            assertTrue(db.compact().versionsPurged() >= 1, "the superseded version of x goes once nobody can read it");
            assertEquals(1, docs.history(x).size());
        }
    }

    @Test
    void aRewriteKeepsEveryRetainedVersionAndTombstone() {
        SplittableRandom rnd = TestSeeds.random("CompactionTest.history", 0);
        float[][] vectors = TestVectors.clustered(rnd, 300, DIM, 5);
        Path data = tmp.resolve("data");
        try (Vecraft db = Vecraft.builder(data).withDurability(Durability.ASYNC)
                .withVersionRetention(Duration.ofHours(1)).withCompactionInterval(Duration.ZERO)
                .withMaxEntryBytes(1 << 20).open()) {
            Collection docs = db.createCollection(CollectionSpec.of("docs", DIM).withIndex(HNSW).withShards(1));
            List<Record> batch = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                batch.add(record(i, vectors));
            }
            upsertAll(docs, batch);
            docs.upsert(Record.of("r5", vectors[6], Map.of("v", 2L), null)); // a second version
            long beforeDelete = db.now();
            docs.delete("r7");
            docs.upsert(Record.of("r9", vectors[10], Map.of("v", 3L), "again"));
            docs.delete("r9");
            Map<String, Object> historyBefore = new java.util.TreeMap<>();
            for (int i = 0; i < 300; i++) {
                historyBefore.put("r" + i, docs.history("r" + i));
            }
            // the compactor only rewrites shards with free slots; force one rewrite of this shard
            EmbeddedVecraft e = (EmbeddedVecraft) db;
            CollectionRuntime rt = e.collections().get("docs");
            ShardRuntime sr = (ShardRuntime) rt.shards()[0];
            io.vecraft.storage.Shard old = sr.store();
            sr.runOnApplier(store -> {
                Compactor.rewrite(sr, store, rt.directory().resolve("shard-0"));
                return null;
            }, System.nanoTime() + Duration.ofMinutes(1).toNanos(), "rewrite");
            assertTrue(old != sr.store(), "the store was swapped");
            for (int i = 0; i < 300; i++) {
                assertEquals(historyBefore.get("r" + i), docs.history("r" + i), "history of r" + i);
            }
            assertEquals(record(7, vectors), docs.get("r7", io.vecraft.api.ReadOptions.defaults().asOf(beforeDelete))
                    .orElseThrow(), "an as-of read before the delete still sees the version");
            assertFalse(docs.get("r7").isPresent());
            assertFalse(docs.get("r9").isPresent());
            assertEquals(298, docs.count());
            // new writes go to the rewritten store and survive a reopen
            docs.upsert(record(7, vectors));
        }
        try (Vecraft db = open(data)) {
            assertEquals(299, db.collection("docs").count());
        }
    }

    @Test
    void theBackgroundCompactorRunsAtItsIntervalAndReportsWhatItDid() {
        SplittableRandom rnd = TestSeeds.random("CompactionTest.background", 0);
        float[][] vectors = TestVectors.clustered(rnd, 400, DIM, 4);
        Path data = tmp.resolve("data");
        try (Vecraft db = Vecraft.builder(data).withDurability(Durability.ASYNC).withVersionRetention(Duration.ZERO)
                .withCompactionInterval(Duration.ofSeconds(1)).withMaxEntryBytes(1 << 20).open()) {
            Collection docs = db.createCollection(CollectionSpec.of("docs", DIM).withIndex(HNSW).withShards(1));
            List<Record> batch = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                batch.add(record(i, vectors));
            }
            upsertAll(docs, batch);
            List<String> deletes = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                deletes.add("r" + i);
            }
            docs.delete(deletes);
            assertTrue(Await.until(() -> db.compactionStats().shardsRewritten() >= 1, Duration.ofSeconds(30)),
                    "a background run rewrote the shard: " + db.compactionStats());
            CompactionStats total = db.compactionStats();
            assertTrue(total.runs() >= 1 && total.versionsPurged() >= 300 && total.lastRunEpochMillis() > 0,
                    total.toString());
            assertEquals(100, docs.count());
        }
    }

    @Test
    void compactionSettingsAreValidatedNamingTheField() {
        var b = VecraftConfig.builder(tmp);
        InvalidArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidArgumentException.class,
                () -> b.withCompactionThreshold(1.5).build());
        assertTrue(e.getMessage().contains("compactionThreshold"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(InvalidArgumentException.class,
                () -> VecraftConfig.builder(tmp).withCompactionInterval(Duration.ofMillis(5)).build());
        assertTrue(e.getMessage().contains("compactionInterval"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(InvalidArgumentException.class,
                () -> VecraftConfig.builder(tmp).withJournalRetention(Duration.ofSeconds(-1)).build());
        assertTrue(e.getMessage().contains("journalRetention"), e.getMessage());
    }
}
