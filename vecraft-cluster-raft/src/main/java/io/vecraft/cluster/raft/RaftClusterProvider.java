package io.vecraft.cluster.raft;

import io.vecraft.cluster.spi.Cluster;
import io.vecraft.cluster.spi.ClusterOptions;
import io.vecraft.cluster.spi.ClusterProvider;

/**
 * The {@code raft} cluster provider: connects to a cluster of {@code vecraft-node} processes whose
 * journal partitions are Apache Ratis groups, whose messages travel over gRPC and whose metadata and
 * membership live in etcd. Settings: see {@link RaftCluster}. Found with
 * {@link java.util.ServiceLoader}:
 * <pre>
 * Vecraft.builder(dir).withCluster(ClusterConfig.of("raft").with("etcd", "http://127.0.0.1:2379")).open()
 * </pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class RaftClusterProvider implements ClusterProvider {
    /** The provider's name. */
    public static final String NAME = "raft";

    /** Creates the provider (called by {@link java.util.ServiceLoader}). */
    public RaftClusterProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Cluster open(ClusterOptions options) {
        return new RaftCluster(options);
    }
}
