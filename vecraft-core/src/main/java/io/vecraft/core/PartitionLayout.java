package io.vecraft.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Names and ids of the journal partitions and the routing rules between them (seed §1.2):
 * id 0 {@code system} (DDL), id 1 {@code tx} (writes spanning shards or collections), ids 2..
 * {@code data-0..data-(n-1)} (single-shard writes, routed by collection uid and shard).
 *
 * <p>Immutable and thread-safe.
 */
final class PartitionLayout {
    static final String SYSTEM = "system";
    static final String TX = "tx";
    static final int SYSTEM_ID = 0;
    static final int TX_ID = 1;
    static final int FIRST_DATA_ID = 2;

    private final int dataPartitions;
    private final List<String> names;

    PartitionLayout(int dataPartitions) {
        this.dataPartitions = dataPartitions;
        List<String> n = new ArrayList<>(dataPartitions + 2);
        n.add(SYSTEM);
        n.add(TX);
        for (int i = 0; i < dataPartitions; i++) {
            n.add("data-" + i);
        }
        this.names = List.copyOf(n);
    }

    /** @return every partition name, index = partition id */
    List<String> names() {
        return names;
    }

    int dataPartitions() {
        return dataPartitions;
    }

    /**
     * @param collectionUid collection uid
     * @param shard         shard index
     * @return the id of the data partition carrying that shard's single-shard writes
     */
    int dataPartitionFor(long collectionUid, int shard) {
        long h = Hashing.mix64(collectionUid * 31 + shard);
        return FIRST_DATA_ID + (int) Math.floorMod(h, (long) dataPartitions);
    }

    /** @return ids of every data partition */
    int[] dataPartitionIds() {
        int[] ids = new int[dataPartitions];
        for (int i = 0; i < dataPartitions; i++) {
            ids[i] = FIRST_DATA_ID + i;
        }
        return ids;
    }
}
