package io.vecraft.storage.index;

import io.vecraft.api.Metric;
import io.vecraft.storage.testing.Seeds;
import io.vecraft.storage.vector.VectorKernels;
import io.vecraft.storage.vector.VectorScorer;
import io.vecraft.storage.vector.VectorStore;
import io.vecraft.storage.vector.Vectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property: {@link GraphVectorIndex} recall@10 against exact search is at least 0.95 on clustered
 * 5,000 x 64 data (M=16, efConstruction=200, default ef=64), for L2, COSINE and DOT (DOT on
 * unit vectors, where inner product ranks like cosine), several seeds per run, unfiltered and
 * with a 10 % filter.
 */
class GraphRecallTest {

    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        return Stream.of(Metric.values()).flatMap(m -> Stream.of(Arguments.of(m, 1), Arguments.of(m, 2)));
    }

    @ParameterizedTest(name = "{0} seed #{1}")
    @MethodSource("cases")
    void recallAt10AgainstExactIsAtLeast95Percent(Metric metric, int run) {
        Random rnd = Seeds.random("graphRecall " + metric + " #" + run);
        long graphSeed = rnd.nextLong();
        int n = 5000;
        int dim = 64;
        float[][] all = Seeds.clustered(rnd, n + 200, dim, 10, 0.3);
        float[][] data = Arrays.copyOf(all, n);
        float[][] queries = Arrays.copyOfRange(all, n, n + 200);
        if (metric != Metric.L2) { // the shard normalises COSINE at insert; DOT is tested on unit vectors
            for (int i = 0; i < n; i++) {
                data[i] = Vectors.normalised("data", data[i]);
            }
        }
        try (VectorStore store = VectorStore.open(dir.resolve("v"), dim, metric, 1 << 20)) {
            VectorScorer scorer = new VectorScorer(store, VectorKernels.preferred());
            GraphVectorIndex graph = GraphVectorIndex.create(scorer, 16, 200, 64, graphSeed);
            ExactVectorIndex exact = new ExactVectorIndex(scorer);
            for (int i = 0; i < n; i++) {
                store.write(i, data[i]);
                graph.add(i);
                exact.add(i);
            }
            java.util.function.IntPredicate tenth = o -> o % 10 == 4;
            int hit = 0;
            int hitFiltered = 0;
            int total = 0;
            int totalFiltered = 0;
            for (float[] raw : queries) {
                float[] q = scorer.prepareQuery(raw);
                hit += overlap(exact.search(q, 10, 0, null), graph.search(q, 10, 0, null));
                total += 10;
                hitFiltered += overlap(exact.search(q, 10, 0, tenth), graph.search(q, 10, 0, tenth));
                totalFiltered += 10;
            }
            double recall = hit / (double) total;
            double recallFiltered = hitFiltered / (double) totalFiltered;
            System.out.println("graph recall@10 " + metric + " ef=64: " + recall + ", 10% filter: " + recallFiltered);
            assertTrue(recall >= 0.95, "recall@10 " + recall + " for " + metric);
            assertTrue(recallFiltered >= 0.95, "filtered recall@10 " + recallFiltered + " for " + metric);
        }
    }

    private static int overlap(SearchResults want, SearchResults got) {
        Set<Integer> truth = new HashSet<>();
        for (int i = 0; i < want.size(); i++) {
            truth.add(want.ordinal(i));
        }
        int hit = 0;
        for (int i = 0; i < got.size(); i++) {
            if (truth.contains(got.ordinal(i))) {
                hit++;
            }
        }
        return hit;
    }
}
