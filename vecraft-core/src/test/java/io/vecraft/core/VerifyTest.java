package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Record;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftConfig;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VerifyReport;
import io.vecraft.api.VerifyReport.FileKind;
import io.vecraft.api.VerifyReport.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Vecraft#verify}: what it reports on a healthy directory, that it changes nothing, and its refusals. */
class VerifyTest {
    @TempDir
    Path dir;

    private VecraftConfig.Builder config() {
        return Vecraft.builder(dir).withMaxEntryBytes(1 << 20).withDataPartitions(1);
    }

    private List<Record> populate(Vecraft db) {
        Collection h = db.createCollection(CollectionSpec.of("h", KillWorkload.DIMENSION).withIndex(IndexSpec.hnsw(8, 64, 64)));
        Collection e = db.createCollection(CollectionSpec.of("e", KillWorkload.DIMENSION).withIndex(IndexSpec.exact()));
        List<Record> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            Record r = KillWorkload.record("v" + i, 0, "r" + (i % 40));
            (i % 2 == 0 ? h : e).upsert(r);
            out.add(r);
            if (i == 30) {
                db.checkpoint();
            }
            if (i % 7 == 0) {
                h.delete("r" + (i % 40));
            }
        }
        return out;
    }

    @Test
    void reportsEveryKindOfFileOfAHealthyDatabaseAndChangesNothing() throws Exception {
        try (Vecraft db = config().open()) {
            populate(db);
        }
        Map<String, String> before = DataDirs.fingerprint(dir);
        VerifyReport report = Vecraft.verify(dir);
        assertEquals(before, DataDirs.fingerprint(dir), "verify changed nothing");
        assertTrue(report.ok(), report.toString());
        assertEquals(List.of(), report.problems(), report.toString());
        Set<FileKind> kinds = report.findings().stream().map(VerifyReport.Finding::kind).collect(Collectors.toSet());
        assertEquals(EnumSet.complementOf(EnumSet.of(FileKind.CROSS_CHECK,
                FileKind.SNAPSHOT_MANIFEST, FileKind.SNAPSHOT_FILE)), kinds, report.toString());
        assertTrue(report.of(FileKind.JOURNAL_CYCLE).stream().anyMatch(f -> f.message().contains("CRC32C verified")));
        assertTrue(report.of(FileKind.VECTOR_SLOTS).stream().anyMatch(f -> f.message().contains("slot headers of")));
        System.out.println(report);
    }

    @Test
    void refusesAnOpenDatabaseAndAMissingDirectory() {
        try (Vecraft db = config().open()) {
            populate(db);
            VecraftException e = assertThrows(VecraftException.class, () -> Vecraft.verify(dir));
            assertTrue(e.getMessage().contains("is open"), e.getMessage());
        }
        assertThrows(NotFoundException.class, () -> Vecraft.verify(dir.resolve("nothing-here")));
        assertTrue(Vecraft.verify(dir).ok());
    }

    @Test
    void aShardAheadOfTheJournalIsReportedRefusedAndLeavesTheDirectoryUsable() throws Exception {
        List<Record> written;
        try (Vecraft db = config().open()) {
            written = populate(db);
            db.checkpoint();
        }
        Path data = dir.resolve("journal").resolve("data-0");
        Path saved = dir.getParent().resolve(dir.getFileName() + "-saved-data-0");
        DataDirs.copy(data, saved);
        try (Stream<Path> s = Files.list(data)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".cq4")).toList()) {
                Files.delete(p); // the journal lost the data partition's entries
            }
        }
        Files.deleteIfExists(data.resolve("clean-close"));
        VerifyReport report = Vecraft.verify(dir);
        assertFalse(report.ok(), report.toString());
        assertTrue(report.of(FileKind.CROSS_CHECK).stream().anyMatch(f -> f.status() == Status.CORRUPT
                && f.message().contains("data-0")), report.toString());
        CorruptedDataException e = assertThrows(CorruptedDataException.class, () -> config().open());
        assertEquals("data-0", e.location(), e.getMessage());
        assertEquals(1, e.position(), e.getMessage());
        assertTrue(e.getMessage().contains("journal ends at sequence 0"), e.getMessage());
        // the refused open released every file: restoring the journal makes the directory open in this JVM
        try (Stream<Path> s = Files.list(data)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(data);
        DataDirs.copy(saved, data);
        try (Vecraft db = config().open()) {
            for (Record r : written) {
                Optional<Record> got = db.collection("h").get(r.id()).or(() -> db.collection("e").get(r.id()));
                assertTrue(got.isPresent() || true); // content checked by the reopen tests; here: it opens
            }
            assertEquals(2, db.listCollections().size());
        }
    }

    @Test
    void damageToChroniclesOwnHeaderIsReportedAndNeverServedWrongly() throws Exception {
        Map<String, Optional<Record>> before = new java.util.TreeMap<>();
        try (Vecraft db = config().open()) {
            List<Record> written = populate(db);
            for (Record r : written) {
                for (String c : List.of("h", "e")) {
                    before.put(c + ":" + r.id(), db.collection(c).get(r.id(), ReadOptions.defaults().withConsistency(Consistency.STRONG)));
                }
            }
        }
        Path file;
        try (Stream<Path> s = Files.list(dir.resolve("journal").resolve("data-0"))) {
            file = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        // byte 194 lies in Chronicle's store header (its indexing fields), before any entry: the entries
        // stay intact and the byte scan passes, but Chronicle can no longer find them (found by the long
        // run of CorruptionTest: the open failed with a plain VecraftException)
        DataDirs.flipBits(file, 194, 195, 1, new java.util.SplittableRandom(3));
        VerifyReport report = Vecraft.verify(dir);
        assertFalse(report.ok(), "verify reports the damage: " + report);
        assertTrue(report.of(FileKind.JOURNAL_CYCLE).stream().anyMatch(f -> f.status() == Status.CORRUPT),
                report.toString());
        // The shards' checkpoints already cover the damaged entries, so an open may not need to read
        // them: then it must serve exactly what was written; if it does read them, it must refuse
        // with the damage named (partition and sequence), never a plain error or wrong data.
        try (Vecraft db = config().open()) {
            for (Map.Entry<String, Optional<Record>> e : before.entrySet()) {
                String[] cid = e.getKey().split(":", 2);
                Optional<Record> now = db.collection(cid[0]).get(cid[1], ReadOptions.defaults().withConsistency(Consistency.STRONG));
                assertEquals(e.getValue().map(Record::metadata), now.map(Record::metadata),
                        e.getKey());
                assertEquals(e.getValue().map(v -> java.util.Arrays.toString(v.vector())),
                        now.map(v -> java.util.Arrays.toString(v.vector())), e.getKey());
            }
        } catch (CorruptedDataException refused) {
            assertEquals("data-0", refused.location(), refused.getMessage());
            assertTrue(refused.position() >= 1, refused.getMessage());
        }
    }
}
