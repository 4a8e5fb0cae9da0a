package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.CollectionSpec;
import io.vecraft.api.CompactionStats;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Metric;
import io.vecraft.cluster.spi.AppendAck;
import io.vecraft.cluster.spi.CatalogKeys;
import io.vecraft.cluster.spi.ClusterOptions;
import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.ReplicaHit;
import io.vecraft.cluster.spi.ReplicaQuery;
import io.vecraft.cluster.spi.ReplicaVersion;
import io.vecraft.cluster.spi.ShardId;
import io.vecraft.cluster.spi.wal.CreateCollectionEntry;
import io.vecraft.cluster.spi.wal.OpGroup;
import io.vecraft.cluster.spi.wal.WalCodec;
import io.vecraft.cluster.spi.wal.WalOp;
import io.vecraft.cluster.spi.wal.WalTypes;
import io.vecraft.core.cluster.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction of a storage node's replicas (cluster mode): superseded versions and tombstones past the
 * retention are purged, a replica with enough free slots is rewritten and swapped in while it keeps
 * applying, and the result survives a restart of the node; the background run happens on its own.
 */
class ReplicaCompactionTest {
    private static final int DIM = 8;
    private static final int IDS = 20;
    private static final int ROUNDS = 10;

    @TempDir
    Path dir;

    private ReplicaHost host(InJvmCluster cluster, ReplicaHost.Compaction compaction) {
        return new ReplicaHost("compact-node", dir.resolve("compact-node"), cluster.journal(), cluster.metadata(),
                Duration.ofMillis(20), Duration.ofMinutes(5), compaction);
    }

