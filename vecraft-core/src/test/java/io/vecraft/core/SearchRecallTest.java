package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.AckLevel;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Durability;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Record;
import io.vecraft.api.SearchHit;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.Vecraft;
import io.vecraft.api.WriteOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Search recall@10 through the public API against ground truth: siftsmall (../shared/datasets)
 * when present, else generated clustered data with exact ground truth computed here.
 */
class SearchRecallTest {
    @TempDir
    Path dir;

    @Test
    void recallAt10IsAtLeast095() throws IOException {
        Path sift = TestVectors.siftsmall();
        float[][] base;
        float[][] queries;
        int[][] truth;
        String dataset;
        if (sift != null) {
            dataset = "siftsmall";
            base = TestVectors.readFvecs(sift.resolve("siftsmall_base.fvecs"));
            queries = TestVectors.readFvecs(sift.resolve("siftsmall_query.fvecs"));
            truth = TestVectors.readIvecs(sift.resolve("siftsmall_groundtruth.ivecs"));
        } else {
            dataset = "generated 5000x64 clustered (siftsmall not found)";
            SplittableRandom rnd = TestSeeds.random("SearchRecallTest", 0);
            base = TestVectors.clustered(rnd, 5_000, 64, 20);
            queries = TestVectors.clustered(rnd, 100, 64, 20);
            truth = new int[queries.length][];
            for (int q = 0; q < queries.length; q++) {
                float[] qv = queries[q];
                float[][] b = base;
                truth[q] = IntStream.range(0, base.length).boxed()
                        .sorted((x, y) -> Double.compare(TestVectors.l2(b[x], qv), TestVectors.l2(b[y], qv)))
                        .limit(10).mapToInt(Integer::intValue).toArray();
            }
        }
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.ASYNC).open()) {
            Collection c = db.createCollection(CollectionSpec.of("sift", base[0].length).withShards(2));
            WriteOptions bulk = WriteOptions.defaults().withAckLevel(AckLevel.DURABLE);
            List<Record> batch = new ArrayList<>();
            for (int i = 0; i < base.length; i++) {
                batch.add(Record.of(Integer.toString(i), base[i]));
                if (batch.size() == 500 || i == base.length - 1) {
                    c.upsert(batch, bulk);
                    batch.clear();
                }
            }
            c.count(ReadOptions.defaults().withConsistency(Consistency.STRONG));
            int found = 0;
            for (int q = 0; q < queries.length; q++) {
                Set<String> want = new HashSet<>();
                for (int j = 0; j < 10; j++) {
                    want.add(Integer.toString(truth[q][j]));
                }
                for (SearchHit h : c.search(SearchRequest.of(queries[q], 10).includeMetadata(false)
                        .includeDocument(false)).hits()) {
                    if (want.contains(h.id())) {
                        found++;
                    }
                }
            }
            double recall = found / (10.0 * queries.length);
            System.out.printf("[recall] %s: recall@10 = %.4f over %d queries (M=16, efC=200, ef=64, 2 shards)%n",
                    dataset, recall, queries.length);
            assertTrue(recall >= 0.95, "recall@10 " + recall + " on " + dataset);
        }
    }
}
