package io.vecraft.journal;

import io.vecraft.api.Durability;
import io.vecraft.api.VerifyReport.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Space reservation ahead of the writer ({@link JournalConfig.Builder#withZeroFillAhead}, on by default in SYNC
 * and BATCH, on request in ASYNC): it never changes an entry or an index array Chronicle starts after an entry,
 * across rolls and entries of every size (some larger than the reserved window); it can be turned off.
 * What it is for on a full disk is in {@link JournalFullDiskTest}.
 */
class PreallocationTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private static byte[] payload(int seq, int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) (seq * 31));
        if (length > 0) {
            b[length - 1] = (byte) (seq >>> 8);
        }
        return b;
    }

    @Test
    void reservingAheadNeverChangesEntriesOrChronicleIndexes() throws Exception {
        Random rnd = TestSeeds.random("reservingAheadNeverChangesEntriesOrChronicleIndexes");
        ManualClock wall = new ManualClock(T0);
        // TEST_SECONDLY: index arrays of 32K entries, one index entry every 4 excerpts, so a new
        // index array starts after excerpt 131,072 of a file; the roll at 150,000 starts a new file.
        int entries = 200_000;
        int rollAt = 150_000;
        int[] lengths = new int[entries + 1];
        JournalConfig config = JournalConfig.builder(dir.resolve("j"))
                .withDurability(Durability.batch(Duration.ofMinutes(10))).withZeroFillAhead(true)
                .withRollCycle(JournalRollCycle.TEST_SECONDLY).withWallClock(wall).build();
        long reservedAhead;
        try (Journal j = Journal.open(config)) {
            ChroniclePartition p = (ChroniclePartition) j.partition("data-0");
            for (int seq = 1; seq <= entries; seq++) {
                if (seq == rollAt) {
                    wall.advance(1000);
                }
                // Mostly small entries; now and then one larger than the zero-filled window, and a
                // run of them around Chronicle's sequence 131,072 (journal sequence 131,073), whose
                // commit starts the second index array right after the entry: the zeros must not
                // land on it when the entry has carried the write position past the filled window.
                boolean large = rnd.nextInt(4000) == 0 || (seq >= 131_068 && seq <= 131_076);
                int len = large ? 1_100_000 + rnd.nextInt(1 << 20) : rnd.nextInt(80);
                lengths[seq] = len;
                assertEquals(seq, p.append(1, "", 0, payload(seq, len)).sequence());
            }
            reservedAhead = p.reservedAheadBytes();
        }
        assertTrue(reservedAhead > 4L << 20, "reserved ahead: " + reservedAhead + " bytes");

        JournalVerifier.Report report = JournalVerifier.verify(dir.resolve("j"));
        assertTrue(report.findings().stream().allMatch(f -> f.status() == Status.OK), report.findings().toString());
        assertEquals((long) entries, report.headSequences().get("data-0"));
        try (Journal j = Journal.open(config)) {
            JournalPartition p = j.partition("data-0");
            assertEquals(entries, p.headSequence());
            JournalTailer t = p.tailer();
            for (int seq = 1; seq <= entries; seq++) {
                JournalEntry e = t.next();
                assertNotNull(e, "entry " + seq);
                assertEquals(seq, e.sequence());
                assertArrayEquals(payload(seq, lengths[seq]), e.payload(), "payload of " + seq);
            }
            assertNull(t.next());
        }
    }

    @Test
    void syncAppendsIntoReservedSpaceSurviveReopen() {
        JournalConfig config = JournalConfig.builder(dir.resolve("s")).withDurability(Durability.SYNC)
                .withZeroFillAhead(true).build();
        try (Journal j = Journal.open(config)) {
            ChroniclePartition p = (ChroniclePartition) j.partition("data-0");
            for (int seq = 1; seq <= 40; seq++) {
                p.append(1, "r" + seq, 0, payload(seq, 100_000));
                assertTrue(p.durableSequence() >= seq);
            }
            assertTrue(p.reservedAheadBytes() > 0, "SYNC reserves ahead");
        }
        try (Journal j = Journal.open(config)) {
            JournalTailer t = j.partition("data-0").tailer();
            for (int seq = 1; seq <= 40; seq++) {
                assertArrayEquals(payload(seq, 100_000), t.next().payload());
            }
        }
    }

    @Test
    void asyncReservesOnlyWhenAskedTo() {
        try (Journal j = Journal.open(JournalConfig.builder(dir.resolve("a")).withDurability(Durability.ASYNC).build())) {
            ChroniclePartition p = (ChroniclePartition) j.partition("data-0");
            for (int seq = 1; seq <= 1000; seq++) {
                p.append(1, "", 0, payload(seq, 5000));
            }
            assertEquals(0, p.reservedAheadBytes(), "ASYNC does not reserve by default");
        }
        try (Journal j = Journal.open(JournalConfig.builder(dir.resolve("b")).withDurability(Durability.ASYNC)
                .withZeroFillAhead(true).build())) {
            ChroniclePartition p = (ChroniclePartition) j.partition("data-0");
            for (int seq = 1; seq <= 1000; seq++) {
                p.append(1, "", 0, payload(seq, 5000));
            }
            assertTrue(p.reservedAheadBytes() >= 5_000_000L, "reserved ahead: " + p.reservedAheadBytes());
        }
    }

    @Test
    void syncReservesByDefaultAndCanBeTurnedOff() {
        try (Journal j = Journal.open(JournalConfig.builder(dir.resolve("d")).withDurability(Durability.SYNC).build())) {
            ChroniclePartition p = (ChroniclePartition) j.partition("data-0");
            p.append(1, "", 0, payload(1, 50_000));
            assertTrue(p.reservedAheadBytes() > 50_000, "reserved by default: " + p.reservedAheadBytes());
        }
        try (Journal j = Journal.open(JournalConfig.builder(dir.resolve("o")).withDurability(Durability.SYNC)
                .withZeroFillAhead(false).build())) {
            ChroniclePartition p = (ChroniclePartition) j.partition("data-0");
            for (int seq = 1; seq <= 20; seq++) {
                p.append(1, "", 0, payload(seq, 50_000));
            }
            assertEquals(0, p.reservedAheadBytes());
        }
    }
}
