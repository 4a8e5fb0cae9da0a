package io.vecraft.api;

/**
 * What the compactor did (one run from {@link Vecraft#compact()}, or the totals since open from
 * {@link Vecraft#compactionStats()}). Counters for metrics.
 *
 * @param runs                 compaction runs
 * @param versionsPurged       superseded versions and tombstones removed (older than the version retention)
 * @param shardsRewritten      shards rewritten (payload log compacted, vector slots packed, HNSW rebuilt) and
 *                             swapped in
 * @param journalFilesDeleted  journal cycle files deleted (covered by every checkpoint, outside the journal
 *                             retention)
 * @param bytesReclaimed       bytes of shard data freed by rewrites: payload log length and vector slots up to the
 *                             high-water mark, before minus after
 * @param lastRunMillis        duration of the last run
 * @param lastRunEpochMillis   wall-clock end of the last run, 0 if none
 */
public record CompactionStats(long runs, long versionsPurged, long shardsRewritten, long journalFilesDeleted,
                              long bytesReclaimed, long lastRunMillis, long lastRunEpochMillis) {

    /** @return all zero */
    public static CompactionStats none() {
        return new CompactionStats(0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * @param other another run
     * @return the sums (last-run fields from {@code other})
     */
    public CompactionStats plus(CompactionStats other) {
        return new CompactionStats(runs + other.runs, versionsPurged + other.versionsPurged,
                shardsRewritten + other.shardsRewritten, journalFilesDeleted + other.journalFilesDeleted,
                bytesReclaimed + other.bytesReclaimed, other.lastRunMillis, other.lastRunEpochMillis);
    }
}
