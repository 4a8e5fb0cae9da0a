package io.vecraft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The CLI end to end, in-process through {@link CommandLine#execute} with captured output: import (fvecs
 * with a progress bar, IDX with labels), info, search (one vector, a query file with recall@k against ivecs
 * ground truth, a metadata filter), history, journal tail, verify (healthy and damaged), error handling;
 * and one run of the real {@code main} in a child JVM.
 */
class VecraftCliTest {
    @TempDir
    Path tmp;

    /** What one run printed and returned. */
    record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = VecraftCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void importInfoSearchHistoryJournalAndVerifyOnOneDirectory() throws IOException {
        Path data = tmp.resolve("db");
        float[][] base = TestFiles.randomVectors(300, 8, 7);
        float[][] queries = TestFiles.randomVectors(20, 8, 8);
        Path baseFile = tmp.resolve("base.fvecs");
        Path queryFile = tmp.resolve("query.fvecs");
        Path truthFile = tmp.resolve("truth.ivecs");
        TestFiles.writeFvecs(baseFile, base);
        TestFiles.writeFvecs(queryFile, queries);
        TestFiles.writeIvecs(truthFile, TestFiles.groundTruth(base, queries, 10));

        Run imp = run("import", "--data", data.toString(), "-c", "vecs", "--index", "exact", "--shards", "2",
                "--batch", "64", baseFile.toString());
        assertEquals(0, imp.code(), imp.toString());
        assertTrue(imp.out().contains("imported 300 vectors (dimension 8)"), imp.toString());
        assertTrue(imp.out().contains("the collection now holds 300 records"), imp.toString());
        assertTrue(imp.err().contains("import") && imp.err().contains("100%") && imp.err().contains("300/300"),
                "progress bar drawn on stderr: " + imp.err());

        Run info = run("info", "--data", data.toString());
        assertEquals(0, info.code(), info.toString());
        assertTrue(info.out().contains("vecs: 300 records, dimension 8, L2"), info.toString());
        assertTrue(info.out().contains("shard 0:") && info.out().contains("shard 1:"), info.toString());
        assertTrue(info.out().contains("health: UP (live true, ready true)"), info.toString());
        assertTrue(info.out().contains("data-0") && info.out().contains("system"), info.toString());

        float[] q = queries[3];
        StringBuilder vec = new StringBuilder();
        for (int i = 0; i < q.length; i++) {
            vec.append(i == 0 ? "" : ",").append(q[i]);
        }
        Run one = run("search", "--data", data.toString(), "-c", "vecs", "--vector", vec.toString(), "-k", "3");
        assertEquals(0, one.code(), one.toString());
        int nearest = TestFiles.groundTruth(base, new float[][] {q}, 1)[0][0];
        assertTrue(one.out().contains("3 hit(s)"), one.toString());
        assertTrue(one.out().lines().skip(1).findFirst().orElseThrow().trim().startsWith(nearest + " "),
                "nearest first (" + nearest + "): " + one);

        Run recall = run("search", "--data", data.toString(), "-c", "vecs", "--queries", queryFile.toString(),
                "--truth", truthFile.toString(), "-k", "10");
        assertEquals(0, recall.code(), recall.toString());
        assertTrue(recall.out().contains("20 queries, k=10"), recall.toString());
        assertTrue(recall.out().contains("recall@10 = 1.0000"), "exact index finds the true neighbours: " + recall);

        // a second import of the first 5 vectors rewrites ids 0..4: two versions in their history
        Run again = run("import", "--data", data.toString(), "-c", "vecs", "--limit", "5", "--no-progress",
                baseFile.toString());
        assertEquals(0, again.code(), again.toString());
        assertEquals("", again.err(), "--no-progress draws nothing");
        Run history = run("history", "--data", data.toString(), "-c", "vecs", "4");
        assertEquals(0, history.code(), history.toString());
        List<String> versions = history.out().lines().filter(l -> l.startsWith("UPSERT")).toList();
        assertEquals(2, versions.size(), history.toString());
        assertTrue(versions.get(0).contains("request r-"), history.toString());

