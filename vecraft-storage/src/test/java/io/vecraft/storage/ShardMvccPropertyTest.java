package io.vecraft.storage;

import io.vecraft.api.Filter;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.Metric;
import io.vecraft.storage.testing.ModelShard;
import io.vecraft.storage.testing.Seeds;
import io.vecraft.storage.vector.Vectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties: a read at any snapshot time T (get, count, search, filtered search) returns exactly
 * what the MVCC model says is visible at T: deleted and superseded versions are never returned
 * at T after the change and are returned by as-of reads before it; searches return
 * min(k, visible matches) hits; exact searches rank like brute force over the model.
 */
class ShardMvccPropertyTest {

    static final int DIM = 4;

    @TempDir
    Path dir;

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(IndexSpec.exact(), Metric.L2, 0, HnswImplementation.GRAPH),
                Arguments.of(IndexSpec.hnsw(16, 64, 16), Metric.L2, 0, HnswImplementation.GRAPH),
                Arguments.of(IndexSpec.hnsw(16, 64, 16), Metric.L2, 0, HnswImplementation.HNSWLIB),
                Arguments.of(IndexSpec.hnsw(16, 64, 16), Metric.L2, ShardConfig.DEFAULT_EXACT_SEARCH_MAX_MATCHES,
                        HnswImplementation.GRAPH),
                Arguments.of(IndexSpec.exact(), Metric.COSINE, ShardConfig.DEFAULT_EXACT_SEARCH_MAX_MATCHES,
                        HnswImplementation.GRAPH),
                Arguments.of(IndexSpec.hnsw(8, 32, 16), Metric.COSINE, 0, HnswImplementation.GRAPH),
                Arguments.of(IndexSpec.hnsw(8, 32, 16), Metric.DOT, 0, HnswImplementation.GRAPH),
                Arguments.of(IndexSpec.hnsw(8, 32, 16), Metric.DOT, 0, HnswImplementation.HNSWLIB));
    }

    static Map<String, Object> metadata(Random rnd) {
        Map<String, Object> md = new LinkedHashMap<>();
        String[] colours = {"red", "green", "blue"};
        if (rnd.nextInt(10) > 0) {
            md.put("colour", colours[rnd.nextInt(3)]);
        }
        md.put("n", (long) rnd.nextInt(10));
        if (rnd.nextBoolean()) {
            md.put("score", rnd.nextInt(100) / 10.0);
        }
        md.put("flag", rnd.nextBoolean());
        if (rnd.nextInt(3) == 0) {
            md.put("tags", List.of(colours[rnd.nextInt(3)], (long) rnd.nextInt(5)));
        }
        return md;
    }

    static String document(Random rnd) {
        String[] words = {"alpha", "beta", "gamma", "delta"};
        return rnd.nextInt(4) == 0 ? null : words[rnd.nextInt(4)] + " " + words[rnd.nextInt(4)];
    }

    static Filter filter(Random rnd, int depth) {
        int pick = depth > 1 ? rnd.nextInt(6) : rnd.nextInt(9);
        switch (pick) {
            case 0:
                return Filter.eq("colour", new String[] {"red", "green", "blue", "none"}[rnd.nextInt(4)]);
            case 1:
                return Filter.in("n", (long) rnd.nextInt(10), rnd.nextInt(10), 3.0);
            case 2:
                return Filter.between("score", rnd.nextInt(5), 5 + rnd.nextInt(5) + 0.5);
            case 3:
                return Filter.eq("flag", rnd.nextBoolean());
            case 4:
                return rnd.nextBoolean() ? Filter.eq("tags", "red") : Filter.lte("tags", 2L);
            case 5:
                return rnd.nextBoolean() ? Filter.documentContains("alpha") : Filter.documentNotContains("beta");
            case 6:
                return Filter.and(filter(rnd, depth + 1), filter(rnd, depth + 1));
            case 7:
                return Filter.or(filter(rnd, depth + 1), filter(rnd, depth + 1));
            default:
                return Filter.not(filter(rnd, depth + 1));
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void readsAtEverySnapshotTimeMatchTheModel(IndexSpec spec, Metric metric, int exactThreshold,
                                               HnswImplementation impl) {
        Random rnd = Seeds.random("mvccProperty " + spec + " " + metric + " " + exactThreshold + " " + impl);
        ShardConfig config = ShardConfig.builder(dir, DIM, metric).withIndex(spec).withHnswImplementation(impl)
                .withInitialCapacity(32)
                .withExactSearchThreshold(exactThreshold, 0).withVectorChunkBytes(64 << 10)
                .withPayloadChunkBytes(64 << 10).build();
        ModelShard model = new ModelShard(metric);
        long hlc = 0;
        try (Shard shard = Shard.open(config)) {
            for (int op = 0; op < 500; op++) {
                hlc += 1 + rnd.nextInt(3);
                String id = "id" + rnd.nextInt(40);
                OpStamp stamp = new OpStamp(hlc, op, 0, "r" + op, 0);
                if (rnd.nextInt(10) < 7) {
                    float[] v = Seeds.vector(rnd, DIM);
                    Map<String, Object> md = metadata(rnd);
                    String doc = document(rnd);
                    shard.upsert(id, v, md, doc, stamp);
                    model.upsert(id, v, md, doc, hlc);
                } else {
                    assertEquals(model.delete(id, hlc), shard.delete(id, stamp), "delete of " + id);
                }
                if (op % 100 == 99) {
                    check(shard, model, rnd, hlc, metric, spec, 10);
                }
            }
        }
    }

    static void check(Shard shard, ModelShard model, Random rnd, long maxHlc, Metric metric, IndexSpec spec, int rounds) {
        for (int round = 0; round < rounds; round++) {
            long t = rnd.nextInt((int) maxHlc + 3);
            for (String id : model.versions.keySet()) {
                ModelShard.Version want = model.get(id, t);
                var got = shard.get(id, t, Include.ALL);
                assertEquals(want != null, got.isPresent(), () -> "get(" + id + ", " + t + ")");
                if (want != null) {
                    StoredVersion v = got.orElseThrow();
                    assertEquals(want.created, v.createdHlc());
                    assertEquals(want.deleted, v.deletedHlc());
                    assertEquals(want.metadata, v.metadata());
                    assertEquals(want.document, v.document());
                    float[] expected = metric == Metric.COSINE ? Vectors.normalised("v", want.vector) : want.vector;
                    assertArrayEquals(expected, v.vector(), 1e-6f);
                }
            }
            assertEquals(model.visible(t, null).size(), shard.count(t), "count at " + t);
            Filter filter = rnd.nextInt(3) == 0 ? null : filter(rnd, 0);
            int k = 1 + rnd.nextInt(12);
            float[] q = Seeds.vector(rnd, DIM);
            List<ModelShard.Version> matching = new ArrayList<>(model.visible(t, filter));
            matching.sort((a, b) -> Double.compare(model.distance(q, a.vector), model.distance(q, b.vector)));
            List<ShardHit> hits = shard.search(new ShardSearch(q, k, filter, t, 0, Include.ALL));
            assertEquals(Math.min(k, matching.size()), hits.size(),
                    () -> "hits for k=" + k + " at " + t + " filter " + filter);
            Set<String> seen = new HashSet<>();
            for (ShardHit h : hits) {
                assertTrue(seen.add(h.id()), "duplicate id " + h.id());
                ModelShard.Version v = model.get(h.id(), t);
                assertNotNull(v, () -> h.id() + " is not visible at " + t);
                assertEquals(v.created, h.createdHlc(), "the version visible at T");
                assertTrue(filter == null || ModelShard.matches(filter, v.metadata, v.document),
                        () -> h.id() + " does not match " + filter);
                assertEquals(model.distance(q, v.vector), h.distance(), 1e-4, "distance of " + h.id());
            }
            if (spec instanceof IndexSpec.Exact) {
                for (int i = 0; i < hits.size(); i++) {
                    assertEquals(model.distance(q, matching.get(i).vector), hits.get(i).distance(), 1e-4,
                            "exact search ranks like brute force");
                }
            }
        }
    }
}
