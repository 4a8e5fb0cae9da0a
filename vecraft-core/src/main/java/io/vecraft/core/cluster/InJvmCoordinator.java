package io.vecraft.core.cluster;

import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.VecraftException;
import io.vecraft.cluster.spi.Membership;
import io.vecraft.cluster.spi.transport.Connection;
import io.vecraft.cluster.spi.transport.MessageHandler;
import io.vecraft.cluster.spi.transport.Transport;
import io.vecraft.cluster.spi.wire.WireFormat;
import io.vecraft.cluster.spi.wire.WireReader;
import io.vecraft.cluster.spi.wire.WireWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-JVM cluster's Fail-over-Manager and membership: nodes send heartbeats (encoded messages
 * over the transport); a node silent for longer than the timeout is down. Every partition whose
 * leader is down (or that has none) gets a new one: among the live journal nodes (a majority must
 * answer), the one with the longest log, in a new term; the others are told to follow it. A node
 * that comes back is told the current leaders.
 *
 * <p>Thread-safe. One monitor thread runs liveness and elections; events go to listeners on it.
 */
public final class InJvmCoordinator implements Membership, AutoCloseable {
    /** The coordinator's transport address. */
    public static final String ADDRESS = "coordinator";
    private static final Logger LOG = LoggerFactory.getLogger(InJvmCoordinator.class);
    private static final Duration CALL = Duration.ofMillis(500);

    private record Leader(String node, long term) {
    }

    private final Transport transport;
    private final Map<String, NodeInfo> nodes;
    private final List<String> journalNodes;
    private final List<String> partitions;
    private final long timeoutNanos;
    private final Map<String, Long> lastBeat = new ConcurrentHashMap<>();
    private final Map<String, Boolean> alive = new ConcurrentHashMap<>();
    private final Map<String, Leader> leaders = new ConcurrentHashMap<>();
    private final Map<String, Long> terms = new ConcurrentHashMap<>();
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final List<Consumer<MembershipEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Transport.Listener listener;
    private final Thread monitor;
    private final Object wake = new Object();
    private volatile boolean closed;

    /**
     * @param transport        the coordinator's transport view
     * @param nodes            every node (id, address, role)
     * @param journalNodes     ids of the journal nodes
     * @param partitions       journal partition names
     * @param heartbeatTimeout silence after which a node is down
     */
    public InJvmCoordinator(Transport transport, List<NodeInfo> nodes, List<String> journalNodes,
                            List<String> partitions, Duration heartbeatTimeout) {
        this.transport = transport;
        Map<String, NodeInfo> byId = new LinkedHashMap<>();
        for (NodeInfo n : nodes) {
            byId.put(n.id(), n);
            alive.put(n.id(), false);
        }
        this.nodes = byId;
        this.journalNodes = List.copyOf(journalNodes);
        this.partitions = List.copyOf(partitions);
        this.timeoutNanos = heartbeatTimeout.toNanos();
        this.listener = transport.listen(ADDRESS, new MessageHandler() {
            @Override
            public byte[] handle(byte[] request) {
                try {
                    WireFormat.Envelope e = WireFormat.open(request);
                    if (e.kind() != ClusterWire.HEARTBEAT) {
                        throw new InvalidArgumentException("wire.kind", "coordinator serves heartbeats only");
                    }
                    String node = e.reader().getShortString();
                    if (!byId.containsKey(node)) {
                        throw new InvalidArgumentException("node", "unknown node " + node);
                    }
                    boolean wasDown = !alive.getOrDefault(node, false);
                    lastBeat.put(node, System.nanoTime());
                    if (wasDown) {
                        synchronized (wake) {
                            wake.notifyAll();
                        }
                    }
                    return WireFormat.ok().toByteArray();
                } catch (RuntimeException ex) {
                    return WireFormat.error(ex);
                }
            }
        });
        this.monitor = new Thread(this::monitorLoop, "vecraft-coordinator");
        this.monitor.setDaemon(true); // in-process control plane; nodes keep their data
        this.monitor.start();
    }

    // ------------------------------------------------------------------ Membership

