package io.vecraft.cluster.raft;

import io.vecraft.api.NotFoundException;
import io.vecraft.cluster.raft.transport.GrpcAddress;
import io.vecraft.cluster.raft.transport.GrpcTransport;
import io.vecraft.cluster.spi.ShardReplica;
import io.vecraft.cluster.spi.transport.Connection;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import io.vecraft.cluster.spi.wire.JournalServiceClient;
import io.vecraft.cluster.spi.wire.ShardReplicaClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a client or a storage node reaches the cluster's services over the gRPC transport: the
 * journal service of each partition at its current leader ({@code <grpc>/journal}, leader from
 * {@link EtcdMembership}), and the shard replicas of each storage node ({@code <grpc>/replica}).
 * Connections are {@link GuardedConnection}s, so a dead or silent node is left after
 * {@code attemptTimeout} (or as soon as its lease expires) and the SPI clients retry elsewhere.
 *
 * <p>Thread-safe.
 */
public final class ClusterConnections {
    /** Service name of the journal service on a node's gRPC port. */
    public static final String JOURNAL = "journal";
    /** Service name of the shard replicas on a node's gRPC port. */
    public static final String REPLICA = "replica";

    private final ClusterSpec spec;
    private final EtcdMembership membership;
    private final GrpcTransport transport;
    private final Duration callTimeout;
    private final Duration attemptTimeout;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();

    /**
     * @param spec           the cluster spec (node addresses)
     * @param membership     liveness and partition leaders
     * @param transport      the process's gRPC transport
     * @param callTimeout    deadline of each journal/replica call, retries included
     * @param attemptTimeout longest single attempt before trying another node
     */
    public ClusterConnections(ClusterSpec spec, EtcdMembership membership, GrpcTransport transport, Duration callTimeout,
                       Duration attemptTimeout) {
        this.spec = spec;
        this.membership = membership;
        this.transport = transport;
        this.callTimeout = callTimeout;
        this.attemptTimeout = attemptTimeout;
    }

    /**
     * @param node    node id
     * @param service {@link #JOURNAL} or {@link #REPLICA}
     * @return a (cached) guarded connection to that service of the node
     */
    public Connection connection(String node, String service) {
        ClusterSpec.Node n = spec.node(node).orElseThrow(() -> new NotFoundException("node", node));
        return connections.computeIfAbsent(node + "/" + service, k -> new GuardedConnection(
                transport.connect(GrpcAddress.of(n.grpc(), service)), node, membership, attemptTimeout,
                JOURNAL.equals(service)));
    }

    /** @return the journal service, routed to each partition's leader */
    public JournalServiceClient journal() {
        return new JournalServiceClient(this::leaderConnection, callTimeout);
    }

    private Connection leaderConnection(String partition) {
        if (partition.isEmpty()) {
            for (ClusterSpec.Node n : spec.journalNodes()) {
                if (membership.isAlive(n.id())) {
                    return connection(n.id(), JOURNAL);
                }
            }
            throw new NodeUnavailableException("journal", "no journal node is alive");
        }
        String leader = membership.leader(partition).orElseThrow(() -> new NodeUnavailableException(partition,
                "partition has no live leader right now"));
        return connection(leader, JOURNAL);
    }

    /**
     * @param node a storage node id
     * @return a client of its shard replicas
     */
    public ShardReplica replica(String node) {
        ClusterSpec.Node n = spec.node(node).orElseThrow(() -> new NotFoundException("storage node", node));
        if (!n.has(ClusterSpec.STORAGE)) {
            throw new NotFoundException("storage node", node);
        }
        return new ShardReplicaClient(node, connection(node, REPLICA), callTimeout);
    }
}