        Run tail = run("journal", "tail", "--data", data.toString(), "-n", "3");
        assertEquals(0, tail.code(), tail.toString());
        List<String> lines = tail.out().lines().toList();
        assertEquals(3, lines.size(), tail.toString());
        assertTrue(lines.stream().allMatch(l -> l.contains("UPSERT vecs/")), tail.toString());
        Run system = run("journal", "tail", "--data", data.toString(), "--partition", "system");
        assertTrue(system.out().contains("CREATE COLLECTION vecs"), system.toString());

        Run verify = run("verify", "--data", data.toString());
        assertEquals(0, verify.code(), verify.toString());
        assertTrue(verify.out().contains("0 problem(s): OK"), verify.toString());

        // damage: the journal loses the data partitions that the shards already applied
        try (Stream<Path> dirs = Files.list(data.resolve("journal"))) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith("data-")).toList()) {
                try (Stream<Path> files = Files.list(d)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".cq4")).toList()) {
                        Files.delete(f);
                    }
                }
                Files.deleteIfExists(d.resolve("clean-close"));
            }
        }
        Run damaged = run("verify", "--data", data.toString());
        assertEquals(VecraftCli.EXIT_PROBLEM, damaged.code(), damaged.toString());
        assertTrue(damaged.out().contains("DAMAGED") && damaged.out().contains("CORRUPT"), damaged.toString());
    }

    @Test
    void snapshotVerifyAndRestoreToTheLatestStateAndToAnEarlierSequence() throws IOException {
        Path data = tmp.resolve("snapdb");
        Path baseFile = tmp.resolve("snap.fvecs");
        TestFiles.writeFvecs(baseFile, TestFiles.randomVectors(120, 4, 11));
        Run imp = run("import", "--data", data.toString(), "-c", "v", "--index", "exact", "--shards", "1",
                "--batch", "40", "--no-progress", baseFile.toString());
        assertEquals(0, imp.code(), imp.toString());
        Path snap = tmp.resolve("snap");
        Run snapshot = run("snapshot", "--data", data.toString(), "--to", snap.toString());
        assertEquals(0, snapshot.code(), snapshot.toString());
        assertTrue(snapshot.out().contains("consistent at HLC"), snapshot.toString());
        Run verify = run("snapshot", "--data", data.toString(), "--verify", snap.toString());
        assertEquals(0, verify.code(), verify.toString());
        assertTrue(verify.out().contains(": OK"), verify.toString());

        Path latest = tmp.resolve("restored");
        Run restore = run("restore", "--data", latest.toString(), "--from", snap.toString());
        assertEquals(0, restore.code(), restore.toString());
        Run info = run("info", "--data", latest.toString());
        assertEquals(0, info.code(), info.toString());
        assertTrue(info.out().contains("v: 120 records"), info.toString());

        // the import wrote 3 batches of 40 to the collection's one data partition: keep only the first
        Run journal = run("journal", "tail", "--data", data.toString(), "-n", "100");
        assertEquals(0, journal.code(), journal.toString());
        String partition = journal.out().lines().filter(l -> l.contains("data-")).map(l -> l.replaceAll(".*(data-[0-9]+).*", "$1"))
                .findFirst().orElseThrow(() -> new AssertionError("no data partition in " + journal));
        Path early = tmp.resolve("early");
        Run cut = run("restore", "--data", early.toString(), "--from", snap.toString(), "--partition", partition,
                "--sequence", "1");
        assertEquals(0, cut.code(), cut.toString());
        Run earlyInfo = run("info", "--data", early.toString());
        assertTrue(earlyInfo.out().contains("v: 40 records"), earlyInfo.toString());

        Run both = run("restore", "--data", tmp.resolve("x").toString(), "--from", snap.toString(), "--hlc", "5",
                "--sequence", "1");
        assertEquals(VecraftCli.EXIT_PROBLEM, both.code(), both.toString());
        assertTrue(both.err().contains("--hlc"), both.toString());
    }

    @Test
    void importsIdxImagesWithLabelsAndFiltersOnThem() throws IOException {
        Path data = tmp.resolve("db");
        byte[][] images = new byte[40][16];
        int[] labels = new int[40];
        for (int i = 0; i < images.length; i++) {
            labels[i] = i % 4;
            for (int j = 0; j < 16; j++) {
                images[i][j] = (byte) ((i * 31 + j * 7) & 0xFF);
            }
        }
        Path img = tmp.resolve("train-images-idx3-ubyte.gz");
        Path lab = tmp.resolve("train-labels-idx1-ubyte");
        TestFiles.writeIdxImages(img, images, 4, 4);
        TestFiles.writeIdxLabels(lab, labels);
        Run imp = run("import", "--data", data.toString(), "-c", "img", "--labels", lab.toString(), "--scale",
                "0.00392157", "--no-progress", img.toString());
        assertEquals(0, imp.code(), imp.toString());
        assertTrue(imp.out().contains("imported 40 vectors (dimension 16)"), imp.toString());
        StringBuilder vec = new StringBuilder("0.5");
        for (int j = 1; j < 16; j++) {
            vec.append(",0.5");
        }
        Run filtered = run("search", "--data", data.toString(), "-c", "img", "--vector", vec.toString(), "-k", "40",
                "--where", "label=2");
        assertEquals(0, filtered.code(), filtered.toString());
        assertTrue(filtered.out().startsWith("10 hit(s)"), filtered.toString());
        assertTrue(filtered.out().lines().skip(1).allMatch(l -> l.contains("{label=2}")), filtered.toString());
    }

    @Test
    void badInputGivesAClearErrorAndExitCode() throws IOException {
        Run usage = run("info");
        assertEquals(2, usage.code(), usage.toString());
        assertTrue(usage.err().contains("--data"), usage.toString());

        Run missing = run("info", "--data", tmp.resolve("nothing-here").toString());
        assertEquals(VecraftCli.EXIT_PROBLEM, missing.code(), missing.toString());
        assertTrue(missing.err().startsWith("error: ") && missing.err().contains("vecraft.meta"), missing.toString());
        assertFalse(Files.exists(tmp.resolve("nothing-here")), "info creates nothing");

        Path truncated = tmp.resolve("bad.fvecs");
        TestFiles.writeFvecs(truncated, TestFiles.randomVectors(3, 4, 1));
        Files.write(truncated, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        Run bad = run("import", "--data", tmp.resolve("db").toString(), "-c", "x", "--no-progress", truncated.toString());
        assertEquals(VecraftCli.EXIT_PROBLEM, bad.code(), bad.toString());
        assertTrue(bad.err().contains("bad.fvecs") && bad.err().contains("not a multiple"), bad.toString());

        Run batch = run("import", "--data", tmp.resolve("db").toString(), "-c", "x", "--batch", "0", truncated.toString());
        assertEquals(VecraftCli.EXIT_PROBLEM, batch.code(), batch.toString());
        assertTrue(batch.err().contains("batch"), batch.toString());
    }

    @Test
    void mainRunsInAChildJvm() throws Exception {
        Path data = tmp.resolve("db");
        Path baseFile = tmp.resolve("base.fvecs");
        TestFiles.writeFvecs(baseFile, TestFiles.randomVectors(50, 4, 3));
        assertEquals(0, run("import", "--data", data.toString(), "-c", "v", "--no-progress", baseFile.toString()).code());

        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib") && !arg.startsWith("-Xmx") && !arg.startsWith("-XX:")) {
                cmd.add(arg); // the Chronicle JVM options the build passes (vecraft.jvm.options)
            }
        }
        cmd.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                VecraftCli.class.getName(), "info", "--data", data.toString()));
        Path out = tmp.resolve("child.out");
        Path err = tmp.resolve("child.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child finished");
        } finally {
            p.destroyForcibly();
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), stdout + Files.readString(err, StandardCharsets.UTF_8));
        assertTrue(stdout.contains("v: 50 records, dimension 4"), stdout);
        assertTrue(stdout.contains("health: UP"), stdout);
    }
}