    @Override
    public List<NodeInfo> nodes() {
        List<NodeInfo> out = new ArrayList<>();
        for (NodeInfo n : nodes.values()) {
            out.add(new NodeInfo(n.id(), n.address(), n.role(), isAlive(n.id())));
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

    @Override
    public AutoCloseable onChange(Consumer<MembershipEvent> l) {
        listeners.add(l);
        return () -> listeners.remove(l);
    }

    private void emit(MembershipEvent e) {
        for (Consumer<MembershipEvent> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                LOG.warn("membership listener failed on {}", e, ex);
            }
        }
    }

    /**
     * Marks a node down at once (used when a node is killed, instead of waiting for the timeout).
     *
     * @param nodeId the node
     */
    public void markDown(String nodeId) {
        lastBeat.remove(nodeId);
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /**
     * Waits until every partition has a live leader.
     *
     * @param timeout longest wait
     * @return true if all partitions have one
     */
    public boolean awaitLeaders(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (wake) {
            while (true) {
                boolean all = true;
                for (String p : partitions) {
                    all &= leader(p).isPresent();
                }
                if (all) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    wake.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    // ------------------------------------------------------------------ monitor

    private void monitorLoop() {
        while (!closed) {
            try {
                updateLiveness();
                for (String p : partitions) {
                    Leader l = leaders.get(p);
                    if (l == null || !isAlive(l.node())) {
                        elect(p);
                    }
                }
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.warn("coordinator round failed", e);
                }
            }
            synchronized (wake) {
                wake.notifyAll();
                try {
                    wake.wait(25);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void updateLiveness() {
        long now = System.nanoTime();
        for (String id : nodes.keySet()) {
            Long beat = lastBeat.get(id);
            boolean up = beat != null && now - beat < timeoutNanos;
            boolean was = alive.getOrDefault(id, false);
            if (up != was) {
                alive.put(id, up);
                LOG.info("node {} is {}", id, up ? "up" : "down");
                emit(new MembershipEvent(up ? MembershipEvent.Type.NODE_UP : MembershipEvent.Type.NODE_DOWN, id, "", 0));
                if (up && journalNodes.contains(id)) {
                    for (Map.Entry<String, Leader> e : leaders.entrySet()) {
                        if (!e.getValue().node().equals(id)) {
                            follow(id, e.getKey(), e.getValue());
                        }
                    }
                }
            }
        }
    }

    private void elect(String partition) {
        List<String> live = journalNodes.stream().filter(this::isAlive).toList();
        int majority = journalNodes.size() / 2 + 1;
        if (live.size() < majority) {
            leaders.remove(partition);
            return;
        }
        String best = null;
        long bestHead = -1;
        int answered = 0;
        for (String n : live) {
            try {
                WireWriter w = WireFormat.message(ClusterWire.REPL_STATE);
                w.putShortString(partition);
                WireReader r = WireFormat.response(connection(n).call(w.toByteArray(), CALL));
                long head = r.getLong();
                answered++;
                if (head > bestHead) {
                    best = n;
                    bestHead = head;
                }
            } catch (VecraftException e) {
                LOG.debug("election of {}: {} did not answer ({})", partition, n, e.getMessage());
            }
        }
        if (answered < majority || best == null) {
            return;
        }
        long term = terms.merge(partition, 1L, Long::sum);
        try {
            WireWriter w = WireFormat.message(ClusterWire.BECOME_LEADER);
            w.putShortString(partition);
            w.putLong(term);
            WireFormat.response(connection(best).call(w.toByteArray(), CALL));
        } catch (VecraftException e) {
            LOG.info("election of {}: {} could not take the lead ({})", partition, best, e.getMessage());
            return;
        }
        Leader leader = new Leader(best, term);
        leaders.put(partition, leader);
        LOG.info("partition {}: leader {} (term {}, head {})", partition, best, term, bestHead);
        for (String n : live) {
            if (!n.equals(best)) {
                follow(n, partition, leader);
            }
        }
        emit(new MembershipEvent(MembershipEvent.Type.LEADER_CHANGED, best, partition, term));
    }

    private void follow(String node, String partition, Leader leader) {
        try {
            WireWriter w = WireFormat.message(ClusterWire.FOLLOW);
            w.putShortString(partition);
            w.putLong(leader.term());
            w.putShortString(leader.node());
            WireFormat.response(connection(node).call(w.toByteArray(), CALL));
        } catch (VecraftException e) {
            LOG.debug("telling {} to follow {} for {} failed ({})", node, leader.node(), partition, e.getMessage());
        }
    }

    private Connection connection(String node) {
        return connections.computeIfAbsent(node, transport::connect);
    }

    @Override
    public void close() {
        closed = true;
        monitor.interrupt();
        try {
            monitor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listener.close();
    }
}
