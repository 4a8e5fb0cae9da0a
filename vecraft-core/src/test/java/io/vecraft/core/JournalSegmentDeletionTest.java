package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.CompactionStats;
import io.vecraft.api.Durability;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Record;
import io.vecraft.api.RestorePoint;
import io.vecraft.api.Vecraft;
import io.vecraft.journal.JournalRollCycle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compactor deletes journal cycle files that every checkpoint covers and that are older than the
 * journal retention; the database reopens and snapshots restore without them. The journal rolls a file
 * per second of a manual wall clock, so the test needs no waiting.
 */
class JournalSegmentDeletionTest {
    private static final int DIM = 8;

    @TempDir
    Path tmp;

    private final AtomicLong wall = new AtomicLong(System.currentTimeMillis());

    @BeforeEach
    void rollEverySecondOfAManualClock() {
        EmbeddedVecraft.journalTuningForTests = b -> b.withRollCycle(JournalRollCycle.TEST_SECONDLY)
                .withWallClock(wall::get);
    }

    @AfterEach
    void reset() {
        EmbeddedVecraft.journalTuningForTests = null;
    }

    private static Vecraft open(Path dir, Duration journalRetention) {
        return Vecraft.builder(dir).withDurability(Durability.ASYNC).withVersionRetention(Duration.ZERO)
                .withCompactionInterval(Duration.ZERO).withJournalRetention(journalRetention)
                .withMaxEntryBytes(1 << 20).withDataPartitions(1).open();
    }

    private static long cycleFiles(Path partitionDir) throws IOException {
        try (Stream<Path> s = Files.list(partitionDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cq4")).count();
        }
    }

    private void writeOverSeconds(Collection docs, SplittableRandom rnd, int seconds, int from) {
        for (int s = 0; s < seconds; s++) {
            List<Record> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = from + s * 50 + i;
                batch.add(Record.of("r" + n, TestVectors.random(rnd, DIM), Map.of("n", (long) n), null));
            }
            docs.upsert(batch);
            wall.addAndGet(1000);
        }
    }

    @Test
    void coveredOldCycleFilesAreDeletedAndTheDatabaseStillReopensAndRestores() throws IOException {
        SplittableRandom rnd = TestSeeds.random("JournalSegmentDeletionTest", 0);
        Path data = tmp.resolve("data");
        Path partition = data.resolve("journal").resolve("data-0");
        long hlcAtStart;
        try (Vecraft db = open(data, Duration.ZERO)) {
            Collection docs = db.createCollection(CollectionSpec.of("docs", DIM).withIndex(IndexSpec.exact())
                    .withShards(1));
            hlcAtStart = db.now();
            writeOverSeconds(docs, rnd, 5, 0);
            long before = cycleFiles(partition);
            assertTrue(before >= 5, "one cycle file per second: " + before);
            CompactionStats s = db.compact();
            long after = cycleFiles(partition);
            assertTrue(s.journalFilesDeleted() >= before - 1, s.toString());
            assertEquals(1, after, "only the cycle being written is kept");
            assertTrue(((EmbeddedVecraft) db).rawJournal().partition("data-0").firstSequence() > 1);
            writeOverSeconds(docs, rnd, 2, 250);
            assertEquals(350, docs.count());
            db.snapshot(tmp.resolve("snap"));
        }
        try (Vecraft db = open(data, Duration.ZERO)) {
            assertEquals(350, db.collection("docs").count(), "the checkpoint and the kept journal hold everything");
        }
        assertTrue(Vecraft.verify(data).ok(), Vecraft.verify(data).toString());
        Vecraft.restore(tmp.resolve("snap"), tmp.resolve("restored"));
        try (Vecraft db = open(tmp.resolve("restored"), Duration.ZERO)) {
            assertEquals(350, db.collection("docs").count());
        }
        // the restored journal (rolled cycle files copied up to their end marker) reads back whole
        assertTrue(Vecraft.verify(tmp.resolve("restored")).ok(), Vecraft.verify(tmp.resolve("restored")).toString());
        try (Vecraft db = open(tmp.resolve("restored"), Duration.ZERO)) {
            var p = ((EmbeddedVecraft) db).rawJournal().partition("data-0");
            long entries = 0;
            try (var t = p.tailer()) {
                while (t.next() != null) {
                    entries++;
                }
            }
            assertTrue(p.firstSequence() > 1);
            assertEquals(p.headSequence() - p.firstSequence() + 1, entries, "every stored entry reads back");
        }
        // a point before the deleted files cannot be rebuilt: refused with the reason, nothing written
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> Vecraft.restore(
                tmp.resolve("snap"), tmp.resolve("too-old"), RestorePoint.atHlc(hlcAtStart)));
        assertTrue(e.getMessage().contains("retention") || e.getMessage().contains("before the first entry"),
                e.getMessage());
    }

    /**
     * Journal entries after a shard's checkpoint that are gone (deleted cycle files) must not be skipped at
     * reopen: replaying from the first entry left would lose the writes in between without a word.
     */
    @Test
    void entriesDeletedPastAShardsCheckpointAreReportedAtOpenNotSkipped() throws IOException {
        SplittableRandom rnd = TestSeeds.random("JournalSegmentDeletionTest.pastCheckpoint", 0);
        Path data = tmp.resolve("data");
        Vecraft db = open(data, Duration.ofDays(1));
        Collection docs = db.createCollection(CollectionSpec.of("docs", DIM).withIndex(IndexSpec.exact())
                .withShards(1));
        writeOverSeconds(docs, rnd, 2, 0);
        db.checkpoint();
        writeOverSeconds(docs, rnd, 3, 100); // applied, not checkpointed
        var partition = ((EmbeddedVecraft) db).rawJournal().partition("data-0");
        long head = partition.headSequence();
        assertTrue(partition.deleteBelow(head) > 0, "cycle files holding the uncheckpointed writes deleted");
        long first = partition.firstSequence();
        ((EmbeddedVecraft) db).closeWithoutCheckpoint(); // a crash: the next open starts from the checkpoint
        io.vecraft.api.CorruptedDataException e = assertThrows(io.vecraft.api.CorruptedDataException.class,
                () -> open(data, Duration.ofDays(1)).close());
        assertTrue(e.getMessage().contains("data-0") && e.getMessage().contains("are gone")
                && e.getMessage().contains("starts at sequence " + first), e.getMessage());
    }

    @Test
    void journalRetentionKeepsFilesYoungerThanIt() throws IOException {
        SplittableRandom rnd = TestSeeds.random("JournalSegmentDeletionTest.retention", 0);
        Path data = tmp.resolve("data");
        Path partition = data.resolve("journal").resolve("data-0");
        try (Vecraft db = open(data, Duration.ofHours(1))) {
            Collection docs = db.createCollection(CollectionSpec.of("docs", DIM).withIndex(IndexSpec.exact())
                    .withShards(1));
            writeOverSeconds(docs, rnd, 4, 0);
            long before = cycleFiles(partition);
            assertEquals(0, db.compact().journalFilesDeleted());
            assertEquals(before, cycleFiles(partition));
            wall.addAndGet(Duration.ofHours(2).toMillis());
            docs.upsert(Record.of("late", TestVectors.random(rnd, DIM)));
            CompactionStats s = db.compact();
            assertTrue(s.journalFilesDeleted() >= before, "files older than the retention go: " + s);
            assertEquals(201, docs.count());
        }
    }
}
