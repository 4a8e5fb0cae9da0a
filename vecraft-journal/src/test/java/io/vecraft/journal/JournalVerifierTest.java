package io.vecraft.journal;

import io.vecraft.api.Durability;
import io.vecraft.api.VerifyReport.FileKind;
import io.vecraft.api.VerifyReport.Finding;
import io.vecraft.api.VerifyReport.Status;
import io.vecraft.journal.internal.CycleFileScanner;
import io.vecraft.journal.internal.EntryFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link JournalVerifier}: what it reports for a healthy journal, a torn tail and corruption before the tail. */
class JournalVerifierTest {

    @TempDir
    Path dir;

    private Path journal() {
        return dir.resolve("j");
    }

    private void write(int entries) {
        try (Journal j = Journal.open(JournalConfig.builder(journal()).withDurability(Durability.SYNC).build())) {
            for (int i = 0; i < entries; i++) {
                j.partition("data-0").append(1, "r" + i, 0, new byte[100 + i]);
            }
        }
    }

    private Path cycleFile() throws IOException {
        try (Stream<Path> s = Files.list(journal().resolve("data-0"))) {
            return s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
    }

    private static List<Long> positions(Path file) throws IOException {
        List<Long> out = new ArrayList<>();
        try (CycleFileScanner s = new CycleFileScanner(file, "data-0", 2, 1 << 20)) {
            s.scan(0, 0, (pos, e, len) -> out.add(pos));
        }
        return out;
    }

    private static void flip(Path file, long pos) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, pos);
            b.put(0, (byte) (b.get(0) ^ 0x10));
            b.position(0);
            ch.write(b, pos);
        }
    }

    private static Finding cycleFinding(JournalVerifier.Report r) {
        return r.findings().stream().filter(f -> f.kind() == FileKind.JOURNAL_CYCLE
                && f.file().getParent().getFileName().toString().equals("data-0")).findFirst().orElseThrow();
    }

    @Test
    void aHealthyJournalVerifiesEveryEntry() {
        write(30);
        JournalVerifier.Report r = JournalVerifier.verify(journal());
        assertTrue(r.findings().stream().allMatch(f -> f.status() == Status.OK), r.findings().toString());
        assertEquals(30L, r.headSequences().get("data-0"));
        assertTrue(cycleFinding(r).message().contains("30 entries, sequences 1..30, CRC32C verified"),
                cycleFinding(r).message());
        assertTrue(r.findings().stream().anyMatch(f -> f.kind() == FileKind.JOURNAL_CLEAN_CLOSE));
    }

    @Test
    void aDamagedLastEntryIsARepairableTornTail() throws IOException {
        write(30);
        Path file = cycleFile();
        long last = positions(file).get(29);
        flip(file, last + 4 + EntryFormat.HEADER_BYTES + 10); // inside the payload: CRC mismatch
        JournalVerifier.Report r = JournalVerifier.verify(journal());
        Finding f = cycleFinding(r);
        assertEquals(Status.REPAIRABLE, f.status(), f.toString());
        assertEquals(last, f.position());
        assertEquals(29L, r.headSequences().get("data-0"));
    }

    @Test
    void aDamagedEntryBeforeValidOnesIsCorruptWithItsSequence() throws IOException {
        write(30);
        Path file = cycleFile();
        flip(file, positions(file).get(9) + 4 + EntryFormat.HEADER_BYTES + 3);
        JournalVerifier.Report r = JournalVerifier.verify(journal());
        Finding f = cycleFinding(r);
        assertEquals(Status.CORRUPT, f.status(), f.toString());
        assertEquals(10, f.position(), "the sequence of the damaged entry");
        assertTrue(f.message().contains("corruption before the tail"), f.message());
    }

    @Test
    void aDamagedManifestIsCorrupt() throws IOException {
        write(3);
        Path manifest = journal().resolve("journal.manifest");
        Files.writeString(manifest, Files.readString(manifest).replace("data-0", "data-9"));
        JournalVerifier.Report r = JournalVerifier.verify(journal());
        assertEquals(Status.CORRUPT, r.findings().get(0).status(), r.findings().toString());
        assertEquals(FileKind.JOURNAL_MANIFEST, r.findings().get(0).kind());
    }
}
