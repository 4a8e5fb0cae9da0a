package io.vecraft.storage.index;

import io.vecraft.api.Metric;
import io.vecraft.storage.testing.Seeds;
import io.vecraft.storage.vector.VectorKernels;
import io.vecraft.storage.vector.VectorScorer;
import io.vecraft.storage.vector.VectorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readers running against the single writer of a {@link GraphVectorIndex} (inserts, removals and
 * re-adds of removed ordinals, which rewrite and prune neighbour lists) never fail and never see a
 * torn neighbour list: every snapshot of a list is duplicate-free, within the level's degree bound,
 * free of self-loops and names only nodes of at least that level; every search returns distinct
 * ordinals, sorted, with the distance their vectors have. Many short rounds, small M so that lists
 * fill and get pruned early and often.
 */
class GraphConcurrencyTest {

    static final int DIM = 4;
    static final int M = 4;

    @TempDir
    Path dir;

    @Test
    void readersNeverFailOrSeeTornListsDuringInsertsRemovesAndReAdds() throws Exception {
        Random rnd = Seeds.random("graphConcurrency");
        int rounds = Boolean.getBoolean("vecraft.test.long") ? 200 : 25;
        int n = 1500;
        AtomicInteger checkedLists = new AtomicInteger();
        for (int round = 0; round < rounds; round++) {
            Path file = dir.resolve("v" + round);
            try (VectorStore store = VectorStore.open(file, DIM, Metric.L2, 64 << 10)) {
                VectorScorer scorer = new VectorScorer(store, VectorKernels.preferred());
                GraphVectorIndex g = GraphVectorIndex.create(scorer, M, 16, 8, rnd.nextLong());
                AtomicInteger written = new AtomicInteger(); // ordinals below have a vector
                AtomicBoolean done = new AtomicBoolean();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                List<Thread> readers = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    long seed = rnd.nextLong();
                    boolean structural = t == 0;
                    Thread th = new Thread(() -> {
                        Random r = new Random(seed);
                        try {
                            while (!done.get() && failure.get() == null) {
                                int w = written.get();
                                if (structural) {
                                    checkLists(g, w, r, checkedLists);
                                } else {
                                    checkSearch(g, scorer, r);
                                }
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    }, "vecraft-test-graph-reader-" + t);
                    th.start();
                    readers.add(th);
                }
                try {
                    for (int i = 0; i < n; i++) {
                        store.write(i, Seeds.vector(rnd, DIM));
                        written.set(i + 1);
                        g.add(i);
                        if (i % 7 == 6) {
                            g.remove(i - 3); // tombstone an ordinal that is already linked
                        }
                        if (i % 50 == 49) { // reclaim the removed ones with new vectors
                            for (int o = 0; o <= i; o++) {
                                if (!g.contains(o)) {
                                    store.write(o, Seeds.vector(rnd, DIM));
                                    g.add(o);
                                }
                            }
                        }
                    }
                } finally {
                    done.set(true);
                    for (Thread th : readers) {
                        th.join(60_000);
                        assertFalse(th.isAlive(), "reader stuck");
                    }
                }
                assertNull(failure.get(), () -> "round " + failure.get());
            }
        }
        assertTrue(checkedLists.get() > 1000, "readers checked only " + checkedLists.get() + " lists");
    }

    private static void checkLists(GraphVectorIndex g, int written, Random r, AtomicInteger checked) {
        if (written == 0) {
            return;
        }
        for (int i = 0; i < 200; i++) {
            int o = r.nextInt(written);
            int lv = g.level(o);
            for (int l = 0; l <= lv; l++) {
                int[] nbs = g.neighbours(o, l);
                if (nbs.length > (l == 0 ? 2 * M : M)) {
                    throw new AssertionError("list of " + o + " on level " + l + " has " + nbs.length + " entries");
                }
                Set<Integer> seen = new HashSet<>();
                for (int nb : nbs) {
                    if (nb == o) {
                        throw new AssertionError("self loop at " + o);
                    }
                    if (!seen.add(nb)) {
                        throw new AssertionError("torn list: " + nb + " twice in the level-" + l + " list of " + o
                                + ": " + java.util.Arrays.toString(nbs));
                    }
                    if (g.level(nb) < l) {
                        throw new AssertionError("level-" + l + " list of " + o + " names " + nb + " of level "
                                + g.level(nb));
                    }
                }
                checked.incrementAndGet();
            }
        }
    }

    private static void checkSearch(GraphVectorIndex g, VectorScorer scorer, Random r) {
        float[] q = Seeds.vector(r, DIM);
        int held = g.size();
        SearchResults res = g.search(q, 10, 0, r.nextBoolean() ? null : o -> (o & 1) == 0);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < res.size(); i++) {
            if (!seen.add(res.ordinal(i))) {
                throw new AssertionError("ordinal " + res.ordinal(i) + " returned twice");
            }
            if (i > 0 && res.distance(i) < res.distance(i - 1)) {
                throw new AssertionError("results not sorted");
            }
        }
        if (held >= 60 && res.size() < 10) {
            // ordinals are added in order and at most ~8 are removed before they are re-added, so
            // 60 held means well over 10 even ones throughout the search
            throw new AssertionError("only " + res.size() + " hits with " + held + " held");
        }
    }
}
