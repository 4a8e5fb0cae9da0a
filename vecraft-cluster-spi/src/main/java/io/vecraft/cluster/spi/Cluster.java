package io.vecraft.cluster.spi;

import io.vecraft.cluster.spi.transport.Transport;
import java.util.List;

/**
 * A connected cluster: the services the core uses in cluster mode. The journal service orders
 * and replicates writes; storage nodes host shard replicas that stream the journal and apply it;
 * the metadata store holds the catalog and the shard map; membership tracks liveness and leaders.
 *
 * <p>Thread-safe. {@link #close()} disconnects (an in-process provider also stops its nodes).
 */
public interface Cluster extends AutoCloseable {

    /** @return the provider's name */
    String provider();

    /** @return the journal service (routes each partition to its current leader) */
    JournalService journal();

    /** @return the metadata store */
    MetadataStore metadata();

    /** @return membership: nodes, liveness, leaders, failover events */
    Membership membership();

    /** @return ids of the storage nodes, in placement order */
    List<String> storageNodes();

    /**
     * @param nodeId a storage node id
     * @return a client of the shard replicas that node hosts
     */
    ShardReplica replica(String nodeId);

    /** @return the transport the cluster's messages travel on */
    Transport transport();

    /** Disconnects; idempotent. */
    @Override
    void close();
}
