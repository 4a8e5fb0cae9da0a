package io.vecraft.core;

import io.vecraft.api.Hlc;
import io.vecraft.api.Vecraft;
import java.util.ArrayList;
import java.util.List;

/**
 * Read-only view of the shards of a database opened by this engine, for operators (the server's
 * status page): each shard's safe time and how far it trails the database clock.
 *
 * @param collection    the collection name
 * @param shard         the shard name, e.g. {@code docs/0}
 * @param safeTimeHlc   the HLC up to which every journal entry for the shard is applied
 * @param lagMillis     physical milliseconds between the database clock ({@link Vecraft#now()}) and the
 *                      safe time, 0 when the shard is caught up
 *
 * <p>Values are immutable and thread-safe; {@link #of(Vecraft)} may be called from any thread.
 */
public record ShardStatus(String collection, String shard, long safeTimeHlc, long lagMillis) {

    /**
     * Lists the shards of every collection of {@code db}.
     *
     * @param db a database opened by this engine (embedded or cluster mode)
     * @return one entry per shard, collections in name order; empty when {@code db} is not an engine
     *         database (for instance a remote client)
     */
    public static List<ShardStatus> of(Vecraft db) {
        if (!(db instanceof AbstractVecraft engine)) {
            return List.of();
        }
        long now = db.now();
        List<ShardStatus> out = new ArrayList<>();
        for (CollectionRuntime rt : engine.collections().values()) {
            for (ShardHandle shard : rt.shards()) {
                long safe = shard.safeTime();
                long lag = Math.max(0, Hlc.physicalMillis(now) - Hlc.physicalMillis(safe));
                out.add(new ShardStatus(rt.name(), shard.name(), safe, lag));
            }
        }
        return List.copyOf(out);
    }
}
