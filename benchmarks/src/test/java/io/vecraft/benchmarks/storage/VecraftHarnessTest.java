package io.vecraft.benchmarks.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the {@code --quick} database benchmark end to end on tiny generated data (no data set on
 * disk needed) so that CI proves the harness works, not only that it compiles. No timing is asserted.
 */
class VecraftHarnessTest {

    @Test
    void quickRunOnGeneratedDataWritesEverySectionThePlotAndAppendsTheMarkdown(@TempDir Path tmp) throws Exception {
        Path results = tmp.resolve("results");
        Path md = tmp.resolve("BENCH.md");
        Files.writeString(md, "# existing\n");
        String out = VecraftHarness.run(VecraftHarness.Options.parse(new String[] {
            "--quick", "--sift", tmp.resolve("none").toString(), "--fashion", tmp.resolve("none").toString(),
            "--gen-n", "1500", "--scale-n", "2000", "--round-ms", "40", "--results", results.toString(),
            "--work", tmp.resolve("work").toString(), "--cache", tmp.resolve("cache").toString(),
            "--append", md.toString()}));

        // The API variant is found at some ef of the grid with recall@10 >= 0.98 on easy clustered data.
        Matcher head = Pattern.compile("\\| Vecraft API, HNSW \\| (\\d+) \\| ([0-9.]+) \\|").matcher(out);
        assertTrue(head.find(), out);
        assertTrue(Double.parseDouble(head.group(2)) >= 0.98, head.group());
        for (String section : new String[] {"raw hnswlib 1.2.1 |", "Lucene ", "jvector ", "Exact search, 1 thread",
            "Filtered search", "| 50 % |", "Ingest (", "SYNC durability", "Recovery (", "crash image",
            "Memory after ingest", "Consistency cost", "| writer | STRONG |"}) {
            assertTrue(out.contains(section), "missing " + section + " in\n" + out);
        }
        // Exact search through the API finds the true neighbours.
        assertTrue(out.matches("(?s).*Vecraft API exact index [0-9,]+ QPS \\(recall 1\\.000\\).*"), out);
        try (var pngs = Files.list(results)) {
            Path png = pngs.filter(p -> p.toString().endsWith(".png")).findFirst().orElseThrow();
            byte[] head8 = Files.readAllBytes(png);
            assertEquals((byte) 0x89, head8[0]);
            assertEquals('P', head8[1]);
            assertTrue(head8.length > 5_000, "plot is " + head8.length + " bytes");
        }
        String appended = Files.readString(md);
        assertTrue(appended.startsWith("# existing\n### Run ") || appended.startsWith("# existing\n\n### Run "),
                appended.substring(0, Math.min(200, appended.length())));
        assertTrue(appended.endsWith(out));
    }
}
