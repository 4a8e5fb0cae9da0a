package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Record;
import io.vecraft.api.RestorePoint;
import io.vecraft.api.RestoreReport;
import io.vecraft.api.SnapshotInfo;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VerifyReport;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots taken while writes go on restore to a database whose state equals the original's
 * state as of the restore point (latest, an HLC, a partition sequence); a damaged snapshot is
 * reported by verifySnapshot and refused by restore.
 */
class SnapshotRestoreTest {
    private static final int DIM = 8;

    @TempDir
    Path tmp;

    private Vecraft open(Path dir) {
        return Vecraft.builder(dir).withDurability(Durability.batch(Duration.ofMillis(5)))
                .withMaxEntryBytes(1 << 20).withCheckpointInterval(Duration.ofDays(1)).open();
    }

    private static Record record(String id, SplittableRandom rnd) {
        return Record.of(id, TestVectors.random(rnd, DIM), Map.of("n", (long) rnd.nextInt(100)), "doc " + id);
    }

    /** Every id of every collection named, as of {@code hlc} in {@code original}, equals the restored db's latest. */
    private static void assertSameState(Vecraft original, long hlc, Vecraft restored, Map<String, Set<String>> ids) {
        for (Map.Entry<String, Set<String>> c : ids.entrySet()) {
            Collection o = original.findCollection(c.getKey()).orElse(null);
            Optional<Collection> r = restored.findCollection(c.getKey());
            long expectedCount = o == null ? 0 : o.count(ReadOptions.defaults().asOf(hlc));
            assertEquals(expectedCount, r.map(Collection::count).orElse(0L), "count of " + c.getKey());
            for (String id : c.getValue()) {
                Optional<Record> want = o == null ? Optional.empty() : o.get(id, ReadOptions.defaults().asOf(hlc));
                Optional<Record> got = r.flatMap(x -> x.get(id));
                assertEquals(want, got, c.getKey() + "/" + id);
            }
        }
    }

