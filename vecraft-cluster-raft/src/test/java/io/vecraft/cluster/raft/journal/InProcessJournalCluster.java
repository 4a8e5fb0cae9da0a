package io.vecraft.cluster.raft.journal;

import io.vecraft.api.Durability;
import io.vecraft.cluster.raft.local.FreePorts;
import io.vecraft.cluster.raft.transport.GrpcAddress;
import io.vecraft.cluster.raft.transport.GrpcTransport;
import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.transport.Connection;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import io.vecraft.cluster.spi.wire.JournalServiceClient;
import io.vecraft.cluster.spi.wire.WireFormat;
import io.vecraft.cluster.spi.wire.WireReader;
import io.vecraft.journal.HybridLogicalClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Three Raft journal nodes in this JVM (each with its own clock, transport and directory) for fast
 * tests of the Ratis integration; the multi-process tests run the same classes in child JVMs.
 */
final class InProcessJournalCluster implements AutoCloseable {
    final Path dir;
    final List<String> ids = List.of("j1", "j2", "j3");
    final Map<String, int[]> ports = new LinkedHashMap<>();
    final Map<String, RaftJournalNode> nodes = new LinkedHashMap<>();
    final Map<String, GrpcTransport> transports = new LinkedHashMap<>();
    final GrpcTransport clientTransport = GrpcTransport.builder().build();
    final long snapshotEvery;
    final long segmentBytes;
    final JournalServiceClient client;

    InProcessJournalCluster(Path dir, long snapshotEvery) {
        this(dir, snapshotEvery, JournalNodeConfig.DEFAULT_SEGMENT_BYTES);
    }

    InProcessJournalCluster(Path dir, long snapshotEvery, long segmentBytes) {
        this.dir = dir;
        this.snapshotEvery = snapshotEvery;
        this.segmentBytes = segmentBytes;
        for (String id : ids) {
            ports.put(id, new int[] {FreePorts.one(), FreePorts.one()});
        }
        for (String id : ids) {
            start(id);
        }
        client = new JournalServiceClient(this::leaderConnection, Duration.ofSeconds(30));
    }

    JournalNodeConfig config(String id) {
        JournalNodeConfig.Builder b = JournalNodeConfig.builder(id, dir.resolve(id)).withNamespace("/test")
                .withDurability(Durability.ASYNC).withSnapshotEvery(snapshotEvery).withSegmentBytes(segmentBytes)
                .withMaxEntryBytes((int) Math.min(JournalNodeConfig.DEFAULT_MAX_ENTRY_BYTES, segmentBytes / 2));
        for (String p : ids) {
            b.withPeer(p, "127.0.0.1:" + ports.get(p)[0], "127.0.0.1:" + ports.get(p)[1]);
        }
        return b.build();
    }

    void start(String id) {
        HybridLogicalClock clock = new HybridLogicalClock();
        GrpcTransport t = GrpcTransport.builder().withClock(clock).build();
        transports.put(id, t);
        nodes.put(id, new RaftJournalNode(config(id), clock, t, (partition, term) -> { }));
    }

    void stop(String id) {
        RaftJournalNode n = nodes.remove(id);
        if (n != null) {
            n.close();
        }
        GrpcTransport t = transports.remove(id);
        if (t != null) {
            t.close();
        }
    }

    String leader(String partition) {
        for (RaftJournalNode n : nodes.values()) {
            if (n.isLeader(partition)) {
                return n.nodeId();
            }
        }
        return null;
    }

    private Connection leaderConnection(String partition) {
        String id = partition.isEmpty() ? nodes.keySet().iterator().next() : leader(partition);
        if (id == null) {
            throw new NodeUnavailableException(partition, "no leader yet");
        }
        return clientTransport.connect(GrpcAddress.of("127.0.0.1:" + ports.get(id)[1], "journal"));
    }

    JournalService journal() {
        return client;
    }

    /** @return per node: partition -> {head, lastHlc, crc, nextSeq} */
    Map<String, Map<String, List<Long>>> digests() {
        Map<String, Map<String, List<Long>>> out = new LinkedHashMap<>();
        for (String id : nodes.keySet()) {
            Connection c = clientTransport.connect(GrpcAddress.of("127.0.0.1:" + ports.get(id)[1], "journal"));
            WireReader r = WireFormat.response(c.call(WireFormat.message(RaftWire.J_DIGEST).toByteArray(),
                    Duration.ofSeconds(10)));
            Map<String, List<Long>> parts = new LinkedHashMap<>();
            int n = r.getInt();
            for (int i = 0; i < n; i++) {
                String name = r.getShortString();
                List<Long> v = new ArrayList<>(List.of(r.getLong(), r.getLong(), r.getLong(), r.getLong()));
                r.getBoolean();
                r.getLong();
                r.getShortString();
                parts.put(name, v);
            }
            out.put(id, parts);
        }
        return out;
    }

    @Override
    public void close() {
        for (String id : List.copyOf(nodes.keySet())) {
            stop(id);
        }
        clientTransport.close();
    }
}
