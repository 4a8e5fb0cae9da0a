package io.vecraft.api;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Vecraft#verify(Path)} found in a database directory: one {@link Finding} per file (or per
 * problem in a file), each with the file, its kind, a status and, for a problem, the position.
 *
 * <pre>{@code
 * VerifyReport report = Vecraft.verify(Path.of("data"));
 * if (!report.ok()) {
 *     report.problems().forEach(System.err::println);
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param directory the verified directory
 * @param findings  every finding, in the order the files were checked
 */
public record VerifyReport(Path directory, List<Finding> findings) {

    /** Validates and copies. */
    public VerifyReport {
        if (directory == null) {
            throw new InvalidArgumentException("directory", "must not be null");
        }
        findings = List.copyOf(findings);
    }

    /** The kind of a checked file. */
    public enum FileKind {
        /** {@code vecraft.meta}: layout version and data partition count. */
        DATABASE_META,
        /** {@code catalog/catalog.bin}: the catalog checkpoint. */
        CATALOG,
        /** {@code journal/journal.manifest}: the journal's partition list. */
        JOURNAL_MANIFEST,
        /** A journal cycle file ({@code journal/<partition>/*.cq4}): every entry's header and CRC32C. */
        JOURNAL_CYCLE,
        /** A journal partition's clean-close record. */
        JOURNAL_CLEAN_CLOSE,
        /** A shard's checkpoint manifest ({@code checkpoints/manifest-<n>}) and the files it lists. */
        CHECKPOINT_MANIFEST,
        /** A checkpoint's version table ({@code versions.bin}). */
        VERSION_TABLE,
        /** A checkpoint's HNSW graph ({@code graph.bin}). */
        HNSW_GRAPH,
        /** A shard's vector store ({@code vectors.dat}): header and slot headers. */
        VECTOR_SLOTS,
        /** A shard's payload log ({@code payload.log}): every record's length and CRC32C. */
        PAYLOAD_LOG,
        /** A shard's Chronicle Map id index ({@code idmap/}): derived state, rebuilt at every open. */
        ID_MAP,
        /** Consistency between files (a shard or the catalog ahead of the journal). */
        CROSS_CHECK,
        /** A snapshot's manifest ({@code SNAPSHOT}): format and its own CRC32C. */
        SNAPSHOT_MANIFEST,
        /** A file a snapshot manifest lists: presence, length and CRC32C. */
        SNAPSHOT_FILE
    }

    /** How a file fared. */
    public enum Status {
        /** Every check passed. */
        OK,
        /** Damage that opening the database repairs without losing acknowledged data (a torn journal tail, a
         *  stale or damaged newer checkpoint with a valid older one, derived state). */
        REPAIRABLE,
        /** Damage that opening refuses with {@link CorruptedDataException}, or that loses data. */
        CORRUPT
    }

    /**
     * One finding.
     *
     * @param file     the file (or directory) it is about
     * @param kind     the file's kind
     * @param status   OK, REPAIRABLE or CORRUPT
     * @param position byte offset (or journal sequence, for journal-level findings) of the problem; -1 if none
     * @param message  what was checked and found
     */
    public record Finding(Path file, FileKind kind, Status status, long position, String message) {
        /** Validates. */
        public Finding {
            if (file == null || kind == null || status == null || message == null) {
                throw new InvalidArgumentException("finding", "file, kind, status and message are required");
            }
        }

        @Override
        public String toString() {
            return status + " " + kind + " " + file + (position >= 0 ? " at " + position : "") + ": " + message;
        }
    }

    /** @return true if nothing is {@link Status#CORRUPT} (repairable damage is fixed by the next open) */
    public boolean ok() {
        return findings.stream().noneMatch(f -> f.status() == Status.CORRUPT);
    }

    /** @return the findings that are not {@link Status#OK} */
    public List<Finding> problems() {
        return findings.stream().filter(f -> f.status() != Status.OK).toList();
    }

    /**
     * @param kind a file kind
     * @return the findings about files of that kind
     */
    public List<Finding> of(FileKind kind) {
        return findings.stream().filter(f -> f.kind() == kind).toList();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("VerifyReport[").append(directory).append(", ")
                .append(findings.size()).append(" findings, ").append(ok() ? "ok" : "CORRUPT").append("]");
        for (Finding f : findings) {
            sb.append("\n  ").append(f);
        }
        return sb.toString();
    }
}
