package io.vecraft.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@link Vecraft#restore(Path, Path, RestorePoint)} did.
 *
 * @param target              the restored data directory (open it with {@link Vecraft#open(Path)})
 * @param point               the requested restore point
 * @param cutHlc              HLC of the last kept entry over all partitions (0 if none)
 * @param lastSequences       per journal partition name, the last kept sequence (0 if none)
 * @param shardsFromCheckpoint shards restored from the snapshot's checkpoint (then replayed to the cut)
 * @param shardsRebuilt       shards whose checkpoint lies after the cut: they are rebuilt from the journal at
 *                            open
 * @param catalogRebuilt      whether the catalog checkpoint lay after the cut (the catalog is then rebuilt from
 *                            the system partition at open)
 */
public record RestoreReport(Path target, RestorePoint point, long cutHlc, Map<String, Long> lastSequences,
                            List<String> shardsFromCheckpoint, List<String> shardsRebuilt, boolean catalogRebuilt) {
    /** Copies the collections. */
    public RestoreReport {
        lastSequences = Map.copyOf(lastSequences);
        shardsFromCheckpoint = List.copyOf(shardsFromCheckpoint);
        shardsRebuilt = List.copyOf(shardsRebuilt);
    }
}
