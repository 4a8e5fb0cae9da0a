package io.vecraft.journal;

import io.vecraft.api.Durability;
import io.vecraft.api.VecraftIOException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A full disk, for real: a 16 MiB tmpfs filled up while a partition appends small entries. Chronicle
 * writes through a mapping, and a store into a page the file system cannot allocate raises SIGBUS, which
 * the JVM delivers from JIT-compiled code as an {@code InternalError} later, possibly after the append
 * returned. With the space reserved ahead (the default), every append either returns and its entry is
 * intact, before and after reopen, or fails with a {@link VecraftIOException} having written nothing
 * (SYNC and BATCH by default, ASYNC with the reservation turned on);
 * no {@code InternalError} reaches the caller. The append path is JIT-compiled first (on the ordinary file
 * system), since that is where the error is delivered late. Without the reservation this test fails: the
 * append after the one that faulted returns, and reading back finds a garbage entry (measured). Needs permission to mount a tmpfs (root); without it the
 * test is skipped and says so.
 */
class JournalFullDiskTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"SYNC", "BATCH", "ASYNC"})
    void aFullDiskFailsAnAppendCleanlyAndKeepsEveryAcknowledgedEntry(String mode) throws Exception {
        Path mount = dir.resolve("small-disk");
        Files.createDirectories(mount);
        assumeTrue(SmallDisk.mount(mount, "16m"),
                "needs permission to mount a 16 MiB tmpfs (run as root) to fill a real file system");
        try {
            Random rnd = TestSeeds.random("JournalFullDiskTest." + mode);
            warmUp(dir.resolve("warm-up"), rnd);
            Durability durability = switch (mode) {
                case "SYNC" -> Durability.SYNC;
                case "BATCH" -> Durability.batch(java.time.Duration.ofMillis(5));
                default -> Durability.ASYNC;
            };
            // SYNC and BATCH reserve by default; ASYNC only when asked to (it costs throughput there)
            JournalConfig.Builder b = JournalConfig.builder(mount.resolve("j")).withPartitions("p")
                    .withDurability(durability).withMaxPayloadBytes(1 << 16);
            JournalConfig config = "ASYNC".equals(mode) ? b.withZeroFillAhead(true).build() : b.build();
            List<byte[]> acknowledged = new ArrayList<>();
            Throwable failure = null;
            try (Journal j = Journal.open(config)) {
                JournalPartition p = j.partition("p");
                for (int i = 0; i < 30; i++) {
                    acknowledged.add(append(p, rnd, acknowledged.size() + 1));
                }
                SmallDisk.fill(mount.resolve("filler"));
                for (int i = 0; i < 200_000 && failure == null; i++) {
                    try {
                        acknowledged.add(append(p, rnd, acknowledged.size() + 1));
                    } catch (Throwable t) {
                        failure = t;
                    }
                }
                assertNotNull(failure, "200,000 appends on a full 16 MiB file system all succeeded");
                System.out.println(mode + ": " + acknowledged.size() + " appends acknowledged, then " + failure);
                assertTrue(failure instanceof VecraftIOException, "a clear I/O failure, not " + failure);
                assertEquals(acknowledged.size(), p.headSequence(), "the failed append wrote nothing: " + failure);
                churn(); // a pending asynchronous SIGBUS error would surface in code like this
                assertReadable(p, acknowledged);
            }
            churn();
            Files.delete(mount.resolve("filler"));
            try (Journal j = Journal.open(config)) {
                JournalPartition p = j.partition("p");
                assertEquals(acknowledged.size(), p.headSequence());
                assertReadable(p, acknowledged);
                acknowledged.add(append(p, rnd, acknowledged.size() + 1));
                assertReadable(p, acknowledged);
            }
        } finally {
            SmallDisk.unmount(mount);
        }
    }

    /**
     * Appends enough entries on the ordinary file system for the JIT to compile the append path:
     * faults in interpreted code are reported at once, in compiled code possibly much later.
     */
    private static void warmUp(Path where, Random rnd) {
        try (Journal j = Journal.open(JournalConfig.builder(where).withPartitions("w")
                .withDurability(Durability.ASYNC).build())) {
            JournalPartition w = j.partition("w");
            for (int i = 1; i <= 100_000; i++) {
                append(w, rnd, i);
            }
        }
    }

    /** Appends one 300-byte entry and checks its sequence; returns the payload. */
    private static byte[] append(JournalPartition p, Random rnd, long expectedSeq) {
        byte[] payload = new byte[300];
        rnd.nextBytes(payload);
        assertEquals(expectedSeq, p.append(1, "", 0, payload).sequence());
        return payload;
    }

    private static void assertReadable(JournalPartition p, List<byte[]> acknowledged) {
        try (JournalTailer t = p.tailer()) {
            for (int i = 0; i < acknowledged.size(); i++) {
                JournalEntry e = t.next();
                assertNotNull(e, "acknowledged entry " + (i + 1));
                assertArrayEquals(acknowledged.get(i), e.payload(), "payload of " + (i + 1));
            }
            assertNull(t.next());
        }
    }

    /** Allocation, calls into the VM and a yield: the places where HotSpot delivers a pending async error. */
    private static void churn() {
        long sum = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[64 + (i & 1023)];
            sum += b.length + System.identityHashCode(b) + Integer.getInteger("vecraft.none", i);
            if ((i & 1023) == 0) {
                Thread.yield();
            }
        }
        assertTrue(sum != 0);
    }
}
