package io.vecraft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Filter;
import io.vecraft.api.Metric;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.RecordVersion;
import io.vecraft.api.SearchHit;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.SearchResult;
import io.vecraft.api.Vecraft;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps the README's usage example true: the same code, compared line by line, and run. */
class ReadmeExampleTest {
    @TempDir
    Path dataDir;

    @Test
    void readmeExampleRunsAndDoesWhatItSays() {
        SearchHit bestHit;
        Optional<Record> beforeDelete;
        List<RecordVersion> history;
        // readme-example:start
        try (Vecraft db = Vecraft.open(dataDir)) {
            Collection docs = db.createCollection(CollectionSpec.of("docs", 3).withMetric(Metric.COSINE));

            docs.upsert(Record.of("a", new float[] {0.9f, 0.1f, 0.0f})
                    .withMetadata(Map.of("lang", "en", "year", 2024))
                    .withDocument("journals make databases honest"));
            docs.upsert(List.of(
                    Record.of("b", new float[] {0.1f, 0.9f, 0.0f}).withMetadata(Map.of("lang", "de", "year", 2021)),
                    Record.of("c", new float[] {0.8f, 0.0f, 0.2f}).withMetadata(Map.of("lang", "en", "year", 2019))));

            SearchResult result = docs.search(SearchRequest.of(new float[] {1f, 0f, 0f}, 2)
                    .withFilter(Filter.and(Filter.eq("lang", "en"), Filter.gte("year", 2020)))
                    .withConsistency(Consistency.STRONG));
            SearchHit best = result.hits().get(0);                       // "a", distance = 1 - cosine

            Receipt receipt = db.transaction(tx -> tx
                    .delete("docs", "b")
                    .upsert("docs", Record.of("d", new float[] {0f, 0f, 1f})));

            Optional<Record> before = docs.get("b", ReadOptions.defaults().asOf(receipt.hlc() - 1)); // time travel
            List<RecordVersion> lineage = docs.history("b");            // UPSERT then DELETE, with request ids
            // readme-example:end
            bestHit = best;
            beforeDelete = before;
            history = lineage;
            assertEquals(1, result.size(), "only 'a' is English and from 2020 on");
            assertTrue(docs.get("b").isEmpty());
            assertTrue(docs.get("d").isPresent());
        }
        assertEquals("a", bestHit.id());
        assertEquals(1 - 0.9 / Math.sqrt(0.82), bestHit.distance(), 1e-5);
        assertTrue(beforeDelete.isPresent());
        assertEquals(List.of(RecordVersion.Operation.UPSERT, RecordVersion.Operation.DELETE),
                history.stream().map(RecordVersion::operation).toList());
    }

    @Test
    void readmeHoldsTheSameCode() throws IOException {
        List<String> readme = between(Files.readAllLines(Path.of("../README.md")), "<!-- readme-example:start -->",
                "<!-- readme-example:end -->");
        readme.removeIf(l -> l.startsWith("```"));
        List<String> test = between(Files.readAllLines(
                Path.of("src/test/java/io/vecraft/examples/ReadmeExampleTest.java")), "// readme-example:start",
                "// readme-example:end");
        test.add("}");
        assertEquals(readme, test, "README example and ReadmeExampleTest differ");
    }

    private static List<String> between(List<String> lines, String start, String end) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String l : lines) {
            String t = l.strip();
            if (t.equals(start)) {
                in = true;
            } else if (t.equals(end)) {
                break;
            } else if (in && !t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }
}
