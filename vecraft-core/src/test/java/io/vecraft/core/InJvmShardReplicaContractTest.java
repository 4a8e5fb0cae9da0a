package io.vecraft.core;

import io.vecraft.cluster.spi.Cluster;
import io.vecraft.cluster.spi.ClusterOptions;
import io.vecraft.cluster.spi.contract.ShardReplicaContract;
import io.vecraft.core.cluster.InJvmCluster;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The in-JVM storage nodes ({@link ReplicaHost}) pass the shard replica contract. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InJvmShardReplicaContractTest extends ShardReplicaContract {
    private InJvmCluster cluster;
    private PartitionLayout layout;

    @BeforeAll
    void start(@TempDir Path dir) {
        cluster = new InJvmCluster(new ClusterOptions(dir, Map.of("durability", "ASYNC", "storageNodes", "2")));
        layout = new PartitionLayout(cluster.journal().partitions().size() - PartitionLayout.FIRST_DATA_ID);
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Override
    protected Cluster cluster() {
        return cluster;
    }

    @Override
    protected String dataPartitionFor(long uid, int shard) {
        return cluster.journal().partitions().get(layout.dataPartitionFor(uid, shard));
    }
}
