package io.vecraft.cluster.raft;

import io.vecraft.api.InvalidArgumentException;
import io.vecraft.cluster.spi.CatalogKeys;
import io.vecraft.cluster.spi.Membership;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.wire.WireReader;
import io.vecraft.cluster.spi.wire.WireWriter;
import java.nio.BufferUnderflowException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Membership} from etcd (seed: Fail-over-Manager): a node is alive while its node record
 * {@code /vecraft/nodes/<id>} exists (it is attached to the node's lease, see
 * {@link io.vecraft.cluster.raft.etcd.NodeLease}: a killed, stopped or cut-off node disappears
 * when its lease expires); the leader of a journal partition is the node named by
 * {@code /vecraft/raft/leaders/<partition>}, written by the Raft leader when it becomes ready
 * (only a higher term replaces a record). Both prefixes are watched; listeners get NODE_UP,
 * NODE_DOWN and LEADER_CHANGED events on the watch thread.
 *
 * <pre>
 * node record    u8 version 1, str16 grpc host:port, str16 roles, i64 pid, i64 start millis
 * leader record  u8 version 1, str16 node id, i64 term
 * </pre>
 *
 * <p>Thread-safe.
 */
public final class EtcdMembership implements Membership, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdMembership.class);

    /** A leader record. */
    public record Leader(String node, long term) {
    }

    private final ClusterSpec spec;
    private final Map<String, Boolean> alive = new ConcurrentHashMap<>();
    private final Map<String, Leader> leaders = new ConcurrentHashMap<>();
    private final List<Consumer<MembershipEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Object changed = new Object();
    private final AutoCloseable nodeWatch;
    private final AutoCloseable leaderWatch;

    /**
     * Reads the current members and leaders, then watches them.
     *
     * @param store the cluster's metadata store
     * @param spec  the cluster spec
     */
    public EtcdMembership(MetadataStore store, ClusterSpec spec) {
        this.spec = spec;
        for (MetadataStore.KeyValue kv : store.list(CatalogKeys.NODES)) {
            alive.put(kv.key().substring(CatalogKeys.NODES.length()), true);
        }
        for (MetadataStore.KeyValue kv : store.list(ClusterSpec.LEADERS)) {
            leaders.put(kv.key().substring(ClusterSpec.LEADERS.length()), decodeLeader(kv.key(), kv.value()));
        }
        this.nodeWatch = store.watch(CatalogKeys.NODES, this::onNode);
        this.leaderWatch = store.watch(ClusterSpec.LEADERS, this::onLeader);
    }

    /**
     * @param grpc  {@code host:port}
     * @param roles roles, comma-separated
     * @return a node record
     */
    public static byte[] encodeNode(String grpc, String roles) {
        WireWriter w = new WireWriter(64);
        w.putByte(1);
        w.putShortString(grpc);
        w.putShortString(roles);
        w.putLong(ProcessHandle.current().pid());
        w.putLong(System.currentTimeMillis());
        return w.toByteArray();
    }

    /**
     * @param node leader node id
     * @param term Raft term
     * @return a leader record
     */
    public static byte[] encodeLeader(String node, long term) {
        WireWriter w = new WireWriter(32);
        w.putByte(1);
        w.putShortString(node);
        w.putLong(term);
        return w.toByteArray();
    }

    /**
     * @param key   the key (for errors)
     * @param value a leader record
     * @return the record
     */
    public static Leader decodeLeader(String key, byte[] value) {
        try {
            WireReader r = new WireReader(value);
            int version = r.getUnsignedByte();
            if (version != 1) {
                throw new InvalidArgumentException("metadata." + key, "unknown leader record version " + version);
            }
            return new Leader(r.getShortString(), r.getLong());
        } catch (BufferUnderflowException e) {
            throw new InvalidArgumentException("metadata." + key, "truncated leader record");
        }
    }

    private void onNode(MetadataStore.WatchEvent e) {
        String id = e.key().substring(CatalogKeys.NODES.length());
        boolean up = e.type() == MetadataStore.WatchEvent.Type.PUT;
        Boolean was = alive.put(id, up);
        if (was == null || was != up) {
            LOG.info("node {} is {}", id, up ? "up" : "down");
            emit(new MembershipEvent(up ? MembershipEvent.Type.NODE_UP : MembershipEvent.Type.NODE_DOWN, id, "", 0));
        }
    }

    private void onLeader(MetadataStore.WatchEvent e) {
        String partition = e.key().substring(ClusterSpec.LEADERS.length());
        if (e.type() == MetadataStore.WatchEvent.Type.DELETE) {
            leaders.remove(partition);
            signal();
            return;
        }
        Leader l;
        try {
            l = decodeLeader(e.key(), e.value());
        } catch (InvalidArgumentException ex) {
            LOG.warn("ignoring a malformed leader record {}", e.key(), ex);
            return;
        }
        Leader old = leaders.put(partition, l);
        if (!l.equals(old)) {
            LOG.info("partition {}: leader {} (term {})", partition, l.node(), l.term());
            emit(new MembershipEvent(MembershipEvent.Type.LEADER_CHANGED, l.node(), partition, l.term()));
        }
    }

    private void emit(MembershipEvent e) {
        signal();
        for (Consumer<MembershipEvent> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                LOG.warn("membership listener failed on {}", e, ex);
            }
        }
    }

    private void signal() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    @Override
    public List<NodeInfo> nodes() {
        List<NodeInfo> out = new ArrayList<>();
        for (ClusterSpec.Node n : spec.nodes()) {
            out.add(new NodeInfo(n.id(), n.grpc(), String.join(",", n.roles().stream().sorted().toList()),
                    isAlive(n.id())));
        }
        return out;
    }

    @Override
    public boolean isAlive(String nodeId) {
        return alive.getOrDefault(nodeId, false);
    }

    @Override
    public Optional<String> leader(String partition) {
        Leader l = leaders.get(partition);
        return l == null || !isAlive(l.node()) ? Optional.empty() : Optional.of(l.node());
    }

    /**
     * @param partition partition name
     * @return the leader record, alive or not
     */
    public Optional<Leader> leaderRecord(String partition) {
        return Optional.ofNullable(leaders.get(partition));
    }

    @Override
    public AutoCloseable onChange(Consumer<MembershipEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Waits until every partition has a live leader.
     *
     * @param timeout longest wait
     * @return true if they all have one
     */
    public boolean awaitLeaders(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (true) {
                if (spec.partitions().stream().allMatch(p -> leader(p).isPresent())) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    changed.wait(Math.max(1, Math.min(100, left / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    /** Stops watching; idempotent. */
    @Override
    public void close() {
        for (AutoCloseable w : List.of(nodeWatch, leaderWatch)) {
            try {
                w.close();
            } catch (Exception e) {
                LOG.debug("closing a membership watch failed", e);
            }
        }
    }
}
