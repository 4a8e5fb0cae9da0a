package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.CollectionSpec;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.Metric;
import io.vecraft.cluster.spi.AppendAck;
import io.vecraft.cluster.spi.CatalogKeys;
import io.vecraft.cluster.spi.ClusterOptions;
import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.ReadBatch;
import io.vecraft.cluster.spi.ReplicaStatus;
import io.vecraft.cluster.spi.ShardId;
import io.vecraft.cluster.spi.Watermark;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import io.vecraft.cluster.spi.wal.CreateCollectionEntry;
import io.vecraft.cluster.spi.wal.OpGroup;
import io.vecraft.cluster.spi.wal.WalCodec;
import io.vecraft.cluster.spi.wal.WalOp;
import io.vecraft.cluster.spi.wal.WalTypes;
import io.vecraft.core.cluster.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a storage node whose journal service is unreachable for a while (a leader election,
 * or an outage longer than the journal client's call timeout) keeps its replicas healthy and
 * catches up when the journal is back. Before the fix, the first NodeUnavailableException or
 * timeout from a journal read or watermark stopped the replica's applier for good.
 */
class ReplicaHostJournalOutageTest {
    @TempDir
    Path dir;

    /** A journal service whose reads and watermarks fail while {@link #down} is set. */
    private static final class FlakyJournal implements JournalService {
        final JournalService delegate;
        final AtomicBoolean down = new AtomicBoolean();
        final AtomicInteger refused = new AtomicInteger();

        FlakyJournal(JournalService delegate) {
            this.delegate = delegate;
        }

        private void check() {
            if (down.get()) {
                refused.incrementAndGet();
                throw new NodeUnavailableException("journal", "injected outage");
            }
        }

        @Override
        public List<String> partitions() {
            return delegate.partitions();
        }

        @Override
        public AppendAck append(String partition, int type, String requestId, long transactionId, byte[] payload) {
            return delegate.append(partition, type, requestId, transactionId, payload);
        }

        @Override
        public ReadBatch read(String partition, long fromSequence, int maxEntries, Duration maxWait) {
            check();
            return delegate.read(partition, fromSequence, maxEntries, maxWait);
        }

        @Override
        public EntryStream stream(String partition, long fromSequence, int window) {
            check();
            return delegate.stream(partition, fromSequence, window);
        }

        @Override
        public Watermark watermark(String partition) {
            check();
            return delegate.watermark(partition);
        }

        @Override
        public long firstSequence(String partition) {
            return delegate.firstSequence(partition);
        }
    }

    @Test
    void aJournalOutageDoesNotStopTheReplicaAndItCatchesUpAfterwards() {
        try (InJvmCluster cluster = new InJvmCluster(new ClusterOptions(dir.resolve("cluster"),
                Map.of("durability", "ASYNC", "storageNodes", "1")))) {
            JournalService journal = cluster.journal();
            FlakyJournal flaky = new FlakyJournal(journal);
            List<String> partitions = journal.partitions();
            PartitionLayout layout = new PartitionLayout(partitions.size() - PartitionLayout.FIRST_DATA_ID);
            try (ReplicaHost host = new ReplicaHost("flaky-node", dir.resolve("flaky-node"), flaky, cluster.metadata(),
                    Duration.ofMillis(20), Duration.ofMinutes(5))) {
                Map<Integer, Long> starts = new TreeMap<>();
                for (int i = 1; i < partitions.size(); i++) {
                    starts.put(i, journal.watermark(partitions.get(i)).sequence());
                }
                CreateCollectionEntry entry = new CreateCollectionEntry(new CollectionSpec("c", 2, Metric.L2,
                        IndexSpec.exact(), 1), starts);
                long uid = journal.append(partitions.get(0), WalTypes.CREATE_COLLECTION, "create", 0,
                        WalCodec.encodeCreate(entry)).hlc();
                ShardId shard = new ShardId(uid, 0);
                cluster.metadata().put(CatalogKeys.placement(shard), CatalogKeys.encodePlacement(List.of("flaky-node")),
                        MetadataStore.ANY_VERSION, 0);
                cluster.metadata().put(CatalogKeys.collection("c"), CatalogKeys.encodeCollection(uid, entry),
                        MetadataStore.ABSENT, 0);
                String data = partitions.get(layout.dataPartitionFor(uid, 0));
                AppendAck w1 = journal.append(data, WalTypes.WRITE, "w1", 0, WalCodec.encodeGroups(List.of(
                        new OpGroup(uid, 0, List.of(new WalOp.Upsert("a", new float[] {1, 0}, Map.of(), null))))));
                ReplicaStatus before = host.awaitSafeTime(shard, w1.hlc(), Duration.ofSeconds(20));
                assertTrue(before.healthy() && before.safeHlc() >= w1.hlc(), "applied before the outage: " + before);

                flaky.down.set(true);
                AppendAck w2 = journal.append(data, WalTypes.WRITE, "w2", 0, WalCodec.encodeGroups(List.of(
                        new OpGroup(uid, 0, List.of(new WalOp.Upsert("b", new float[] {0, 1}, Map.of(), null))))));
                int refusedBefore = flaky.refused.get();
                assertTrue(Await.until(() -> flaky.refused.get() >= refusedBefore + 20, Duration.ofSeconds(20)),
                        "the applier kept asking during the outage");
                ReplicaStatus during = host.status(shard);
                assertTrue(during.healthy(), "a journal outage does not stop the applier: " + during);
                assertTrue(during.safeHlc() < w2.hlc(), "nothing newer is applied while the journal is unreachable");
                // A read at a snapshot the replica has not reached (a client that picked it on an older report)
                // is sent elsewhere instead of answered from the replica's older state (it answered 1 before).
                NodeUnavailableException behind = org.junit.jupiter.api.Assertions.assertThrows(
                        NodeUnavailableException.class, () -> host.count(shard, w2.hlc()));
                assertTrue(behind.getMessage().contains("behind the read's snapshot"), behind.getMessage());
                assertEquals(1, host.count(shard, before.safeHlc()), "reads at a reached snapshot are served");

                flaky.down.set(false);
                ReplicaStatus after = host.awaitSafeTime(shard, w2.hlc(), Duration.ofSeconds(20));
                assertTrue(after.healthy() && after.safeHlc() >= w2.hlc(), "caught up after the outage: " + after);
                assertEquals(2, host.count(shard, w2.hlc()));
            }
        }
    }
}
