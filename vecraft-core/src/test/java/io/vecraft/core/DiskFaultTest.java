package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Durability;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Record;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftConfig;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.api.spi.ForceObserver;
import io.vecraft.journal.SmallDisk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full disk and I/O errors at the database level. What happens afterwards (documented in DURABILITY.md):
 * the failed write throws a {@link VecraftException} naming the cause; what was written before stays
 * readable; the failed journal partition (or shard) refuses writes until the database is reopened, and a
 * failed force is never retried (the kernel may have dropped the pages it could not write); reads that need
 * data newer than the failure fail at once instead of waiting; after reopening (with space back) everything
 * acknowledged is there and writes work again.
 */
class DiskFaultTest {
    @TempDir
    Path dir;

    @AfterEach
    void uninstall() {
        ForceObserver.uninstall();
    }

    private static VecraftConfig.Builder config(Path data) {
        return Vecraft.builder(data).withMaxEntryBytes(1 << 20).withDataPartitions(1).withDefaultShards(1)
                .withWaitTimeout(Duration.ofSeconds(20)).withCheckpointInterval(Duration.ofDays(1));
    }

    private static List<Record> writeSome(Collection c, String prefix, int n) {
        List<Record> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Record r = KillWorkload.record(prefix + i, 0, prefix + "-" + i);
            c.upsert(r);
            out.add(r);
        }
        return out;
    }

    private static void assertReadable(Collection c, List<Record> records, ReadOptions options) {
        for (Record r : records) {
            assertEquals(Optional.of(r), c.get(r.id(), options), "earlier record " + r.id() + " stays readable");
        }
    }

    /** Fails every force of the data partition's journal files once armed, and counts the attempts. */
    private static final class FailingJournalForce implements ForceObserver {
        final AtomicBoolean armed = new AtomicBoolean();
        final AtomicInteger attemptsWhileArmed = new AtomicInteger();
        final String message;

        FailingJournalForce(String message) {
            this.message = message;
        }

        @Override
        public void beforeForce(Path path, Kind kind) throws IOException {
            if (armed.get() && path.toString().endsWith(".cq4") && path.getParent().getFileName().toString()
                    .equals("data-0")) {
                attemptsWhileArmed.incrementAndGet();
                throw new IOException(message);
            }
        }
    }

    @Test
    void journalFsyncFailureFailsTheWriteIsNeverRetriedAndReadsGoOn() {
        FailingJournalForce fault = new FailingJournalForce("Input/output error (injected fdatasync failure)");
        ForceObserver.install(fault);
        Path data = dir.resolve("db");
        List<Record> before;
        try (Vecraft db = config(data).withDurability(Durability.SYNC).open()) {
            Collection c = db.createCollection(CollectionSpec.of("c", KillWorkload.DIMENSION));
            before = writeSome(c, "a", 20);
            fault.armed.set(true);
            VecraftIOException e = assertThrows(VecraftIOException.class,
                    () -> c.upsert(KillWorkload.record("x", 0, "failed")));
            assertTrue(e.getMessage().contains("data-0") && e.getMessage().contains("fdatasync"), e.getMessage());
            assertEquals(1, fault.attemptsWhileArmed.get(), "one force attempt");
            fault.armed.set(false); // the device is fine again: the partition must still refuse, not retry
            VecraftIOException refused = assertThrows(VecraftIOException.class,
                    () -> c.upsert(KillWorkload.record("y", 0, "refused")));
            assertTrue(refused.getMessage().contains("refuses appends until"), refused.getMessage());
            assertEquals(1, fault.attemptsWhileArmed.get());
            assertReadable(c, before, ReadOptions.defaults());
            // a read that needs data newer than the failure fails at once, not after the wait timeout
            long t0 = System.nanoTime();
            VecraftIOException strong = assertThrows(VecraftIOException.class,
                    () -> c.get("a-0", ReadOptions.defaults().withConsistency(Consistency.STRONG)));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "fails fast: " + strong.getMessage());
            assertTrue(strong.getMessage().contains("reopened"), strong.getMessage());
        }
        try (Vecraft db = config(data).open()) {
            Collection c = db.collection("c");
            assertReadable(c, before, ReadOptions.defaults().withConsistency(Consistency.STRONG));
            Record after = KillWorkload.record("z", 0, "after");
            c.upsert(after);
            assertEquals(Optional.of(after), c.get("after"));
        }
    }

    @Test
    void checkpointFsyncFailureStopsTheShardKeepsReadsAndLosesNothing() {
        AtomicBoolean armed = new AtomicBoolean();
        AtomicInteger attempts = new AtomicInteger();
        ForceObserver.install(new ForceObserver() {
            @Override
            public void beforeForce(Path path, Kind kind) throws IOException {
                if (armed.get() && path.toString().contains("checkpoints")) {
                    attempts.incrementAndGet();
                    throw new IOException("Input/output error (injected fsync failure)");
                }
            }
        });
        Path data = dir.resolve("db");
        List<Record> before;
        try (Vecraft db = config(data).open()) {
            Collection c = db.createCollection(CollectionSpec.of("c", KillWorkload.DIMENSION)
                    .withIndex(IndexSpec.hnsw(8, 64, 64)));
            before = writeSome(c, "a", 30);
            armed.set(true);
            VecraftException e = assertThrows(VecraftException.class, db::checkpoint);
            assertTrue(e.getMessage().contains("checkpoint") && e.getMessage().contains("fsync"), e.getMessage());
            int tries = attempts.get();
            assertTrue(tries >= 1);
            armed.set(false);
            assertReadable(c, before, ReadOptions.defaults());
            VecraftException write = assertThrows(VecraftException.class,
                    () -> c.upsert(KillWorkload.record("y", 0, "refused")));
            assertTrue(write.getMessage().contains("stopped applying"), write.getMessage());
            assertEquals(tries, attempts.get(), "the failed checkpoint is not retried");
        }
        try (Vecraft db = config(data).open()) {
            Collection c = db.collection("c");
            assertReadable(c, before, ReadOptions.defaults().withConsistency(Consistency.STRONG));
            // the write refused by the stopped shard was durable in the journal before it was refused
            assertTrue(c.get("refused").isPresent(), "the journal had the refused write; replay applied it");
            c.upsert(KillWorkload.record("z", 0, "after"));
            db.checkpoint();
        }
    }

    @Test
    void fullDiskFailsTheWriteKeepsEarlierDataAndWorksAfterReopen() throws Exception {
        Path mount = dir.resolve("small-disk");
        Files.createDirectories(mount);
        // -Dvecraft.test.injectEnospc=true forces the injected variant (what a machine without mount rights runs)
        boolean tmpfs = !Boolean.getBoolean("vecraft.test.injectEnospc")
                && SmallDisk.mount(mount, "48m");
        FailingJournalForce injected = new FailingJournalForce("No space left on device (injected ENOSPC)");
        Path data = mount.resolve("db");
        Path filler = mount.resolve("filler");
        List<Record> before = new ArrayList<>();
        try {
            if (!tmpfs) {
                // no permission to mount a small file system: inject ENOSPC where a full disk reports it
                // to a mapped-file writer that forces (the delayed write-back fails at fdatasync)
                ForceObserver.install(injected);
            }
            System.out.println("full disk test uses " + (tmpfs ? "a 48 MiB tmpfs" : "an injected ENOSPC"));
            Vecraft db = config(data).open();
            try {
                Collection c = db.createCollection(CollectionSpec.of("c", KillWorkload.DIMENSION)
                        .withIndex(IndexSpec.exact()));
                before.addAll(writeSome(c, "a", 30));
                db.checkpoint();
                if (tmpfs) {
                    SmallDisk.fill(filler);
                } else {
                    injected.armed.set(true);
                }
                String big = "x".repeat(200_000);
                VecraftException failure = null;
                for (int i = 0; i < 400 && failure == null; i++) {
                    try {
                        c.upsert(Record.of("big-" + i, KillWorkload.vector("big", i), Map.of(), big));
                    } catch (VecraftException e) {
                        failure = e;
                    }
                }
                if (failure == null) {
                    fail("400 writes of 200 KB each on a full disk all succeeded");
                }
                System.out.println("full disk: the write failed with " + failure);
                assertTrue(failure instanceof VecraftIOException || failure.getMessage().contains("stopped applying"),
                        "a clear I/O failure: " + failure);
                assertReadable(c, before, ReadOptions.defaults());
                Files.deleteIfExists(filler); // space is back
                injected.armed.set(false);
                VecraftException again = assertThrows(VecraftException.class,
                        () -> c.upsert(KillWorkload.record("y", 0, "refused")));
                assertTrue(again.getMessage().contains("until") || again.getMessage().contains("stopped applying"),
                        "refuses writes until reopen: " + again.getMessage());
                assertReadable(c, before, ReadOptions.defaults());
            } finally {
                try {
                    db.close();
                } catch (VecraftException closeFailure) {
                    // closing after a failure may report it again; what matters is the reopen below
                    System.out.println("close after the full disk: " + closeFailure);
                }
            }
            try (Vecraft again = config(data).open()) {
                Collection c = again.collection("c");
                assertReadable(c, before, ReadOptions.defaults().withConsistency(Consistency.STRONG));
                Record after = KillWorkload.record("z", 0, "after");
                c.upsert(after);
                assertEquals(Optional.of(after), c.get("after"));
            }
        } finally {
            if (tmpfs) {
                SmallDisk.unmount(mount);
            }
        }
    }
}