    @Test
    void purgedAndRewrittenReplicaServesTheSameLatestStateAndKeepsItAfterARestart() {
        SplittableRandom rnd = TestSeeds.random("ReplicaCompactionTest", 0);
        try (InJvmCluster cluster = new InJvmCluster(new ClusterOptions(dir.resolve("cluster"),
                Map.of("durability", "ASYNC", "storageNodes", "1")))) {
            JournalService journal = cluster.journal();
            List<String> partitions = journal.partitions();
            PartitionLayout layout = new PartitionLayout(partitions.size() - PartitionLayout.FIRST_DATA_ID);
            ReplicaHost.Compaction manual = new ReplicaHost.Compaction(Duration.ZERO, Duration.ZERO, 0.3);
            ShardId shard;
            String data;
            Map<String, float[]> latest = new TreeMap<>();
            AppendAck last;
            CompactionStats run;
            try (ReplicaHost host = host(cluster, manual)) {
                Map<Integer, Long> starts = new TreeMap<>();
                for (int i = 1; i < partitions.size(); i++) {
                    starts.put(i, journal.watermark(partitions.get(i)).sequence());
                }
                CreateCollectionEntry entry = new CreateCollectionEntry(new CollectionSpec("c", DIM, Metric.L2,
                        IndexSpec.hnsw(), 1), starts);
                long uid = journal.append(partitions.get(0), WalTypes.CREATE_COLLECTION, "create", 0,
                        WalCodec.encodeCreate(entry)).hlc();
                shard = new ShardId(uid, 0);
                cluster.metadata().put(CatalogKeys.placement(shard), CatalogKeys.encodePlacement(List.of("compact-node")),
                        MetadataStore.ANY_VERSION, 0);
                cluster.metadata().put(CatalogKeys.collection("c"), CatalogKeys.encodeCollection(uid, entry),
                        MetadataStore.ABSENT, 0);
                data = partitions.get(layout.dataPartitionFor(uid, 0));
                last = null;
                for (int round = 0; round < ROUNDS; round++) {
                    List<WalOp> ops = new ArrayList<>();
                    for (int i = 0; i < IDS; i++) {
                        float[] v = TestVectors.random(rnd, DIM);
                        ops.add(new WalOp.Upsert("id" + i, v, Map.of("round", (long) round), "doc " + round));
                        latest.put("id" + i, v);
                    }
                    last = journal.append(data, WalTypes.WRITE, "round-" + round, 0,
                            WalCodec.encodeGroups(List.of(new OpGroup(uid, 0, ops))));
                }
                List<WalOp> deletes = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    deletes.add(new WalOp.Delete("id" + i));
                    latest.remove("id" + i);
                }
                last = journal.append(data, WalTypes.WRITE, "deletes", 0,
                        WalCodec.encodeGroups(List.of(new OpGroup(uid, 0, deletes))));
                assertTrue(host.awaitSafeTime(shard, last.hlc(), Duration.ofSeconds(20)).safeHlc() >= last.hlc());
                assertEquals(ROUNDS, host.history(shard, "id7").size(), "every version is kept before compaction");

                run = host.compact();
                // 9 superseded versions of each of 20 ids, and the 5 deleted ids' last versions and tombstones
                assertTrue(run.versionsPurged() >= IDS * (ROUNDS - 1), "purged " + run);
                assertEquals(1, run.shardsRewritten(), "rewritten " + run);
                assertTrue(run.bytesReclaimed() > 0, "reclaimed " + run);
                assertEquals(run.versionsPurged(), host.compactionStats().versionsPurged());
                checkLatest(host, shard, latest, last.hlc());

                // the replica goes on applying on the rewritten store
                float[] v = TestVectors.random(rnd, DIM);
                last = journal.append(data, WalTypes.WRITE, "after", 0, WalCodec.encodeGroups(List.of(new OpGroup(uid, 0,
                        List.of(new WalOp.Upsert("after", v, Map.of(), null))))));
                latest.put("after", v);
                assertTrue(host.awaitSafeTime(shard, last.hlc(), Duration.ofSeconds(20)).safeHlc() >= last.hlc());
                checkLatest(host, shard, latest, last.hlc());
            }
            // a restart of the node opens the compacted replica from its checkpoint
            ReplicaHost.Compaction background = new ReplicaHost.Compaction(Duration.ZERO, Duration.ofMillis(50), 0.3);
            try (ReplicaHost host = host(cluster, background)) {
                assertTrue(host.awaitSafeTime(shard, last.hlc(), Duration.ofSeconds(20)).safeHlc() >= last.hlc());
                checkLatest(host, shard, latest, last.hlc());
                assertTrue(Await.until(() -> host.compactionStats().runs() >= 2, Duration.ofSeconds(20)),
                        "background runs: " + host.compactionStats());
                assertEquals(0, host.compactionStats().shardsRewritten(), "nothing left to rewrite");
                checkLatest(host, shard, latest, last.hlc());
            }
        }
    }

    private static void checkLatest(ReplicaHost host, ShardId shard, Map<String, float[]> latest, long hlc) {
        assertEquals(latest.size(), host.count(shard, hlc));
        for (int i = 0; i < IDS; i++) {
            String id = "id" + i;
            Optional<ReplicaVersion> r = host.get(shard, id, hlc);
            if (latest.containsKey(id)) {
                assertTrue(r.isPresent(), id);
                assertArrayEquals(latest.get(id), r.get().vector(), id);
                assertEquals(1, host.history(shard, id).size(), id + ": superseded versions are purged (retention 0)");
            } else {
                assertTrue(r.isEmpty(), id + " was deleted");
            }
        }
        Map<String, Integer> found = new HashMap<>();
        for (Map.Entry<String, float[]> e : latest.entrySet()) {
            List<ReplicaHit> hits = host.search(shard, new ReplicaQuery(e.getValue(), 3, null, hlc, 200, false, false,
                    false));
            assertEquals(e.getKey(), hits.get(0).id(), "nearest neighbour of " + e.getKey());
            found.merge(e.getKey(), 1, Integer::sum);
        }
        assertEquals(latest.size(), found.size());
    }

    @Test
    void badSettingsAreRefusedNamingTheField() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> new ReplicaHost.Compaction(Duration.ofSeconds(-1), Duration.ZERO, 0.3));
        assertTrue(e.getMessage().contains("versionRetention"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class,
                () -> new ReplicaHost.Compaction(Duration.ZERO, Duration.ofMillis(1), 0.3));
        assertTrue(e.getMessage().contains("interval"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class,
                () -> new ReplicaHost.Compaction(Duration.ZERO, Duration.ZERO, 1.5));
        assertTrue(e.getMessage().contains("threshold"), e.getMessage());
    }
}
