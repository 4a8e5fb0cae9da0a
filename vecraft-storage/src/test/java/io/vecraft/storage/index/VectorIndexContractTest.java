package io.vecraft.storage.index;

import io.vecraft.api.Metric;
import io.vecraft.storage.testing.Seeds;
import io.vecraft.storage.vector.VectorKernels;
import io.vecraft.storage.vector.VectorScorer;
import io.vecraft.storage.vector.VectorStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The behaviour every {@link VectorIndex} implementation must have. */
abstract class VectorIndexContractTest {

    static final int DIM = 8;

    @TempDir
    Path dir;
    VectorStore store;
    VectorScorer scorer;
    Random rnd;

    /**
     * @param scorer the scorer over the test store
     * @return a fresh empty index with a small initial capacity (so tests exercise growth)
     */
    abstract VectorIndex create(VectorScorer scorer);

    @BeforeEach
    void openStore() {
        store = VectorStore.open(dir.resolve("vectors.dat"), DIM, Metric.L2, 64 << 10);
        scorer = new VectorScorer(store, VectorKernels.preferred());
        rnd = Seeds.random(getClass().getSimpleName());
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    VectorIndex filled(int n) {
        VectorIndex index = create(scorer);
        for (int i = 0; i < n; i++) {
            store.write(i, Seeds.vector(rnd, DIM));
            index.add(i);
        }
        return index;
    }

    static SearchResults exact(VectorScorer scorer, float[] q, int k, int n, IntPredicate accept) {
        TopK top = new TopK(k);
        for (int o = 0; o < n; o++) {
            if (accept == null || accept.test(o)) {
                top.offer(o, scorer.score(q, o));
            }
        }
        return top.toResults(scorer);
    }

    @Test
    void emptyIndexReturnsNoHits() {
        try (VectorIndex index = create(scorer)) {
            assertEquals(0, index.search(new float[DIM], 5, 0, null).size());
            assertEquals(0, index.size());
        }
    }

    @Test
    void returnsExactlyMinOfKAndAcceptedOrdinalsNearestFirst() {
        try (VectorIndex index = filled(600)) {
            IntPredicate every7th = o -> o % 7 == 0; // 86 accepted
            for (int k : new int[] {1, 10, 86, 200}) {
                float[] q = Seeds.vector(rnd, DIM);
                SearchResults r = index.search(q, k, 0, every7th);
                assertEquals(Math.min(k, 86), r.size(), "k=" + k);
                for (int i = 0; i < r.size(); i++) {
                    assertTrue(every7th.test(r.ordinal(i)));
                    assertEquals(scorer.distance(scorer.score(q, r.ordinal(i))), r.distance(i), 1e-5);
                    if (i > 0) {
                        assertTrue(r.distance(i - 1) <= r.distance(i), "sorted");
                    }
                }
            }
            SearchResults none = index.search(Seeds.vector(rnd, DIM), 10, 0, o -> false);
            assertEquals(0, none.size());
        }
    }

    @Test
    void findsTheExactNearestNeighbourOfStoredVectors() {
        try (VectorIndex index = filled(500)) {
            int found = 0;
            for (int t = 0; t < 50; t++) {
                int target = rnd.nextInt(500);
                float[] q = store.read(target);
                SearchResults r = index.search(q, 1, 0, null);
                if (r.ordinal(0) == target) {
                    found++;
                }
                assertEquals(0f, r.distance(0), 1e-6);
            }
            assertTrue(found >= 49, "self-recall " + found + "/50");
        }
    }

    @Test
    void removedOrdinalsAreNeverReturnedAndMayBeAddedAgain() {
        try (VectorIndex index = filled(300)) {
            for (int o = 0; o < 300; o += 2) {
                index.remove(o);
            }
            assertEquals(150, index.size());
            assertFalse(index.contains(0));
            assertTrue(index.contains(1));
            SearchResults r = index.search(Seeds.vector(rnd, DIM), 300, 0, null);
            assertEquals(150, r.size());
            for (int i = 0; i < r.size(); i++) {
                assertEquals(1, r.ordinal(i) % 2);
            }
            float[] moved = new float[DIM];
            java.util.Arrays.fill(moved, 5f);
            store.write(0, moved);
            index.add(0);
            assertTrue(index.contains(0));
            SearchResults near = index.search(moved, 1, 0, null);
            assertEquals(0, near.ordinal(0));
            assertEquals(0f, near.distance(0), 1e-6);
        }
    }

    @Test
    void concurrentSearchesDuringAddsSeeOnlyAddedOrdinalsAndNeverFail() throws Exception {
        int n = 3000;
        float[][] vs = new float[n][];
        for (int i = 0; i < n; i++) {
            vs[i] = Seeds.vector(rnd, DIM);
        }
        try (VectorIndex index = create(scorer)) {
            AtomicInteger added = new AtomicInteger();   // add() returned for ordinals below
            AtomicInteger adding = new AtomicInteger();  // add() called for ordinals below
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                long seed = rnd.nextLong();
                Thread th = new Thread(() -> {
                    Random r = new Random(seed);
                    try {
                        while (added.get() < n && failure.get() == null) {
                            int before = added.get();
                            SearchResults res = index.search(Seeds.vector(r, DIM), 10, 0, null);
                            int after = adding.get();
                            if (res.size() < Math.min(10, before)) {
                                throw new AssertionError("got " + res.size() + " hits with " + before + " added");
                            }
                            for (int i = 0; i < res.size(); i++) {
                                if (res.ordinal(i) >= after) {
                                    throw new AssertionError("ordinal " + res.ordinal(i) + " returned before add()");
                                }
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "vecraft-test-reader-" + t);
                th.start();
                readers.add(th);
            }
            for (int i = 0; i < n; i++) {
                store.write(i, vs[i]);
                adding.set(i + 1);
                index.add(i);
                added.set(i + 1);
            }
            for (Thread th : readers) {
                th.join(60_000);
                assertFalse(th.isAlive(), "reader stuck");
            }
            assertNull(failure.get(), () -> "reader failed: " + failure.get());
            assertEquals(n, index.size());
        }
    }
}
