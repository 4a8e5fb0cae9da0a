package io.vecraft.cluster.raft.process;

import io.vecraft.cluster.spi.Cluster;
import io.vecraft.cluster.spi.contract.ShardReplicaContract;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The storage nodes of three node processes (ReplicaHost over gRPC) pass the shard replica contract. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
@ExtendWith(SharedClusterExtension.class)
class ProcessShardReplicaContractTest extends ShardReplicaContract {
    private SharedCluster cluster;

    @BeforeAll
    void start(SharedCluster shared) {
        cluster = shared;
    }

    @Override
    protected Cluster cluster() {
        return cluster.client;
    }

    @Override
    protected String dataPartitionFor(long uid, int shard) {
        // The core's rule (PartitionLayout): data-<mix64(uid * 31 + shard) mod n>.
        int n = cluster.client.spec().dataPartitions();
        long h = mix64(uid * 31 + shard);
        return "data-" + Math.floorMod(h, (long) n);
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
