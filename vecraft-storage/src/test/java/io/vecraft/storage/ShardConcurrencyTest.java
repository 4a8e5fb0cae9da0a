package io.vecraft.storage;

import io.vecraft.api.Filter;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.Metric;
import io.vecraft.storage.testing.Seeds;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readers running concurrently with the writer (upserts, deletes, checkpoints, purges, graph
 * growth) never see a half-applied version: every record read at a snapshot time up to the
 * applied HLC is complete and consistent (its vector, metadata and document were written by
 * the same operation), each id appears once, and the live-record count is exact.
 */
class ShardConcurrencyTest {

    static final int IDS = 100;
    static final int DIM = 8;

    @TempDir
    Path dir;

    /** The vector of version {@code gen} of record {@code id}: the operation is recoverable from it. */
    static float[] vector(int id, long gen) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) (Math.sin(id * 31 + gen * 7 + i) * 10);
        }
        v[0] = id;
        v[1] = gen;
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"graph", "hnswlib", "exact"})
    void readersNeverSeeHalfAppliedState(String kind) throws Exception {
        Random rnd = Seeds.random("concurrentReaders " + kind);
        IndexSpec spec = kind.equals("exact") ? IndexSpec.exact() : IndexSpec.hnsw(8, 32, 16);
        HnswImplementation impl = kind.equals("hnswlib") ? HnswImplementation.HNSWLIB : HnswImplementation.GRAPH;
        ShardConfig config = ShardConfig.builder(dir, DIM, Metric.L2).withIndex(spec).withHnswImplementation(impl)
                .withInitialCapacity(16)
                .withVectorChunkBytes(64 << 10).withPayloadChunkBytes(64 << 10).build();
        AtomicLong applied = new AtomicLong(0); // HLC up to which every operation is complete
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        // Retention, as core enforces it: the writer purges only below every snapshot a reader is
        // using. Readers publish their snapshot time, then check the horizon (Dekker-style, so
        // either the writer sees the reader's time or the reader sees the new horizon).
        AtomicLong horizon = new AtomicLong(0);
        java.util.concurrent.atomic.AtomicLongArray inUse = new java.util.concurrent.atomic.AtomicLongArray(2);
        inUse.set(0, Long.MAX_VALUE);
        inUse.set(1, Long.MAX_VALUE);
        long[] liveAt = new long[20_000];
        try (Shard s = Shard.open(config)) {
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                long seed = rnd.nextLong();
                int slot = r;
                Thread t = new Thread(() -> read(s, seed, applied, liveAt, failure, reads, horizon, inUse, slot),
                        "vecraft-test-reader-" + r);
                t.start();
                readers.add(t);
            }
            boolean[] live = new boolean[IDS];
            long liveCount = 0;
            long hlc = 0;
            for (int op = 0; op < 6000 && failure.get() == null; op++) {
                hlc++;
                int id = rnd.nextInt(IDS);
                OpStamp stamp = new OpStamp(hlc, op, 0, "r", 0);
                if (rnd.nextInt(5) > 0) {
                    s.upsert("id" + id, vector(id, hlc), Map.of("gen", hlc, "id", (long) id), "gen " + hlc, stamp);
                    if (!live[id]) {
                        live[id] = true;
                        liveCount++;
                    }
                } else if (s.delete("id" + id, stamp)) {
                    live[id] = false;
                    liveCount--;
                }
                liveAt[(int) hlc] = liveCount;
                applied.set(hlc);
                if (op % 1500 == 1499) {
                    s.checkpoint();
                    long before = hlc - 500;
                    horizon.set(before);
                    before = Math.min(before, Math.min(inUse.get(0), inUse.get(1)));
                    s.purge(before);
                }
            }
            applied.set(Long.MAX_VALUE); // tells readers to stop
            for (Thread t : readers) {
                t.join(120_000);
                assertFalse(t.isAlive(), "reader stuck");
            }
        }
        assertNull(failure.get(), () -> "reader saw inconsistent state: " + failure.get());
        System.out.println(kind + ": " + reads.get() + " consistent read rounds during 6000 writes");
        assertTrue(reads.get() >= 20, "readers ran concurrently with the writer: " + reads.get());
    }

    private static String createdOfLive(Shard s) {
        StringBuilder b = new StringBuilder();
        for (int id = 0; id < IDS && b.length() < 600; id++) {
            var v = s.get("id" + id, Long.MAX_VALUE - 1, Include.NONE);
            if (v.isPresent()) {
                b.append(id).append('@').append(v.get().createdHlc()).append(' ');
            }
        }
        return b.toString();
    }

    private static void read(Shard s, long seed, AtomicLong applied, long[] liveAt, AtomicReference<Throwable> failure,
                             AtomicLong reads, AtomicLong horizon, java.util.concurrent.atomic.AtomicLongArray inUse,
                             int slot) {
        Random rnd = new Random(seed);
        try {
            while (failure.get() == null) {
                long t = applied.get();
                if (t == Long.MAX_VALUE) {
                    return;
                }
                if (t < 10) {
                    Thread.onSpinWait();
                    continue;
                }
                long at = Math.max(1, t - rnd.nextInt(400));
                inUse.set(slot, at);
                if (at < horizon.get()) { // purged meanwhile: a read below retention
                    inUse.set(slot, Long.MAX_VALUE);
                    continue;
                }
                Filter filter = rnd.nextBoolean() ? null : Filter.gte("id", 0);
                ShardSearch request = new ShardSearch(vector(rnd.nextInt(IDS), rnd.nextInt(1000)), 200, filter, at, 0,
                        Include.ALL);
                List<ShardHit> hits = s.search(request);
                if (hits.size() != liveAt[(int) at]) {
                    throw new AssertionError("search at " + at + " (writer at " + t + ", filter " + filter
                            + ") returned " + hits.size() + " records, " + liveAt[(int) at] + " were live; count "
                            + s.count(at) + ", same search again " + s.search(request).size() + "; count at t " + s.count(t)
                            + " (live " + liveAt[(int) t] + "), count at max " + s.count(Long.MAX_VALUE - 1) + ", count at "
                            + (at - 50) + " " + s.count(at - 50) + " (live " + liveAt[(int) Math.max(1, at - 50)] + "), stats "
                            + s.stats() + ", created of live records " + createdOfLive(s));
                }
                Set<String> seen = new HashSet<>();
                for (ShardHit h : hits) {
                    if (!seen.add(h.id())) {
                        throw new AssertionError("id " + h.id() + " twice at " + at);
                    }
                    long gen = (long) h.vector()[1];
                    int id = (int) h.vector()[0];
                    if (!h.id().equals("id" + id) || gen != h.createdHlc() || !h.metadata().equals(Map.of("gen", gen, "id", (long) id))
                            || !h.document().equals("gen " + gen) || gen > at) {
                        throw new AssertionError("half-applied or foreign version at " + at + ": " + h);
                    }
                }
                String id = "id" + rnd.nextInt(IDS);
                s.get(id, at, Include.ALL).ifPresent(v -> {
                    if (v.vector()[1] != v.createdHlc() || !v.document().equals("gen " + v.createdHlc())) {
                        throw new AssertionError("half-applied get " + v);
                    }
                });
                assertEquals(liveAt[(int) at], s.count(at));
                inUse.set(slot, Long.MAX_VALUE);
                reads.incrementAndGet();
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }
}