    @Test
    void snapshotTakenWhileWritingRestoresToItsConsistentLatestState() throws Exception {
        Path data = tmp.resolve("data");
        Path snap = tmp.resolve("snap");
        Path restoredDir = tmp.resolve("restored");
        SplittableRandom rnd = TestSeeds.random("SnapshotRestoreTest.latest", 0);
        Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (Vecraft db = open(data)) {
            Collection docs = db.createCollection(CollectionSpec.of("docs", DIM).withShards(2));
            for (int i = 0; i < 300; i++) {
                docs.upsert(record("r" + i, rnd));
                ids.add("r" + i);
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger written = new AtomicInteger();
            SplittableRandom wr = rnd.split();
            Thread writer = new Thread(() -> {
                int i = 0;
                while (!stop.get()) {
                    String id = "w" + (i % 200);
                    ids.add(id);
                    if (i % 7 == 3) {
                        docs.delete(id);
                    } else {
                        docs.upsert(record(id, wr));
                    }
                    i++;
                    written.incrementAndGet();
                }
            });
            writer.start();
            try {
                while (written.get() < 100) {
                    Thread.onSpinWait();
                }
                SnapshotInfo info = db.snapshot(snap);
                int atSnapshot = written.get();
                while (written.get() < atSnapshot + 100) {
                    Thread.onSpinWait(); // writes keep going after the snapshot too
                }
                assertTrue(info.files() > 0, info.toString());
            } finally {
                stop.set(true);
                writer.join();
            }
            VerifyReport v = Vecraft.verifySnapshot(snap);
            assertTrue(v.ok(), v.toString());
            RestoreReport r = Vecraft.restore(snap, restoredDir);
            assertEquals(List.of(), r.shardsRebuilt(), r.toString());
            assertEquals(2, r.shardsFromCheckpoint().size(), r.toString());
            assertTrue(r.cutHlc() > 0);
            try (Vecraft restored = open(restoredDir)) {
                assertSameState(db, r.cutHlc(), restored, Map.of("docs", new TreeSet<>(ids)));
                // the restored database accepts writes and reopens
                restored.collection("docs").upsert(record("after", rnd));
            }
            assertTrue(Vecraft.verify(restoredDir).ok());
            try (Vecraft again = open(restoredDir)) {
                assertTrue(again.collection("docs").get("after").isPresent());
            }
        }
    }

    @Test
    void restoreToAnHlcGoesBackBeforeTheCheckpointsAndTheCatalog() {
        Path data = tmp.resolve("data");
        Path snap = tmp.resolve("snap");
        SplittableRandom rnd = TestSeeds.random("SnapshotRestoreTest.hlc", 0);
        Map<String, Set<String>> ids = Map.of("docs", new TreeSet<>(), "gone", new TreeSet<>(),
                "late", new TreeSet<>());
        try (Vecraft db = open(data)) {
            Collection docs = db.createCollection(CollectionSpec.of("docs", DIM).withShards(2));
            Collection gone = db.createCollection(CollectionSpec.of("gone", DIM).withShards(1));
            for (int i = 0; i < 200; i++) {
                docs.upsert(record("a" + i, rnd));
                ids.get("docs").add("a" + i);
                if (i % 4 == 0) {
                    gone.upsert(record("g" + i, rnd));
                    ids.get("gone").add("g" + i);
                }
            }
            db.checkpoint();
            long t = db.now();
            // after T: updates, deletes, new records, a dropped and a created collection
            for (int i = 0; i < 200; i += 2) {
                docs.upsert(record("a" + i, rnd));
            }
            docs.delete(List.of("a1", "a3", "a5"));
            for (int i = 0; i < 50; i++) {
                docs.upsert(record("b" + i, rnd));
                ids.get("docs").add("b" + i);
            }
            db.dropCollection("gone");
            Collection late = db.createCollection(CollectionSpec.of("late", DIM).withShards(1));
            late.upsert(record("l0", rnd));
            ids.get("late").add("l0");
            db.snapshot(snap);

            RestoreReport r = Vecraft.restore(snap, tmp.resolve("at-t"), RestorePoint.atHlc(t));
            assertTrue(r.catalogRebuilt(), r.toString());
            assertTrue(r.shardsRebuilt().size() >= 2, r.toString());
            assertTrue(r.cutHlc() <= t, r.toString());
            try (Vecraft restored = open(tmp.resolve("at-t"))) {
                assertEquals(Set.of("docs", "gone"), new TreeSet<>(restored.listCollections().stream()
                        .map(CollectionSpec::name).toList()));
                // "gone" was dropped in the original: its state as of T is checked against what was written
                Collection g = restored.collection("gone");
                assertEquals(ids.get("gone").size(), g.count());
                assertSameState(db, t, restored, Map.of("docs", ids.get("docs")));
            }
            // latest restore of the same snapshot has the late collection and not the dropped one
            RestoreReport latest = Vecraft.restore(snap, tmp.resolve("latest"));
            try (Vecraft restored = open(tmp.resolve("latest"))) {
                assertFalse(restored.findCollection("gone").isPresent());
                assertEquals(1, restored.collection("late").count());
                assertSameState(db, latest.cutHlc(), restored, Map.of("docs", ids.get("docs"),
                        "late", ids.get("late")));
            }
        }
    }

    @Test
    void restoreToAPartitionSequenceCutsThatPartitionExactlyThere() {
        Path data = tmp.resolve("data");
        Path snap = tmp.resolve("snap");
        SplittableRandom rnd = TestSeeds.random("SnapshotRestoreTest.sequence", 0);
        Set<String> ids = new TreeSet<>();
        try (Vecraft db = open(data)) {
            Collection docs = db.createCollection(CollectionSpec.of("docs", DIM).withShards(2));
            for (int i = 0; i < 300; i++) {
                docs.upsert(record("r" + (i % 120), rnd));
                ids.add("r" + (i % 120));
            }
            SnapshotInfo info = db.snapshot(snap);
            // the collection's shards write to the data partition(s) its uid maps to: take the busiest
            String partition = info.heads().entrySet().stream().filter(e -> e.getKey().startsWith("data-"))
                    .max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            long head = info.heads().get(partition);
            assertTrue(head > 20, info.toString());
            long seq = head / 2;
            RestoreReport r = Vecraft.restore(snap, tmp.resolve("r"), RestorePoint.atSequence(partition, seq));
            assertEquals(seq, r.lastSequences().get(partition));
            try (Vecraft restored = open(tmp.resolve("r"))) {
                assertSameState(db, r.cutHlc(), restored, Map.of("docs", ids));
                long n = restored.collection("docs").count();
                assertTrue(n > 0 && n <= 120, "count " + n);
            }
            InvalidArgumentException bad = assertThrows(InvalidArgumentException.class,
                    () -> Vecraft.restore(snap, tmp.resolve("bad"), RestorePoint.atSequence(partition, head + 1)));
            assertTrue(bad.getMessage().contains("point.sequence"), bad.getMessage());
            assertThrows(InvalidArgumentException.class,
                    () -> Vecraft.restore(snap, tmp.resolve("bad2"), RestorePoint.atSequence("nope", 1)));
        }
    }

    /**
     * A snapshot taken while writes go on may hold entries stamped after its consistent point (the heads are read
     * one partition after another). Restoring to such an entry's sequence would cut the other partitions at an
     * instant their copies may not fully hold, so it is refused, naming the latest consistent sequence. The race
     * is made deterministic by lowering the manifest's consistent point below entries the snapshot holds, which is
     * the state a write racing the heads' reading leaves.
     */
    @Test
    void restoreRefusesASequenceWrittenAfterTheSnapshotsConsistentPoint() throws IOException {
        Path data = tmp.resolve("data");
        Path snap = tmp.resolve("snap");
        SplittableRandom rnd = TestSeeds.random("SnapshotRestoreTest.racingSequence", 0);
        List<io.vecraft.api.Receipt> receipts = new ArrayList<>();
        try (Vecraft db = open(data)) {
            Collection docs = db.createCollection(CollectionSpec.of("docs", DIM));
            for (int i = 0; i < 60; i++) {
                receipts.add(docs.upsert(record("r" + i, rnd)));
            }
            db.snapshot(snap);
        }
        io.vecraft.api.Receipt racing = receipts.get(40);
        String partition = racing.partition();
        Path mf = snap.resolve(io.vecraft.api.SnapshotDestination.MANIFEST);
        SnapshotManifest m = SnapshotManifest.decode(Files.readAllBytes(mf), mf.toString());
        assertTrue(m.hlc() > receipts.get(59).hlc(), "no write raced this snapshot: " + m.hlc());
        SnapshotManifest raced = new SnapshotManifest(m.createdMillis(), racing.hlc() - 1, m.maxEntryBytes(),
                m.rollCycle(), m.partitions(), m.catalogSequence(), m.shards(), m.files());
        Files.write(mf, raced.encode());
        assertTrue(Vecraft.verifySnapshot(snap).ok());

        Path bad = tmp.resolve("bad");
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> Vecraft.restore(snap, bad, RestorePoint.atSequence(partition, racing.sequence())));
        assertTrue(e.getMessage().contains("point.sequence") && e.getMessage().contains("HLC " + racing.hlc())
                && e.getMessage().endsWith("is " + (racing.sequence() - 1)), e.getMessage());
        assertTrue(!Files.exists(bad) || isEmpty(bad), "a refused restore leaves nothing behind");

        RestoreReport before = Vecraft.restore(snap, tmp.resolve("r1"),
                RestorePoint.atSequence(partition, racing.sequence() - 1));
        assertEquals(racing.sequence() - 1, before.lastSequences().get(partition));
        RestoreReport latest = Vecraft.restore(snap, tmp.resolve("r2"), RestorePoint.latest());
        assertEquals(racing.sequence() - 1, latest.lastSequences().get(partition),
                "the latest consistent state ends before the racing entry too");
        try (Vecraft restored = open(tmp.resolve("r2"))) {
            assertEquals(40, restored.collection("docs").count(), "the writes before the racing one, in any partition");
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    @Test
    void damagedSnapshotIsReportedAndRefusedAndTheTargetStaysEmpty() throws IOException {
        Path data = tmp.resolve("data");
        Path snap = tmp.resolve("snap");
        SplittableRandom rnd = TestSeeds.random("SnapshotRestoreTest.damage", 0);
        try (Vecraft db = open(data)) {
            Collection docs = db.createCollection(CollectionSpec.of("docs", DIM).withShards(1));
            for (int i = 0; i < 50; i++) {
                docs.upsert(record("r" + i, rnd));
            }
            db.snapshot(snap);
            assertThrows(InvalidArgumentException.class, () -> db.snapshot(snap), "snapshot into a non-empty dir");
        }
        assertTrue(Vecraft.verifySnapshot(snap).ok());
        Path payload;
        try (Stream<Path> s = Files.walk(snap)) {
            payload = s.filter(p -> p.getFileName().toString().equals("payload.log")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(payload.toFile(), "rw")) {
            long pos = f.length() / 2;
            f.seek(pos);
            int b = f.read();
            f.seek(pos);
            f.write(b ^ 0x10);
        }
        VerifyReport v = Vecraft.verifySnapshot(snap);
        assertFalse(v.ok());
        assertEquals(payload, v.problems().get(0).file());
        Path target = tmp.resolve("target");
        assertThrows(CorruptedDataException.class, () -> Vecraft.restore(snap, target));
        assertFalse(Files.exists(target) && Files.list(target).findAny().isPresent(), "nothing half-written");

        Files.delete(snap.resolve("SNAPSHOT"));
        VerifyReport noManifest = Vecraft.verifySnapshot(snap);
        assertFalse(noManifest.ok());
        assertTrue(noManifest.problems().get(0).message().contains("incomplete"), noManifest.toString());
    }
}
