package io.vecraft.cluster.spi.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Filter;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.Metric;
import io.vecraft.api.NotFoundException;
import io.vecraft.cluster.spi.AppendAck;
import io.vecraft.cluster.spi.CatalogKeys;
import io.vecraft.cluster.spi.Cluster;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.ReplicaHit;
import io.vecraft.cluster.spi.ReplicaQuery;
import io.vecraft.cluster.spi.ReplicaStatus;
import io.vecraft.cluster.spi.ReplicaVersion;
import io.vecraft.cluster.spi.ShardId;
import io.vecraft.cluster.spi.ShardReplica;
import io.vecraft.cluster.spi.wal.CreateCollectionEntry;
import io.vecraft.cluster.spi.wal.OpGroup;
import io.vecraft.cluster.spi.wal.WalCodec;
import io.vecraft.cluster.spi.wal.WalOp;
import io.vecraft.cluster.spi.wal.WalTypes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What every storage node's {@link ShardReplica} must do, driven through the documented protocol
 * only: a collection is created by a CREATE_COLLECTION entry in the system partition plus its
 * placement and catalog keys ({@link CatalogKeys}); records arrive as WRITE/TRANSACTION entries
 * ({@link WalCodec}). Every storage node is placed as a replica, and each must serve the same
 * snapshot reads.
 */
public abstract class ShardReplicaContract {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** @return a running cluster (journal service, metadata store, storage nodes) */
    protected abstract Cluster cluster();

    /**
     * The data partition the core routes a shard's single-shard writes to. Providers hosting the
     * core's replica code use its rule; the contract only needs a partition the replica tails.
     *
     * @param uid   collection uid
     * @param shard shard
     * @return the partition name
     */
    protected abstract String dataPartitionFor(long uid, int shard);

    private long createCollection(String name, int dimension) {
        Cluster c = cluster();
        List<String> partitions = c.journal().partitions();
        Map<Integer, Long> starts = new TreeMap<>();
        for (int i = 1; i < partitions.size(); i++) {
            starts.put(i, c.journal().watermark(partitions.get(i)).sequence());
        }
        CreateCollectionEntry entry = new CreateCollectionEntry(
                new CollectionSpec(name, dimension, Metric.L2, IndexSpec.exact(), 1), starts);
        AppendAck create = c.journal().append(partitions.get(0), WalTypes.CREATE_COLLECTION, "create-" + name, 0,
                WalCodec.encodeCreate(entry));
        long uid = create.hlc();
        c.metadata().put(CatalogKeys.placement(new ShardId(uid, 0)), CatalogKeys.encodePlacement(c.storageNodes()),
                MetadataStore.ANY_VERSION, 0);
        c.metadata().put(CatalogKeys.collection(name), CatalogKeys.encodeCollection(uid, entry), MetadataStore.ABSENT, 0);
        return uid;
    }

    private AppendAck write(long uid, String requestId, WalOp... ops) {
        byte[] payload = WalCodec.encodeGroups(List.of(new OpGroup(uid, 0, List.of(ops))));
        return cluster().journal().append(dataPartitionFor(uid, 0), WalTypes.WRITE, requestId, 0, payload);
    }

    private static WalOp.Upsert up(String id, float x, String tag) {
        return new WalOp.Upsert(id, new float[] {x, 0}, Map.of("tag", tag), "doc " + id);
    }

    @Test
    void everyReplicaAppliesTheJournalAndServesSnapshotReads() {
        long uid = createCollection("contract", 2);
        ShardId shard = new ShardId(uid, 0);
        AppendAck w1 = write(uid, "w1", up("a", 1, "x"), up("b", 2, "y"), up("c", 3, "x"));
        AppendAck w2 = write(uid, "w2", new WalOp.Delete("b"), up("a", 10, "z"));
        for (String node : cluster().storageNodes()) {
            ShardReplica r = cluster().replica(node);
            ReplicaStatus st = r.awaitSafeTime(shard, w2.hlc(), WAIT);
            assertTrue(st.healthy(), node + " healthy");
            assertTrue(st.safeHlc() >= w2.hlc(), node + " caught up: " + st);
            assertEquals(2, r.count(shard, w2.hlc()), node);
            assertEquals(3, r.count(shard, w1.hlc()), node + " as of the first write");
            assertEquals(0, r.count(shard, w1.hlc() - 1), node + " before any write");

            ReplicaVersion a = r.get(shard, "a", w2.hlc()).orElseThrow();
            assertEquals(10f, a.vector()[0]);
            assertEquals(Map.of("tag", "z"), a.metadata());
            assertEquals(1f, r.get(shard, "a", w1.hlc()).orElseThrow().vector()[0], node + " time travel");
            assertTrue(r.get(shard, "b", w2.hlc()).isEmpty());

            List<ReplicaHit> hits = r.search(shard, new ReplicaQuery(new float[] {3, 0}, 2, null, w2.hlc(), 0, false,
                    true, true));
            assertEquals(List.of("c", "a"), hits.stream().map(ReplicaHit::id).toList(), node);
            assertEquals("doc c", hits.get(0).document());
            List<ReplicaHit> filtered = r.search(shard, new ReplicaQuery(new float[] {3, 0}, 5, Filter.eq("tag", "z"),
                    w2.hlc(), 0, true, false, false));
            assertEquals(1, filtered.size());
            assertEquals(10f, filtered.get(0).vector()[0]);

            List<ReplicaVersion> history = r.history(shard, "b");
            assertEquals(2, history.size());
            assertEquals("w2", history.get(1).requestId());
            assertTrue(history.get(1).delete());
        }
    }

    @Test
    void unknownShardsAreNotFound() {
        ShardReplica r = cluster().replica(cluster().storageNodes().get(0));
        assertThrows(NotFoundException.class, () -> r.status(new ShardId(42, 7)));
    }
}
