package io.vecraft.core.cluster;

import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftException;
import io.vecraft.cluster.spi.Cluster;
import io.vecraft.cluster.spi.ClusterOptions;
import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.Membership;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.ShardReplica;
import io.vecraft.cluster.spi.transport.Connection;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import io.vecraft.cluster.spi.transport.Transport;
import io.vecraft.cluster.spi.wire.JournalServiceClient;
import io.vecraft.cluster.spi.wire.MetadataStoreClient;
import io.vecraft.cluster.spi.wire.MetadataStoreServer;
import io.vecraft.cluster.spi.wire.ShardReplicaClient;
import io.vecraft.cluster.spi.wire.ShardReplicaServer;
import io.vecraft.cluster.spi.wire.WireFormat;
import io.vecraft.cluster.spi.wire.WireWriter;
import io.vecraft.core.ReplicaHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole cluster in one process: a metadata node ({@code meta-0}), a coordinator, journal nodes
 * ({@code journal-0..}) replicating every partition, and storage nodes ({@code storage-0..})
 * hosting shard replicas ({@link ReplicaHost}), all talking through an {@link InJvmTransport}
 * that encodes every message. The database front end is the {@code client} node.
 *
 * <p>Settings ({@link ClusterOptions}): {@code journalNodes} (default 3), {@code storageNodes}
 * (default 3), {@code dataPartitions} (default 2), {@code durability} (SYNC, ASYNC or
 * BATCH(&lt;n&gt;ms); default SYNC), {@code tickMillis}, {@code checkpointMillis}, replica compaction
 * ({@link ReplicaHost.Compaction}: {@code versionRetentionMillis} (3600000), {@code compactionMillis}
 * (600000, 0 for no background runs), {@code compactionThresholdPercent} (30)),
 * {@code heartbeatTimeoutMillis} (default 400), {@code seed} (fault injection). Data lives under
 * {@code <directory>/cluster/}.
 *
 * <p>Fault injection for tests: {@link #kill}, {@link #restart}, {@link #isolate},
 * {@link #heal}, and {@link #transport()} for delays and drops.
 *
 * <p>Thread-safe.
 */
public final class InJvmCluster implements Cluster {
    private static final Logger LOG = LoggerFactory.getLogger(InJvmCluster.class);
    private static final String META = "meta-0";
    private static final String CLIENT = "client";

    private final Path base;
    private final InJvmTransport transport;
    private final Transport clientView;
    private final InMemoryMetadataStore store;
    private final Transport.Listener metaListener;
    private final InJvmCoordinator coordinator;
    private final List<String> journalIds = new ArrayList<>();
    private final List<String> storageIds = new ArrayList<>();
    private final List<String> partitions;
    private final Durability durability;
    private final Duration tick;
    private final Duration checkpoint;
    private final ReplicaHost.Compaction compaction;
    private final Duration callTimeout = Duration.ofSeconds(30);
    private final Map<String, Node> running = new ConcurrentHashMap<>();
    private final Map<String, Connection> clientConnections = new ConcurrentHashMap<>();
    private final JournalServiceClient journal;
    private final MetadataStoreClient metadata;
    private volatile boolean closed;

    /** A running node: its resources and heartbeat. */
    private interface Node extends AutoCloseable {
        @Override
        void close();

        /** Stops abruptly (no final checkpoint where that matters). */
        void kill();
    }

    /**
     * Starts the cluster.
     *
     * @param options directory and settings
     */
    public InJvmCluster(ClusterOptions options) {
        int journalNodes = options.intSetting("journalNodes", 3, 1, 9);
        int storageNodes = options.intSetting("storageNodes", 3, 1, 32);
        int dataPartitions = options.intSetting("dataPartitions", 2, 1, 64);
        this.durability = parseDurability(options.setting("durability", "SYNC"));
        this.tick = Duration.ofMillis(options.intSetting("tickMillis", 50, 1, 10_000));
        this.checkpoint = Duration.ofMillis(options.intSetting("checkpointMillis", 300_000, 10, Integer.MAX_VALUE));
        int compactionMillis = options.intSetting("compactionMillis", 600_000, 0, Integer.MAX_VALUE);
        if (compactionMillis > 0 && compactionMillis < 10) {
            throw new InvalidArgumentException("compactionMillis", "must be 0 (no background runs) or at least 10, was "
                    + compactionMillis);
        }
        this.compaction = new ReplicaHost.Compaction(
                Duration.ofMillis(options.intSetting("versionRetentionMillis", 3_600_000, 0, Integer.MAX_VALUE)),
                Duration.ofMillis(compactionMillis),
                options.intSetting("compactionThresholdPercent", 30, 0, 100) / 100.0);
        Duration heartbeatTimeout = Duration.ofMillis(options.intSetting("heartbeatTimeoutMillis", 400, 50, 60_000));
        this.base = options.directory().resolve("cluster");
        this.transport = new InJvmTransport(options.intSetting("seed", 42, 0, Integer.MAX_VALUE));
        this.clientView = transport.forNode(CLIENT);
        List<String> names = new ArrayList<>(List.of("system", "tx"));
        for (int i = 0; i < dataPartitions; i++) {
            names.add("data-" + i);
        }
        this.partitions = List.copyOf(names);
        List<Membership.NodeInfo> infos = new ArrayList<>();
        for (int i = 0; i < journalNodes; i++) {
            journalIds.add("journal-" + i);
            infos.add(new Membership.NodeInfo("journal-" + i, "journal-" + i, "journal", false));
        }
        for (int i = 0; i < storageNodes; i++) {
            storageIds.add("storage-" + i);
            infos.add(new Membership.NodeInfo("storage-" + i, "storage-" + i, "storage", false));
        }
        this.store = new InMemoryMetadataStore(base.resolve("meta").resolve("metadata.bin"));
        this.metaListener = transport.forNode(META).listen(META, new MetadataStoreServer(store));
        this.coordinator = new InJvmCoordinator(transport.forNode(InJvmCoordinator.ADDRESS), infos, journalIds,
                partitions, heartbeatTimeout);
        this.journal = new JournalServiceClient(p -> leaderConnection(clientView, clientConnections, p), callTimeout);
        this.metadata = new MetadataStoreClient(clientView.connect(META), callTimeout);
        try {
            for (String id : journalIds) {
                startJournalNode(id);
            }
            if (!coordinator.awaitLeaders(Duration.ofSeconds(30))) {
                throw new VecraftException("in-jvm cluster: no leader for every partition within 30 s");
            }
            for (String id : storageIds) {
                startStorageNode(id);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("in-jvm cluster up: {} journal nodes, {} storage nodes, partitions {}, durability {}", journalNodes,
                storageNodes, partitions, durability);
    }

    static Durability parseDurability(String s) {
        String v = s.trim().toUpperCase(java.util.Locale.ROOT);
        if (v.equals("SYNC")) {
            return Durability.SYNC;
        }
        if (v.equals("ASYNC")) {
            return Durability.ASYNC;
        }
        if (v.startsWith("BATCH(") && v.endsWith("MS)")) {
            return Durability.batch(Duration.ofMillis(Long.parseLong(v.substring(6, v.length() - 3))));
        }
        throw new InvalidArgumentException("cluster.durability", "must be SYNC, ASYNC or BATCH(<n>ms), was " + s);
    }

    private Connection leaderConnection(Transport view, Map<String, Connection> cache, String partition) {
        String node;
        if (partition.isEmpty()) {
            node = journalIds.stream().filter(coordinator::isAlive).findFirst()
                    .orElseThrow(() -> new NodeUnavailableException("journal", "no journal node is alive"));
        } else {
            node = coordinator.leader(partition)
                    .orElseThrow(() -> new NodeUnavailableException(partition, "partition has no leader right now"));
        }
        return cache.computeIfAbsent(node, view::connect);
    }

    private Heartbeat heartbeat(String id, Transport view) {
        Heartbeat h = new Heartbeat(id, view.connect(InJvmCoordinator.ADDRESS));
        h.start();
        return h;
    }

    private void startJournalNode(String id) {
        Transport view = transport.forNode(id);
        JournalNode node = new JournalNode(id, base.resolve(id), partitions, journalIds, view, durability,
                callTimeout);
        Heartbeat hb = heartbeat(id, view);
        running.put(id, new JournalNodeHandle(node, hb, view));
    }

    /** A running journal node. */
    private record JournalNodeHandle(JournalNode node, Heartbeat heartbeat, Transport view) implements Node {
        @Override
        public void close() {
            heartbeat.stopBeating();
            node.close();
            view.close();
        }

        @Override
        public void kill() {
            close();
        }
    }

    private void startStorageNode(String id) {
        Transport view = transport.forNode(id);
        Map<String, Connection> cache = new ConcurrentHashMap<>();
        JournalServiceClient j = new JournalServiceClient(p -> leaderConnection(view, cache, p), callTimeout);
        MetadataStoreClient m = new MetadataStoreClient(view.connect(META), callTimeout);
        ReplicaHost host = new ReplicaHost(id, base.resolve(id), j, m, tick, checkpoint, compaction);
        Transport.Listener l = view.listen(id, new ShardReplicaServer(host));
        Heartbeat hb = heartbeat(id, view);
        running.put(id, new Node() {
            @Override
            public void close() {
                hb.stopBeating();
                l.close();
                host.close(true);
                view.close();
            }

            @Override
            public void kill() {
                hb.stopBeating();
                l.close();
                view.close();
                host.close(false);
            }
        });
    }

    // ------------------------------------------------------------------ fault injection

    /**
     * Stops a node abruptly: it stops serving and heartbeating (storage nodes skip their final
     * checkpoint). Its data stays on disk for {@link #restart}.
     *
     * @param nodeId a journal or storage node id
     */
    public void kill(String nodeId) {
        Node n = running.remove(nodeId);
        if (n == null) {
            throw new NotFoundException("running node", nodeId);
        }
        LOG.info("killing node {}", nodeId);
        n.kill();
        coordinator.markDown(nodeId);
    }

    /**
     * Starts a killed node again from its data directory; it catches up from the journal.
     *
     * @param nodeId the node id
     */
    public void restart(String nodeId) {
        if (running.containsKey(nodeId)) {
            throw new InvalidArgumentException("nodeId", nodeId + " is running");
        }
        LOG.info("restarting node {}", nodeId);
        if (journalIds.contains(nodeId)) {
            startJournalNode(nodeId);
        } else if (storageIds.contains(nodeId)) {
            startStorageNode(nodeId);
        } else {
            throw new NotFoundException("node", nodeId);
        }
    }

    /** @param nodeId node to cut off from the network (it keeps running) */
    public void isolate(String nodeId) {
        transport.isolate(nodeId);
    }

    /** @param nodeId node to reconnect */
    public void heal(String nodeId) {
        transport.heal(nodeId);
    }

    /** @return the transport, for delay and drop injection */
    public InJvmTransport faults() {
        return transport;
    }

    /** @return the coordinator (membership, leaders) */
    public InJvmCoordinator coordinator() {
        return coordinator;
    }

    /**
     * @param journalNode a running journal node
     * @param partition   partition name
     * @return the head sequence of that node's copy of the partition (tests, diagnostics)
     */
    public long journalHead(String journalNode, String partition) {
        Node n = running.get(journalNode);
        if (!(n instanceof JournalNodeHandle h)) {
            throw new NotFoundException("running journal node", journalNode);
        }
        return h.node().head(partition);
    }

    /** @return journal node ids */
    public List<String> journalNodes() {
        return List.copyOf(journalIds);
    }

    /**
     * @param partition partition name
     * @return the current leader of a partition, if any
     */
    public Optional<String> leaderOf(String partition) {
        return coordinator.leader(partition);
    }

    // ------------------------------------------------------------------ Cluster

    @Override
    public String provider() {
        return InJvmClusterProvider.NAME;
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
        return coordinator;
    }

    @Override
    public List<String> storageNodes() {
        return List.copyOf(storageIds);
    }

    @Override
    public ShardReplica replica(String nodeId) {
        if (!storageIds.contains(nodeId)) {
            throw new NotFoundException("storage node", nodeId);
        }
        return new ShardReplicaClient(nodeId, clientConnections.computeIfAbsent(nodeId, clientView::connect),
                callTimeout);
    }

    @Override
    public Transport transport() {
        return clientView;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (String id : storageIds) {
            Node n = running.remove(id);
            if (n != null) {
                n.close();
            }
        }
        for (String id : journalIds) {
            Node n = running.remove(id);
            if (n != null) {
                n.close();
            }
        }
        coordinator.close();
        metaListener.close();
        store.close();
        transport.close();
    }

    /** Sends a node's heartbeats to the coordinator every 50 ms until stopped. */
    private static final class Heartbeat extends Thread {
        private final String node;
        private final Connection coordinator;
        private volatile boolean beating = true;

        Heartbeat(String node, Connection coordinator) {
            super("vecraft-heartbeat-" + node);
            setDaemon(true); // liveness signal only
            this.node = node;
            this.coordinator = coordinator;
        }

        @Override
        public void run() {
            WireWriter w = WireFormat.message(ClusterWire.HEARTBEAT);
            w.putShortString(node);
            byte[] beat = w.toByteArray();
            while (beating) {
                try {
                    WireFormat.response(coordinator.call(beat, Duration.ofMillis(500)));
                } catch (VecraftException e) {
                    // unreachable (isolated): the coordinator will declare this node down
                }
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
            }
        }

        void stopBeating() {
            beating = false;
            interrupt();
        }
    }
}
