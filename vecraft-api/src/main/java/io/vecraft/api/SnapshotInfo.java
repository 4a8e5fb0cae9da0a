package io.vecraft.api;

import java.util.Map;

/**
 * What {@link Vecraft#snapshot(SnapshotDestination)} wrote.
 *
 * @param location      where (the destination's description, e.g. the directory)
 * @param hlc           a clock reading taken once every shard had checkpointed and before the journal heads were
 *                      recorded
 * @param heads         per journal partition name, the last sequence the snapshot holds
 * @param firstSequences per journal partition name, the first sequence the snapshot holds
 * @param files         number of files written (manifest excluded)
 * @param bytes         bytes written (holes of sparse journal files excluded)
 * @param millis        time taken
 */
public record SnapshotInfo(String location, long hlc, Map<String, Long> heads, Map<String, Long> firstSequences,
                           int files, long bytes, long millis) {
    /** Copies the maps. */
    public SnapshotInfo {
        heads = Map.copyOf(heads);
        firstSequences = Map.copyOf(firstSequences);
    }
}
