package io.vecraft.cluster.spi;

import java.util.Map;

/**
 * A replica's applied watermark.
 *
 * @param node             the storage node
 * @param shard            the shard
 * @param safeHlc          every journal entry for the shard with HLC up to this is applied
 * @param appliedSequences applied sequence per journal partition id
 * @param healthy          false if the replica stopped applying after an error
 * @param message          why it is unhealthy, else empty
 */
public record ReplicaStatus(String node, ShardId shard, long safeHlc, Map<Integer, Long> appliedSequences,
                            boolean healthy, String message) {
    /** Copies the map. */
    public ReplicaStatus {
        appliedSequences = Map.copyOf(appliedSequences);
    }
}
