package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.Durability;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Record;
import io.vecraft.api.SearchHit;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftConfig;
import io.vecraft.api.VerifyReport;
import io.vecraft.api.VerifyReport.FileKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupts each kind of file of a closed database (random bit flips inside the written part of the file,
 * and truncation) and checks the promise: opening either recovers (torn journal tail cut, damaged newer
 * checkpoint -> older checkpoint + journal replay, derived state rebuilt) or fails with
 * {@link CorruptedDataException} naming the file (or journal partition) and a position; a read either returns
 * exactly what was written or fails with {@link CorruptedDataException}; wrong data is never returned. Also
 * checks that {@link Vecraft#verify} reports CORRUPT whenever opening refuses, and counts what it detected.
 *
 * <p>The database: an HNSW collection with two shards and an exact one with one shard, 360 operations with
 * two checkpoints in between and 120 operations after the last one (so a reopen restores a checkpoint and
 * replays the journal), closed without a final checkpoint. 7 corruptions per file kind by default, 35 with
 * {@code -Plong}.
 */
class CorruptionTest {
    @TempDir
    static Path root;

    private static Path pristine;
    /** Every version ever written per "collection/id" (null = deleted), oldest first. */
    private static final Map<String, List<Record>> HISTORY = new TreeMap<>();
    private static final Map<String, Map<String, int[]>> FIGURES = new TreeMap<>();

    static VecraftConfig.Builder config(Path dir) {
        return Vecraft.builder(dir).withDurability(Durability.SYNC).withMaxEntryBytes(1 << 20)
                .withCheckpointInterval(Duration.ofDays(1));
    }

    @BeforeAll
    static void buildDatabase() {
        pristine = root.resolve("pristine");
        SplittableRandom rnd = new SplittableRandom(20261126);
        EmbeddedVecraft db = (EmbeddedVecraft) config(pristine).open();
        try {
            db.createCollection(CollectionSpec.of("hnsw", 8).withIndex(IndexSpec.hnsw(8, 64, 64)).withShards(2));
            db.createCollection(CollectionSpec.of("exact", 8).withIndex(IndexSpec.exact()).withShards(1));
            for (int i = 0; i < 360; i++) {
                if (i == 120 || i == 240) {
                    db.checkpoint();
                }
                String coll = rnd.nextBoolean() ? "hnsw" : "exact";
                String id = "r" + rnd.nextInt(60);
                int kind = rnd.nextInt(10);
                if (kind < 6) {
                    Record r = KillWorkload.record("c" + i, 0, id);
                    db.collection(coll).upsert(r);
                    HISTORY.computeIfAbsent(coll + "/" + id, k -> new ArrayList<>()).add(r);
                } else if (kind < 8) {
                    db.collection(coll).delete(id);
                    HISTORY.computeIfAbsent(coll + "/" + id, k -> new ArrayList<>()).add(null);
                } else {
                    Record a = KillWorkload.record("c" + i, 0, id);
                    Record b = KillWorkload.record("c" + i, 1, id);
                    db.transaction(tx -> tx.upsert("hnsw", a).upsert("exact", b));
                    HISTORY.computeIfAbsent("hnsw/" + id, k -> new ArrayList<>()).add(a);
                    HISTORY.computeIfAbsent("exact/" + id, k -> new ArrayList<>()).add(b);
                }
            }
        } finally {
            db.closeWithoutCheckpoint();
        }
        VerifyReport clean = Vecraft.verify(pristine);
        assertTrue(clean.ok(), clean.toString());
        assertTrue(clean.problems().isEmpty(), clean.toString());
    }

    @AfterAll
    static void printFigures() {
        StringBuilder sb = new StringBuilder("corruption figures (kind: trials, recovered exactly, recovered with"
                + " journal loss, refused at open, detected at read, verify reported non-OK):\n");
        FIGURES.forEach((k, v) -> sb.append("  ").append(k).append(": ").append(java.util.Arrays.toString(v.get("n")))
                .append('\n'));
        System.out.println(sb);
    }

    private static int trials() {
        return Boolean.getBoolean("vecraft.test.long") ? 25 : 5;
    }

    private static int truncations() {
        return Boolean.getBoolean("vecraft.test.long") ? 10 : 2;
    }

    @Test
    void journalCycleFile() throws Exception {
        corrupt("journal cycle", FileKind.JOURNAL_CYCLE, p -> p.toString().endsWith(".cq4")
                && p.getParent().getFileName().toString().startsWith("data"), true);
    }

    @Test
    void transactionJournalCycleFile() throws Exception {
        corrupt("journal cycle (tx)", FileKind.JOURNAL_CYCLE, p -> p.toString().endsWith(".cq4")
                && p.getParent().getFileName().toString().equals("tx"), true);
    }

    @Test
    void vectorSlots() throws Exception {
        corrupt("vector slots", FileKind.VECTOR_SLOTS, p -> p.getFileName().toString().equals("vectors.dat"), false);
    }

    @Test
    void payloadLog() throws Exception {
        corrupt("payload log", FileKind.PAYLOAD_LOG, p -> p.getFileName().toString().equals("payload.log"), false);
    }

    @Test
    void checkpointManifest() throws Exception {
        corrupt("checkpoint manifest", FileKind.CHECKPOINT_MANIFEST,
                p -> p.getFileName().toString().startsWith("manifest-"), false);
    }

    @Test
    void hnswGraph() throws Exception {
        corrupt("HNSW graph", FileKind.HNSW_GRAPH, p -> p.getFileName().toString().equals("hnsw-graph.bin"), false);
    }

    @Test
    void versionTable() throws Exception {
        corrupt("version table", FileKind.VERSION_TABLE, p -> p.getFileName().toString().equals("versions.bin"), false);
    }

    @Test
    void chronicleMapIdIndex() throws Exception {
        corrupt("Chronicle Map", FileKind.ID_MAP, p -> p.getParent().getFileName().toString().equals("idmap"), false);
    }

    @Test
    void catalog() throws Exception {
        corrupt("catalog", FileKind.CATALOG, p -> p.getFileName().toString().equals("catalog.bin"), false);
    }

    private void corrupt(String label, FileKind kind, Predicate<Path> which, boolean journal) throws Exception {
        List<Path> targets;
        try (Stream<Path> s = Files.walk(pristine)) {
            targets = s.filter(Files::isRegularFile).filter(which).sorted().toList();
        }
        assertFalse(targets.isEmpty(), "the database has " + label + " files");
        SplittableRandom rnd = TestSeeds.random("CorruptionTest." + label, 0);
        int[] n = new int[6];
        int total = trials() + truncations();
        for (int t = 0; t < total; t++) {
            Path target = targets.get(rnd.nextInt(targets.size()));
            Path trial = root.resolve(label.replace(' ', '_').replaceAll("[()]", "") + "-" + t);
            DataDirs.copy(pristine, trial);
            Path file = trial.resolve(pristine.relativize(target));
            long end = meaningfulEnd(file);
            String what;
            if (t < trials()) {
                List<Long> at = DataDirs.flipBits(file, 0, end, 1 + rnd.nextInt(3), rnd);
                what = "bit flips at " + at + " of " + file;
            } else {
                long len = (long) (rnd.nextDouble() * end);
                DataDirs.truncate(file, len);
                what = "truncation to " + len + " bytes of " + file;
            }
            n[0]++;
            VerifyReport report = Vecraft.verify(trial);
            boolean verifyNoticed = !report.problems().isEmpty();
            if (verifyNoticed) {
                n[5]++;
            }
            int outcome;
            try {
                outcome = openAndRead(trial, journal, what);
            } catch (CorruptedDataException e) {
                assertNotNull(e.location(), what);
                String name = file.getFileName().toString();
                boolean names = e.location().contains(name) || e.location().contains(file.getParent().getFileName()
                        .toString()) || (journal && e.location().matches("[a-z0-9-]+"));
                assertTrue(names, what + ": the exception names the damaged file or partition: " + e.getMessage());
                assertTrue(e.position() >= 0 || e.getMessage().contains("unreadable"), what + ": a position: " + e);
                assertFalse(report.ok(), what + ": opening refused (" + e.getMessage() + ") so verify must report"
                        + " CORRUPT, but it said " + report);
                outcome = 3;
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError(what + ": " + e, e);
            }
            n[outcome]++;
            deleteTree(trial);
        }
        FIGURES.computeIfAbsent(label, k -> new HashMap<>()).put("n", n);
        System.out.println("corruption " + label + ": " + java.util.Arrays.toString(n));
    }

    /** @return 1 recovered exactly, 2 recovered with journal loss, 4 detected at read */
    private static int openAndRead(Path dir, boolean journal, String what) {
        boolean lost = false;
        boolean detectedAtRead = false;
        try (Vecraft db = config(dir).open()) {
            ReadOptions strong = ReadOptions.defaults().withConsistency(Consistency.STRONG);
            for (Map.Entry<String, List<Record>> e : HISTORY.entrySet()) {
                String[] kc = e.getKey().split("/", 2);
                Collection c = db.collection(kc[0]);
                List<Record> versions = e.getValue();
                Record expected = versions.get(versions.size() - 1);
                Optional<Record> actual;
                try {
                    actual = c.get(kc[1], strong);
                } catch (CorruptedDataException x) {
                    detectedAtRead = true;
                    continue;
                }
                if (actual.orElse(null) == null ? expected == null : actual.get().equals(expected)) {
                    continue;
                }
                if (!journal) {
                    fail(what + ": " + e.getKey() + " reads " + actual + ", expected " + expected);
                }
                // a damaged journal may lose its tail: an earlier version is fine, anything else is wrong data
                boolean earlier = actual.isEmpty() || versions.contains(actual.get());
                assertTrue(earlier, what + ": " + e.getKey() + " reads " + actual + ", which was never written");
                lost = true;
            }
            for (String coll : List.of("hnsw", "exact")) {
                for (int q = 0; q < 5; q++) {
                    float[] v = KillWorkload.vector("q" + q, 0);
                    try {
                        for (SearchHit h : db.collection(coll).search(SearchRequest.of(v, 10).withEf(200)
                                .withConsistency(Consistency.STRONG)).hits()) {
                            List<Record> versions = HISTORY.get(coll + "/" + h.id());
                            assertNotNull(versions, what + ": search returned unknown id " + h.id());
                            Record last = versions.get(versions.size() - 1);
                            if (!journal && last == null) {
                                fail(what + ": search returned deleted " + h.id());
                            }
                        }
                    } catch (CorruptedDataException x) {
                        detectedAtRead = true;
                    }
                }
            }
        }
        return detectedAtRead ? 4 : lost ? 2 : 1;
    }

    private static long meaningfulEnd(Path file) throws IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".cq4")) {
            return DataDirs.cycleDataEnd(file, 0);
        }
        if (name.equals("vectors.dat") || name.equals("payload.log")) {
            return DataDirs.lastNonZero(file);
        }
        return Files.size(file);
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
