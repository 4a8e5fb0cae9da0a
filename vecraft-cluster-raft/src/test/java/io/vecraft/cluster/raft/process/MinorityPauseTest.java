package io.vecraft.cluster.raft.process;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.AckLevel;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftException;
import io.vecraft.api.WriteOptions;
import io.vecraft.cluster.raft.ClusterSpec;
import io.vecraft.cluster.raft.transport.GrpcAddress;
import io.vecraft.cluster.raft.transport.GrpcTransport;
import io.vecraft.cluster.spi.transport.Connection;
import io.vecraft.cluster.spi.wire.WireFormat;
import io.vecraft.cluster.spi.wire.WireWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGSTOP of one node (a minority of one, chosen as the Raft leader of the written partition): the
 * frozen node accepts no write, the majority elects a new leader and goes on, and after SIGCONT
 * the node steps down, catches up and ends with the same journal; no acknowledged write is lost.
 */
@Tag("cluster")
@Timeout(400)
@ExtendWith(SharedClusterExtension.class)
class MinorityPauseTest {
    @TempDir
    Path dir;

    private static byte[] directAppend(String partition, String requestId) {
        WireWriter w = WireFormat.message(WireFormat.J_APPEND);
        w.putShortString(partition);
        w.putByte(1);
        w.putShortString(requestId);
        w.putLong(0);
        w.putBytes(new byte[] {1});
        return w.toByteArray();
    }

    @Test
    void aFrozenMinorityAcceptsNoWriteWhileTheMajorityGoesOn(SharedCluster cluster) throws Exception {
        try (Vecraft db = RaftClusterApiTest.open(dir, cluster);
             GrpcTransport direct = GrpcTransport.builder().build()) {
            Collection c = db.createCollection(CollectionSpec.of("pause", 4));
            String partition = c.upsert(Record.of("first", new float[] {1, 1, 1, 1})).partition();
            String frozen = cluster.client.leaderOf(partition).orElseThrow();
            ClusterSpec.Node node = cluster.client.spec().node(frozen).orElseThrow();
            Connection toFrozen = direct.connect(GrpcAddress.of(node.grpc(), "journal"));
            Map<String, Long> acknowledged = new ConcurrentHashMap<>();
            AtomicLong lastAck = new AtomicLong();
            AtomicLong pausedMark = new AtomicLong(Long.MAX_VALUE);
            AtomicLong firstAfterPause = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        Receipt r = c.upsert(Record.of("p" + i, new float[] {i, 0, 0, 1}),
                                WriteOptions.defaults().withAckLevel(AckLevel.DURABLE));
                        acknowledged.put("p" + i, r.hlc());
                        long now = System.nanoTime();
                        lastAck.set(now);
                        if (now - pausedMark.get() > 0) {
                            firstAfterPause.compareAndSet(0, now);
                        }
                    } catch (VecraftException e) {
                        // retried by the next iteration; only acknowledged writes are checked
                    }
                }
            }, "writer");
            writer.start();
            long pausedAt;
            try {
                Probes.await("writes before the pause", () -> acknowledged.size() >= 50, Duration.ofSeconds(60));
                cluster.local.pause(frozen);
                pausedAt = System.nanoTime();
                pausedMark.set(pausedAt);
                try {
                    assertThrows(VecraftException.class, () -> WireFormat.response(toFrozen.call(
                            directAppend(partition, "to-frozen"), Duration.ofSeconds(3))),
                            "a frozen node accepts no write");
                    Probes.await("a write acknowledged by the majority", () -> lastAck.get() > pausedAt,
                            Duration.ofSeconds(60));
                    long resumedAfter = (firstAfterPause.get() - pausedAt) / 1_000_000;
                    int during = acknowledged.size();
                    Probes.await("more writes on the majority", () -> acknowledged.size() >= during + 50,
                            Duration.ofSeconds(60));
                    System.out.printf("[measure] SIGSTOP of %s (leader of %s): the majority acknowledged a write %d ms "
                            + "later%n", frozen, partition, resumedAfter);
                    assertTrue(cluster.client.leaderOf(partition).filter(l -> !l.equals(frozen)).isPresent(),
                            "the majority elected another leader");
                } finally {
                    cluster.local.resume(frozen);
                }
            } finally {
                stop.set(true);
                writer.join(60_000);
            }
            // Back from the freeze, the node is a follower: it refuses appends and names the leader.
            Probes.await(frozen + " answers again", () -> {
                try {
                    WireFormat.response(toFrozen.call(directAppend(partition, "after-thaw"), Duration.ofSeconds(3)));
                    return !cluster.client.leaderOf(partition).orElse("").equals(frozen) ? false : true;
                } catch (io.vecraft.cluster.spi.transport.NodeUnavailableException e) {
                    return e.getMessage().contains("not the leader");
                } catch (VecraftException e) {
                    return false;
                }
            }, Duration.ofSeconds(60));
            ReadOptions strong = ReadOptions.defaults().withConsistency(Consistency.STRONG);
            for (String id : acknowledged.keySet()) {
                assertTrue(c.get(id, strong).isPresent(), "acknowledged write " + id + " is there");
            }
            Probes.awaitIdenticalJournals(cluster.client.spec(), Duration.ofSeconds(120));
            db.dropCollection("pause");
        }
    }
}
