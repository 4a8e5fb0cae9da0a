package io.vecraft.core.cluster;

import io.vecraft.cluster.spi.Cluster;
import io.vecraft.cluster.spi.ClusterOptions;
import io.vecraft.cluster.spi.ClusterProvider;

/**
 * The {@code in-jvm} cluster provider: starts an {@link InJvmCluster} (journal nodes, storage
 * nodes, metadata, coordinator) inside the calling process. For tests of cluster behaviour and
 * for trying cluster mode on one machine; found with {@link java.util.ServiceLoader}.
 *
 * <p>Stateless and thread-safe.
 */
public final class InJvmClusterProvider implements ClusterProvider {
    /** The provider's name. */
    public static final String NAME = "in-jvm";

    /** Creates the provider (called by {@link java.util.ServiceLoader}). */
    public InJvmClusterProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Cluster open(ClusterOptions options) {
        return new InJvmCluster(options);
    }
}
