package io.vecraft.journal;

import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetentionTest {

    private static final long T0 = 1_764_000_000_000L;

    @TempDir
    Path dir;

    private long cycleFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("data-0"))) {
            return s.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }

    /** Four one-second cycles of 10 entries: sequences 1-10, 11-20, 21-30, 31-40. */
    private JournalConfig fourCycles(ManualClock wall) {
        JournalConfig cfg = JournalConfig.builder(dir).withDurability(Durability.SYNC)
                .withRollCycle(JournalRollCycle.TEST_SECONDLY).withWallClock(wall).build();
        try (Journal j = Journal.open(cfg)) {
            for (int c = 0; c < 4; c++) {
                for (int i = 0; i < 10; i++) {
                    j.partition("data-0").append(1, "r", 0, new byte[20]);
                }
                wall.advance(1000);
            }
        }
        return cfg;
    }

    @Test
    void deletesOnlyWholeCyclesBelowTheSequence() throws IOException {
        ManualClock wall = new ManualClock(T0);
        JournalConfig cfg = fourCycles(wall);
        assertEquals(4, cycleFiles());
        try (Journal j = Journal.open(cfg.toBuilder().build())) {
            JournalPartition p = j.partition("data-0");
            assertEquals(1, p.firstSequence());
            assertEquals(0, p.deleteBelow(10), "cycle 1-10 still holds sequence 10");
            assertEquals(4, cycleFiles());
            assertEquals(1, p.deleteBelow(11), "cycle 1-10 is wholly below 11");
            assertEquals(11, p.firstSequence());
            assertEquals(3, cycleFiles());
            assertEquals(1, p.deleteBelow(29));
            assertEquals(21, p.firstSequence());
            assertEquals(1, p.deleteBelow(1_000), "cycle 21-30 goes, the cycle being written (31-40) stays");
            assertEquals(31, p.firstSequence());
            assertEquals(0, p.deleteBelow(1_000), "the cycle being written is never deleted");
            assertEquals(1, cycleFiles());
            assertEquals(40, p.headSequence());
            try (JournalTailer t = p.tailer()) {
                assertEquals(31, t.nextSequence(), "a new tailer starts at the first stored sequence");
                for (int i = 31; i <= 40; i++) {
                    assertEquals(i, t.next().sequence());
                }
                assertNull(t.next());
                InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> t.seekSequence(30));
                assertTrue(e.getMessage().contains("31") && e.getMessage().contains("retention"), e.getMessage());
            }
            assertEquals(41, p.append(1, "after", 0, new byte[0]).sequence());
        }
        try (Journal j = Journal.open(cfg.toBuilder().build())) {
            JournalPartition p = j.partition("data-0");
            assertEquals(31, p.firstSequence(), "first sequence after reopen");
            assertEquals(41, p.headSequence());
            try (JournalTailer t = p.tailer()) {
                assertEquals(31, t.next().sequence());
            }
        }
    }

    @Test
    void aTailerBehindTheDeletedCyclesFailsClearly() {
        ManualClock wall = new ManualClock(T0);
        JournalConfig cfg = fourCycles(wall);
        try (Journal j = Journal.open(cfg.toBuilder().build())) {
            JournalPartition p = j.partition("data-0");
            try (JournalTailer t = p.tailer()) {
                assertEquals(1, t.next().sequence());
                assertEquals(2, p.deleteBelow(25));
                NotFoundException e = assertThrows(NotFoundException.class, t::next);
                assertTrue(e.getMessage().contains("data-0#2") && e.getMessage().contains("21"), e.getMessage());
                t.seekSequence(21);
                assertEquals(21, t.next().sequence());
            }
        }
    }
}
