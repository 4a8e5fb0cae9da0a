package io.vecraft.api;

/**
 * Where {@link Vecraft#restore(java.nio.file.Path, java.nio.file.Path, RestorePoint)} stops: the
 * end of the snapshot, a journal sequence of one partition, or an HLC (point-in-time recovery).
 *
 * <p>The restored state is always a consistent cut of the journal: every partition keeps the
 * longest prefix of its entries whose HLC is at or below the cut's HLC. For {@link AtSequence}
 * that HLC is the named entry's own, so the named partition ends exactly at that sequence.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface RestorePoint {

    /**
     * @return the snapshot's latest consistent state: every entry stamped up to the clock reading
     *         the snapshot took after its checkpoints (writes that raced with the snapshot after that
     *         reading are left out, as they may have reached some partitions' copies and not others)
     */
    static RestorePoint latest() {
        return new Latest();
    }

    /**
     * @param partition journal partition name, e.g. {@code data-0}, {@code tx}, {@code system}
     * @param sequence  last sequence of that partition to keep, at least 1
     * @return the point just after that entry
     */
    static RestorePoint atSequence(String partition, long sequence) {
        return new AtSequence(partition, sequence);
    }

    /**
     * @param hlc keep every entry with an HLC at or below it (see {@link Vecraft#now()}, {@link Hlc})
     * @return the point-in-time
     */
    static RestorePoint atHlc(long hlc) {
        return new AtHlc(hlc);
    }

    /** Everything in the snapshot. */
    record Latest() implements RestorePoint {
    }

    /**
     * Up to and including one entry of one partition.
     *
     * @param partition partition name
     * @param sequence  last kept sequence
     */
    record AtSequence(String partition, long sequence) implements RestorePoint {
        /** Validates. */
        public AtSequence {
            if (partition == null || partition.isEmpty()) {
                throw new InvalidArgumentException("partition", "must name a journal partition");
            }
            if (sequence < 1) {
                throw new InvalidArgumentException("sequence", "must be >= 1, was " + sequence);
            }
        }
    }

    /**
     * Every entry with HLC at or below {@code hlc}.
     *
     * @param hlc the point-in-time
     */
    record AtHlc(long hlc) implements RestorePoint {
        /** Validates. */
        public AtHlc {
            if (hlc < 0) {
                throw new InvalidArgumentException("hlc", "must be >= 0, was " + hlc);
            }
        }
    }
}
