package io.vecraft.cluster.raft;

import io.vecraft.api.VecraftException;
import io.vecraft.cluster.raft.etcd.EtcdMetadataStore;
import io.vecraft.cluster.raft.transport.GrpcTransport;
import io.vecraft.cluster.spi.Cluster;
import io.vecraft.cluster.spi.ClusterOptions;
import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.Membership;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.ShardReplica;
import io.vecraft.cluster.spi.transport.Transport;
import io.vecraft.journal.HybridLogicalClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's connection to a running raft cluster (started with the {@code vecraft-node} program):
 * the metadata store is etcd itself, membership and partition leaders come from etcd, journal calls
 * go over gRPC to each partition's Raft leader, replica calls to the storage nodes.
 *
 * <p>Settings ({@link ClusterOptions}):
 * <ul>
 *   <li>{@code etcd} (required): comma-separated etcd client URLs, e.g. {@code http://127.0.0.1:2379};</li>
 *   <li>{@code namespace}: the cluster's etcd namespace (default {@code /vecraft});</li>
 *   <li>{@code callTimeoutMillis}: deadline of each journal/replica call, retries included (default 30000);</li>
 *   <li>{@code attemptTimeoutMillis}: longest single attempt before trying another node (default 3000);</li>
 *   <li>{@code etcdTimeoutMillis}: deadline of each etcd call (default 5000);</li>
 *   <li>{@code maxClockSkewMillis}: largest accepted clock skew of other nodes (default 1000).</li>
 * </ul>
 * The core's settings {@code dataPartitions}, {@code durability}, {@code tickMillis} and
 * {@code checkpointMillis} are properties of the running cluster (its nodes' configuration) and
 * are ignored here; {@code replicas} is read by the core.
 *
 * <p>Thread-safe.
 */
public final class RaftCluster implements Cluster {
    private static final Logger LOG = LoggerFactory.getLogger(RaftCluster.class);

    private final EtcdMetadataStore metadata;
    private final ClusterSpec spec;
    private final EtcdMembership membership;
    private final GrpcTransport transport;
    private final ClusterConnections connections;
    private final JournalService journal;
    private volatile boolean closed;

    /**
     * Connects to the cluster.
     *
     * @param options settings (see the class comment)
     */
    public RaftCluster(ClusterOptions options) {
        String etcd = options.setting("etcd", "");
        String namespace = options.setting("namespace", "/vecraft");
        Duration callTimeout = Duration.ofMillis(options.intSetting("callTimeoutMillis", 30_000, 100, 3_600_000));
        Duration attempt = Duration.ofMillis(options.intSetting("attemptTimeoutMillis", 3_000, 100, 600_000));
        Duration etcdTimeout = Duration.ofMillis(options.intSetting("etcdTimeoutMillis", 5_000, 100, 600_000));
        Duration maxSkew = Duration.ofMillis(options.intSetting("maxClockSkewMillis", 1_000, 0, 3_600_000));
        this.metadata = new EtcdMetadataStore(etcd, namespace, etcdTimeout);
        try {
            MetadataStore.KeyValue kv = metadata.get(ClusterSpec.KEY).orElseThrow(() -> new VecraftException(
                    "no raft cluster in etcd " + etcd + " namespace " + namespace
                            + ": start its nodes first (vecraft-cluster-raft/scripts/cluster.sh start)"));
            this.spec = ClusterSpec.decode(kv.value());
            this.membership = new EtcdMembership(metadata, spec);
        } catch (RuntimeException e) {
            metadata.close();
            throw e;
        }
        this.transport = GrpcTransport.builder()
                .withClock(new HybridLogicalClock(System::currentTimeMillis, maxSkew)).build();
        this.connections = new ClusterConnections(spec, membership, transport, callTimeout, attempt);
        this.journal = connections.journal();
        LOG.info("connected to raft cluster {} / {}: nodes {}, partitions {}", etcd, namespace,
                spec.nodes().stream().map(ClusterSpec.Node::id).toList(), spec.partitions());
    }

    /** @return the cluster's spec, as stored in etcd */
    public ClusterSpec spec() {
        return spec;
    }

    /**
     * @param partition partition name
     * @return the current leader of the partition, if any is alive
     */
    public Optional<String> leaderOf(String partition) {
        return membership.leader(partition);
    }

    /**
     * Waits until every partition has a live leader.
     *
     * @param timeout longest wait
     * @return true if they all have one
     */
    public boolean awaitLeaders(Duration timeout) {
        return membership.awaitLeaders(timeout);
    }

    @Override
    public String provider() {
        return RaftClusterProvider.NAME;
    }

    @Override
    public JournalService journal() {
        return journal;
    }

    @Override
    public MetadataStore metadata() {
        return metadata;
    }

    @Override
    public Membership membership() {
        return membership;
    }

    @Override
    public List<String> storageNodes() {
        return spec.storageNodes().stream().map(ClusterSpec.Node::id).toList();
    }

    @Override
    public ShardReplica replica(String nodeId) {
        return connections.replica(nodeId);
    }

    @Override
    public Transport transport() {
        return transport;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        membership.close();
        transport.close();
        metadata.close();
    }
}
