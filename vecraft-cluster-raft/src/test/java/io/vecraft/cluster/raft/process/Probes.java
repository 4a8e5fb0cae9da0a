package io.vecraft.cluster.raft.process;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.VecraftException;
import io.vecraft.cluster.raft.ClusterSpec;
import io.vecraft.cluster.raft.journal.RaftWire;
import io.vecraft.cluster.raft.transport.GrpcAddress;
import io.vecraft.cluster.raft.transport.GrpcTransport;
import io.vecraft.cluster.spi.wire.WireFormat;
import io.vecraft.cluster.spi.wire.WireReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Bounded waits and per-node journal digests for the multi-process tests. */
final class Probes {
    private Probes() {
    }

    /** Waits (parking between checks) until the condition holds; fails the test at the deadline. */
    static void await(String what, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out after " + timeout + " waiting for " + what);
            LockSupport.parkNanos(20_000_000L);
        }
    }

    /**
     * @return node id -> partition -> {head, lastHlc, crc of every entry, next applied sequence}
     *     for every node that answers (a dead node is left out)
     */
    static Map<String, Map<String, List<Long>>> digests(ClusterSpec spec) {
        Map<String, Map<String, List<Long>>> out = new LinkedHashMap<>();
        try (GrpcTransport t = GrpcTransport.builder().build()) {
            for (ClusterSpec.Node n : spec.journalNodes()) {
                try {
                    WireReader r = WireFormat.response(t.connect(GrpcAddress.of(n.grpc(), "journal"))
                            .call(WireFormat.message(RaftWire.J_DIGEST).toByteArray(), Duration.ofSeconds(10)));
                    Map<String, List<Long>> parts = new LinkedHashMap<>();
                    int k = r.getInt();
                    for (int i = 0; i < k; i++) {
                        String name = r.getShortString();
                        parts.put(name, new ArrayList<>(List.of(r.getLong(), r.getLong(), r.getLong(), r.getLong())));
                        r.getBoolean();
                        r.getLong();
                        r.getShortString();
                    }
                    out.put(n.id(), parts);
                } catch (VecraftException e) {
                    // not answering: left out
                }
            }
        }
        return out;
    }

    /** Waits until every journal node answers with the same journal digest. */
    static void awaitIdenticalJournals(ClusterSpec spec, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, Map<String, List<Long>>> d = digests(spec);
            if (d.size() == spec.journalNodes().size() && d.values().stream().distinct().count() == 1) {
                return;
            }
            assertTrue(System.nanoTime() - deadline < 0, "journals of the nodes differ after " + timeout + ": " + d);
            LockSupport.parkNanos(200_000_000L);
        }
    }
}
