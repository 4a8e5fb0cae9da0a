package io.vecraft.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Durability;
import io.vecraft.journal.internal.CleanCloseMarker;
import io.vecraft.journal.internal.CycleFileScanner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clean-close record lets a clean reopen skip searching the sparse rest of the last cycle
 * file; it must never hide damage inside the recorded range, and it must be gone once the
 * journal is open again (so a later crash leads to a full scan).
 */
class CleanCloseTest {
    @TempDir
    Path dir;

    private JournalConfig config() {
        return JournalConfig.builder(dir.resolve("j")).withDurability(Durability.ASYNC).build();
    }

    private Path partitionDir() {
        return dir.resolve("j").resolve("data-0");
    }

    private Path lastCycleFile() throws IOException {
        try (Stream<Path> s = Files.list(partitionDir())) {
            return s.filter(p -> p.toString().endsWith(".cq4")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    private static void append(Journal j, int n) {
        for (int i = 0; i < n; i++) {
            j.partition("data-0").append(1, "r" + i, 0, new byte[] {(byte) i, 2, 3});
        }
    }

    @Test
    void cleanCloseRecordsTheTailAndTheNextOpenConsumesIt() throws IOException {
        try (Journal j = Journal.open(config())) {
            append(j, 30);
            assertFalse(Files.exists(partitionDir().resolve(CleanCloseMarker.FILE)), "no marker while open");
        }
        var marker = CleanCloseMarker.read(partitionDir()).orElseThrow();
        assertEquals(30, marker.lastSeq());
        assertEquals(lastCycleFile().getFileName().toString(), marker.cycleFile());
        try (Journal j = Journal.open(config())) {
            assertFalse(Files.exists(partitionDir().resolve(CleanCloseMarker.FILE)),
                    "consumed at open, so a crash from now on leads to a full scan");
            assertEquals(30, j.partition("data-0").headSequence());
            append(j, 5);
        }
        try (Journal j = Journal.open(config())) {
            assertEquals(35, j.partition("data-0").headSequence());
        }
    }

    @Test
    void theMarkerDoesNotHideALostWriteInsideTheRecordedRange() throws IOException {
        try (Journal j = Journal.open(config())) {
            append(j, 30);
        }
        Path file = lastCycleFile();
        List<long[]> entries = new ArrayList<>();
        try (CycleFileScanner s = new CycleFileScanner(file, "data-0", 2, 1 << 20)) {
            s.scan(0, 0, (pos, e, len) -> entries.add(new long[] {pos, len}));
        }
        long[] twentieth = entries.get(19);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4 + (int) twentieth[1]), twentieth[0]);
        }
        assertTrue(CleanCloseMarker.read(partitionDir()).isPresent());
        try (Journal j = Journal.open(config())) {
            assertEquals(19, j.partition("data-0").headSequence(),
                    "a zeroed entry followed by later ones is still found and cut despite the marker");
        }
    }

    /**
     * Found by review: after a crash, open counted the entries it found as durable and visible although they
     * may never have been forced (page cache only). Open now forces the cycle files first when the last close
     * was not clean, and only then.
     */
    @Test
    void openAfterACrashForcesWhatItFindsBeforeCountingItDurable() throws IOException {
        java.util.concurrent.atomic.AtomicInteger forces = new java.util.concurrent.atomic.AtomicInteger();
        JournalConfig counting = JournalConfig.builder(dir.resolve("j")).withDurability(Durability.ASYNC)
                .withForcer(ch -> {
                    ch.force(false);
                    forces.incrementAndGet();
                }).build();
        try (Journal j = Journal.open(config())) {
            append(j, 30); // ASYNC: appended, never forced
        }
        try (Journal j = Journal.open(counting)) {
            assertEquals(0, forces.get(), "after a clean close nothing needs forcing at open");
            append(j, 5);
        }
        java.nio.file.Files.delete(partitionDir().resolve(CleanCloseMarker.FILE)); // as if the process had died
        forces.set(0);
        try (Journal j = Journal.open(counting)) {
            assertTrue(forces.get() >= 1, "the cycle file was forced before its entries counted as durable");
            assertEquals(35, j.partition("data-0").durableSequence());
        }
    }
}
