package io.vecraft.core;

import io.vecraft.api.CollectionSpec;
import io.vecraft.api.NotFoundException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A created collection at run time: spec, uid, directory, its shard runtimes and the gate that
 * keeps a drop or close from pulling files out from under running operations.
 *
 * <p>Thread-safe; the shards array is fixed at construction.
 */
final class CollectionRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(CollectionRuntime.class);

    private final CollectionSpec spec;
    private final long uid;
    private final Path directory;
    private final ShardHandle[] shards;
    private final Map<Integer, Long> startSequences;
    private final Gate gate = new Gate();
    /**
     * The highest horizon a purge of this collection's shards has used (versions deleted before it may be
     * gone). Raised before the purge starts; a read whose snapshot time is below it after reading may have
     * missed versions and is retried ({@link QueryProcessor}).
     */
    private volatile long purgeFloor;

    CollectionRuntime(CollectionSpec spec, long uid, Path directory, ShardHandle[] shards,
                      Map<Integer, Long> startSequences) {
        this.spec = spec;
        this.uid = uid;
        this.directory = directory;
        this.shards = shards;
        this.startSequences = startSequences;
    }

    CollectionSpec spec() {
        return spec;
    }

    String name() {
        return spec.name();
    }

    long uid() {
        return uid;
    }

    Path directory() {
        return directory;
    }

    Map<Integer, Long> startSequences() {
        return startSequences;
    }

    ShardHandle shard(int index) {
        return shards[index];
    }

    ShardHandle[] shards() {
        return shards;
    }

    /** @return the highest purge horizon used so far, see {@link #raisePurgeFloor} */
    long purgeFloor() {
        return purgeFloor;
    }

    /**
     * Announces a purge of this collection's shards up to {@code horizon}; call before purging.
     *
     * @param horizon versions deleted before it may be purged
     */
    synchronized void raisePurgeFloor(long horizon) {
        if (horizon > purgeFloor) {
            purgeFloor = horizon;
        }
    }

    /**
     * @param id record id
     * @return the shard index holding {@code id}
     */
    int shardOf(String id) {
        return Hashing.shardOf(id, shards.length);
    }

    /**
     * Enters an operation on this collection.
     *
     * @throws NotFoundException if the collection was dropped (or the database is closing)
     */
    void enter() {
        if (!gate.enter()) {
            throw new NotFoundException("collection", spec.name());
        }
    }

    void exit() {
        gate.exit();
    }

    /**
     * Refuses new operations, waits for running ones, stops the appliers and closes the shards.
     *
     * @param checkpoint   checkpoint each shard before closing (false when dropping)
     * @param drainTimeout longest wait for running operations
     */
    void shutdown(boolean checkpoint, long drainTimeout, TimeUnit unit) {
        if (!gate.close(drainTimeout, unit)) {
            LOG.warn("collection {}: operations still running after {} {}; waiting for them", spec.name(),
                    drainTimeout, unit);
            gate.close(Long.MAX_VALUE / 4, TimeUnit.NANOSECONDS);
        }
        for (ShardHandle s : shards) {
            s.stop(checkpoint);
        }
    }
}
