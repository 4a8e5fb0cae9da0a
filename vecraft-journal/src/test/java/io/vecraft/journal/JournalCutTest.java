package io.vecraft.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Durability;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link JournalCut} keeps exactly the entries up to a sequence or an HLC, byte for byte, across cycle
 * files, ignores whatever follows the cut (garbage, a partial entry), and the journal reopens there and
 * appends after it.
 */
class JournalCutTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private JournalConfig config(ManualClock wall) {
        return JournalConfig.builder(dir.resolve("j")).withDurability(Durability.ASYNC)
                .withRollCycle(JournalRollCycle.TEST_SECONDLY).withWallClock(wall).build();
    }

    private Path partitionDir() {
        return dir.resolve("j").resolve("data-0");
    }

    private long cycleFiles() throws IOException {
        try (Stream<Path> s = Files.list(partitionDir())) {
            return s.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }

    /** Appends 4 cycles of 25 entries; returns every entry. */
    private List<JournalEntry> write(ManualClock wall) {
        try (Journal j = Journal.open(config(wall))) {
            for (int c = 0; c < 4; c++) {
                for (int i = 0; i < 25; i++) {
                    j.partition("data-0").append(1, "r" + c + "-" + i, 0, new byte[] {(byte) c, (byte) i});
                }
                wall.advance(1000);
            }
            return read(j);
        }
    }

    private static List<JournalEntry> read(Journal j) {
        List<JournalEntry> out = new ArrayList<>();
        try (JournalTailer t = j.partition("data-0").tailer()) {
            JournalEntry e;
            while ((e = t.next()) != null) {
                out.add(e);
            }
        }
        return out;
    }

    private JournalCut.Result cut(long maxSeq, long maxHlc) {
        return JournalCut.cut(partitionDir(), "data-0", 2, JournalRollCycle.TEST_SECONDLY,
                JournalConfig.DEFAULT_MAX_PAYLOAD_BYTES, maxSeq, maxHlc);
    }

    @Test
    void cutAtASequenceInTheMiddleOfACycleKeepsExactlyThePrefix() throws IOException {
        ManualClock wall = new ManualClock(T0);
        List<JournalEntry> all = write(wall);
        assertEquals(100, all.size());
        assertEquals(4, cycleFiles());
        JournalCut.Result r = cut(60, Long.MAX_VALUE);
        assertEquals(60, r.lastSequence());
        assertEquals(all.get(59).hlc(), r.lastHlc());
        assertEquals(1, r.deletedFiles());
        assertTrue(r.rewritten());
        assertEquals(3, cycleFiles());
        try (Journal j = Journal.open(config(wall))) {
            List<JournalEntry> kept = read(j);
            assertEquals(60, kept.size());
            for (int i = 0; i < 60; i++) {
                assertEquals(all.get(i).sequence(), kept.get(i).sequence());
                assertEquals(all.get(i).hlc(), kept.get(i).hlc());
                assertEquals(all.get(i).requestId(), kept.get(i).requestId());
                assertArrayEquals(all.get(i).payload(), kept.get(i).payload());
            }
            assertEquals(61, j.partition("data-0").append(1, "next", 0, new byte[] {9}).sequence());
        }
    }

    @Test
    void cutAtAnHlcKeepsEveryEntryAtOrBeforeIt() {
        ManualClock wall = new ManualClock(T0);
        List<JournalEntry> all = write(wall);
        long t = all.get(41).hlc();
        JournalCut.Result r = cut(100, t);
        assertEquals(42, r.lastSequence());
        try (Journal j = Journal.open(config(wall))) {
            assertEquals(42, j.partition("data-0").headSequence());
        }
        // before the first entry: nothing is kept
        assertEquals(0, cut(100, all.get(0).hlc() - 1).lastSequence());
    }

    @Test
    void garbageAfterTheCutPointIsNeverRead() throws IOException {
        ManualClock wall = new ManualClock(T0);
        List<JournalEntry> all = write(wall);
        Path last;
        try (Stream<Path> s = Files.list(partitionDir())) {
            last = s.filter(p -> p.toString().endsWith(".cq4")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        // damage entry 95 while 96..100 stay valid: a full scan calls that corruption before the tail
        long[] pos95 = {-1};
        try (var s = new io.vecraft.journal.internal.CycleFileScanner(last, "data-0", 2, 1 << 20)) {
            s.scan(0, 0, (pos, e, len) -> {
                if (io.vecraft.journal.internal.EntryFormat.sequence(e) == 95) {
                    pos95[0] = pos;
                }
            });
        }
        assertTrue(pos95[0] > 0);
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.seek(pos95[0] + 12);
            f.write(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef});
        }
        JournalCut.Result r = cut(90, Long.MAX_VALUE);
        assertEquals(90, r.lastSequence());
        try (Journal j = Journal.open(config(wall))) {
            List<JournalEntry> kept = read(j);
            assertEquals(90, kept.size());
            assertEquals(all.get(89).hlc(), kept.get(89).hlc());
        }
    }
}
