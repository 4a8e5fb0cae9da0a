package io.vecraft.journal;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.VerifyReport;
import io.vecraft.api.VerifyReport.FileKind;
import io.vecraft.api.VerifyReport.Finding;
import io.vecraft.api.VerifyReport.Status;
import io.vecraft.journal.internal.CleanCloseMarker;
import io.vecraft.journal.internal.CycleFileScanner;
import io.vecraft.journal.internal.EntryFormat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a closed journal directory without changing it and without Chronicle: the manifest, every
 * partition's clean-close record and every cycle file, entry by entry (length, format version, partition id,
 * dense sequences across files, non-decreasing HLCs, CRC32C), with the same scanner open-time recovery uses.
 * It says what opening the journal would do: a torn tail of the last file is {@link Status#REPAIRABLE} (cut
 * off at open), an invalid entry followed by valid ones or a gap between files is {@link Status#CORRUPT}.
 *
 * <p>Cost: every cycle file is read to its end, including the unwritten sparse rest Chronicle preallocates.
 *
 * <p>Stateless and thread-safe. The caller makes sure no writer has the journal open (core holds the
 * database lock while verifying).
 */
public final class JournalVerifier {

    /**
     * What the check found.
     *
     * @param findings      one per file or problem
     * @param headSequences last valid sequence per partition name (0 for an empty partition), in id order
     */
    public record Report(List<Finding> findings, Map<String, Long> headSequences) {
        /** Copies. */
        public Report {
            findings = List.copyOf(findings);
            headSequences = Collections.unmodifiableMap(new LinkedHashMap<>(headSequences));
        }
    }

    private JournalVerifier() {
    }

    /**
     * @param journalDir the journal directory (with {@code journal.manifest})
     * @return the findings and the valid head of every partition
     */
    public static Report verify(Path journalDir) {
        List<Finding> out = new ArrayList<>();
        Map<String, Long> heads = new LinkedHashMap<>();
        Path manifest = journalDir.resolve(ChronicleJournal.MANIFEST_FILE);
        List<String> names;
        try {
            names = ChronicleJournal.readManifest(manifest);
            out.add(new Finding(manifest, FileKind.JOURNAL_MANIFEST, Status.OK, -1, "partitions " + names));
        } catch (CorruptedDataException e) {
            out.add(new Finding(manifest, FileKind.JOURNAL_MANIFEST, Status.CORRUPT, e.position(), e.getMessage()));
            return new Report(out, heads);
        } catch (IOException e) {
            out.add(new Finding(manifest, FileKind.JOURNAL_MANIFEST, Status.CORRUPT, -1, "unreadable: " + e));
            return new Report(out, heads);
        }
        int maxEntry = EntryFormat.entryBytes(JournalConfig.MAX_REQUEST_ID_BYTES, JournalConfig.MAX_PAYLOAD_BYTES);
        for (int id = 0; id < names.size(); id++) {
            String name = names.get(id);
            Path dir = journalDir.resolve(name);
            heads.put(name, verifyPartition(dir, name, id, maxEntry, out));
        }
        if (out.stream().noneMatch(f -> f.status() == Status.CORRUPT)) {
            readThroughChronicle(journalDir, names, heads, out);
        }
        return new Report(out, heads);
    }

    /**
     * The byte scan skips Chronicle's own metadata (store header, index pages). Readers find entries through
     * them, so damage there makes every read fail although each entry is intact: read every entry the way the
     * database does, through a read-only Chronicle tailer (nothing is written).
     */
    private static void readThroughChronicle(Path journalDir, List<String> names, Map<String, Long> heads,
                                             List<Finding> out) {
        Journal journal = null;
        RuntimeException last = null;
        for (JournalRollCycle cycle : JournalRollCycle.values()) {
            try {
                journal = Journal.open(JournalConfig.builder(journalDir).withPartitions(names).withReadOnly(true)
                        .withRollCycle(cycle).withMaxPayloadBytes(JournalConfig.MAX_PAYLOAD_BYTES).build());
                break;
            } catch (io.vecraft.api.InvalidArgumentException e) {
                last = e; // the files were written with another roll cycle
            } catch (RuntimeException e) {
                last = e;
                break;
            }
        }
        if (journal == null) {
            out.add(new Finding(journalDir, FileKind.JOURNAL_CYCLE, Status.CORRUPT, -1,
                    "Chronicle cannot open the journal read-only: " + last));
            return;
        }
        try (Journal j = journal) {
            for (String name : names) {
                JournalPartition p = j.partition(name);
                long want = p.firstSequence();
                long head = Math.min(p.headSequence(), heads.getOrDefault(name, 0L));
                try (JournalTailer t = p.tailer()) {
                    while (want <= head) {
                        JournalEntry e = t.next();
                        if (e == null || e.sequence() != want) {
                            throw new CorruptedDataException(name, want, "Chronicle's tailer returned "
                                    + (e == null ? "nothing" : "sequence " + e.sequence()) + " for sequence " + want);
                        }
                        want++;
                    }
                } catch (CorruptedDataException e) {
                    out.add(new Finding(journalDir.resolve(name), FileKind.JOURNAL_CYCLE, Status.CORRUPT,
                            e.position(), "reading through Chronicle (as the database does) fails at sequence "
                            + e.position() + ", although every entry is intact: Chronicle's own header or index"
                            + " pages are damaged; " + e.getMessage()));
                } catch (RuntimeException e) {
                    out.add(new Finding(journalDir.resolve(name), FileKind.JOURNAL_CYCLE, Status.CORRUPT, want,
                            "reading through Chronicle fails at sequence " + want + ": " + e));
                }
            }
        } catch (RuntimeException e) {
            out.add(new Finding(journalDir, FileKind.JOURNAL_CYCLE, Status.CORRUPT, -1,
                    "Chronicle cannot read the journal: " + e));
        }
    }

    private static long verifyPartition(Path dir, String name, int id, int maxEntry, List<Finding> out) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        Path marker = dir.resolve(CleanCloseMarker.FILE);
        if (Files.exists(marker)) {
            boolean valid = CleanCloseMarker.read(dir).isPresent();
            out.add(new Finding(marker, FileKind.JOURNAL_CLEAN_CLOSE, valid ? Status.OK : Status.REPAIRABLE, -1,
                    valid ? "valid clean-close record" : "invalid clean-close record: ignored (the next open scans fully)"));
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.cq4")) {
            ds.forEach(files::add);
        } catch (IOException e) {
            out.add(new Finding(dir, FileKind.JOURNAL_CYCLE, Status.CORRUPT, -1, "cannot list: " + e));
            return 0;
        }
        // Chronicle's cycle file names (yyyyMMdd-HH..., one format per roll cycle) sort by time.
        files.sort(null);
        long lastSeq = 0;
        long lastHlc = 0;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            boolean last = i == files.size() - 1;
            try (CycleFileScanner s = new CycleFileScanner(f, name, id, maxEntry)) {
                CycleFileScanner.Result r = s.scan(lastSeq == 0 ? 0 : lastSeq + 1, lastHlc, null);
                String range = r.entries() == 0 ? "no entries"
                        : r.entries() + " entries, sequences " + r.firstSeq() + ".." + r.lastSeq() + ", CRC32C verified";
                if (r.end() == CycleFileScanner.End.TORN) {
                    out.add(new Finding(f, FileKind.JOURNAL_CYCLE, last ? Status.REPAIRABLE : Status.CORRUPT,
                            r.stopPosition(), range + "; " + (last ? "torn tail (cut off at the next open): "
                            : "invalid bytes inside an earlier cycle file: ") + r.reason()));
                } else if (r.entries() == 0 && !last) {
                    out.add(new Finding(f, FileKind.JOURNAL_CYCLE, Status.CORRUPT, 0,
                            "earlier cycle file without any valid entry"));
                } else if (r.entries() == 0) {
                    out.add(new Finding(f, FileKind.JOURNAL_CYCLE, Status.REPAIRABLE, 0,
                            "last cycle file without any valid entry (deleted at the next open)"));
                } else {
                    out.add(new Finding(f, FileKind.JOURNAL_CYCLE, Status.OK, -1, range));
                }
                if (r.entries() > 0) {
                    lastSeq = r.lastSeq();
                    lastHlc = r.lastHlc();
                }
            } catch (CorruptedDataException e) {
                out.add(new Finding(f, FileKind.JOURNAL_CYCLE, Status.CORRUPT, e.position(),
                        "sequence " + e.position() + ": " + e.getMessage()));
                return lastSeq;
            } catch (IOException e) {
                out.add(new Finding(f, FileKind.JOURNAL_CYCLE, Status.CORRUPT, -1, "unreadable: " + e));
                return lastSeq;
            }
        }
        return lastSeq;
    }
}
