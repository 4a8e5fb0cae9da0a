package io.vecraft.storage;

import io.vecraft.api.Filter;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.Metric;
import io.vecraft.storage.testing.Seeds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Filtered searches return exactly k hits whenever at least k visible records match. */
class ShardFilterTest {

    @TempDir
    Path dir;

    static Stream<Arguments> paths() {
        // exact-search threshold: default (selective filters scanned) and 0 (always the HNSW path)
        return Stream.of(Arguments.of(ShardConfig.DEFAULT_EXACT_SEARCH_MAX_MATCHES, 0.01, HnswImplementation.GRAPH),
                Arguments.of(0, 0.0, HnswImplementation.GRAPH),
                Arguments.of(0, 0.0, HnswImplementation.HNSWLIB));
    }

    @ParameterizedTest
    @MethodSource("paths")
    void filtersReturnExactlyKWhenAtLeastKMatchIncludingAHalfPercentFilter(int maxMatches, double fraction,
                                                                           HnswImplementation impl) {
        Random rnd = Seeds.random("filterExactlyK " + maxMatches + " " + impl);
        int n = 4000;
        int dim = 16;
        ShardConfig config = ShardConfig.builder(dir, dim, Metric.L2).withIndex(IndexSpec.hnsw(16, 100, 32))
                .withHnswImplementation(impl).withInitialCapacity(1024).withExactSearchThreshold(maxMatches, fraction).build();
        float[][] data = Seeds.clustered(rnd, n, dim, 20, 0.2);
        try (Shard s = Shard.open(config)) {
            for (int i = 0; i < n; i++) {
                boolean rare = i % 200 == 7; // 20 of 4000 = 0.5%
                s.upsert("r" + i, data[i], Map.of("rare", rare, "bucket", (long) (i % 10), "tags",
                        List.of("t" + (i % 3), "all")), i % 5 == 0 ? "needle in doc " + i : "hay " + i,
                        new OpStamp(i + 1, i, 0, "r", 0));
            }
            long t = n + 1;
            for (int q = 0; q < 20; q++) {
                float[] query = Seeds.vector(rnd, dim);
                assertExactlyK(s, query, 10, Filter.eq("rare", true), t, 10, "0.5% filter");
                assertExactlyK(s, query, 25, Filter.eq("rare", true), t, 20, "0.5% filter, k > matches");
                assertExactlyK(s, query, 10, Filter.eq("bucket", 3), t, 10, "10% filter");
                assertExactlyK(s, query, 10, Filter.and(Filter.eq("tags", "t1"), Filter.documentContains("needle")), t, 10,
                        "list + document filter");
                assertExactlyK(s, query, 10, Filter.not(Filter.in("bucket", 0, 1, 2, 3, 4, 5, 6, 7, 8)), t, 10, "not");
                assertExactlyK(s, query, 10, Filter.and(Filter.eq("rare", true), Filter.documentNotContains("needle")), t,
                        10, "rare without needle");
                // as of a time when only the first 1000 records existed: 5 rare ones
                assertExactlyK(s, query, 10, Filter.eq("rare", true), 1000, 5, "as-of");
            }
        }
    }

    static void assertExactlyK(Shard s, float[] q, int k, Filter f, long t, int expected, String what) {
        List<ShardHit> hits = s.search(new ShardSearch(q, k, f, t, 0, Include.ALL));
        assertEquals(expected, hits.size(), what);
        for (ShardHit h : hits) {
            assertTrue(io.vecraft.storage.testing.ModelShard.matches(f, h.metadata(), h.document()), what + ": " + h.id());
            assertTrue(h.createdHlc() <= t);
        }
        for (int i = 1; i < hits.size(); i++) {
            assertTrue(hits.get(i - 1).distance() <= hits.get(i).distance(), what + " sorted");
        }
    }

    @Test
    void numericFiltersCompareLongsAndDoublesByValueAndMissingFieldsNeverMatchComparisons() {
        ShardConfig config = ShardConfig.builder(dir, 2, Metric.L2).withIndex(IndexSpec.exact()).build();
        try (Shard s = Shard.open(config)) {
            s.upsert("long3", new float[] {0, 0}, Map.of("v", 3L), null, new OpStamp(1, 1, 0, "r", 0));
            s.upsert("double3", new float[] {0, 1}, Map.of("v", 3.0), null, new OpStamp(2, 2, 0, "r", 0));
            s.upsert("half", new float[] {0, 2}, Map.of("v", 3.5), null, new OpStamp(3, 3, 0, "r", 0));
            s.upsert("big", new float[] {0, 3}, Map.of("v", Long.MAX_VALUE), null, new OpStamp(4, 4, 0, "r", 0));
            s.upsert("none", new float[] {0, 4}, Map.of("w", "x"), null, new OpStamp(5, 5, 0, "r", 0));
            s.upsert("str", new float[] {0, 5}, Map.of("v", "3"), null, new OpStamp(6, 6, 0, "r", 0));
            assertEquals(List.of("long3", "double3"), ids(s, Filter.eq("v", 3)));
            assertEquals(List.of("long3", "double3"), ids(s, Filter.eq("v", 3.0)));
            assertEquals(List.of("str"), ids(s, Filter.eq("v", "3")));
            assertEquals(List.of("half", "big"), ids(s, Filter.gt("v", 3)));
            assertEquals(List.of("long3", "double3", "half"), ids(s, Filter.between("v", 3, 4)));
            assertEquals(List.of("big"), ids(s, Filter.gte("v", 9.2e18)));
            assertEquals(List.of("none", "str"), ids(s, Filter.not(Filter.gte("v", 0))));
            assertEquals(List.of(), ids(s, Filter.between("v", 5, 4)));
        }
    }

    static List<String> ids(Shard s, Filter f) {
        return s.search(new ShardSearch(new float[] {0, 0}, 10, f, 10, 0, Include.NONE)).stream().map(ShardHit::id).toList();
    }
}
