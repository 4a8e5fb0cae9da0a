package io.vecraft.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Durability;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Record;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.Vecraft;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link VecraftMetrics} on a real database and a {@link SimpleMeterRegistry}: operation timers count
 * every write, search and checkpoint (with histograms), errors are counted, the compactor hook feeds a
 * timer, per-shard gauges (records, applied operations, file sizes, lag) report the engine's state and
 * follow collections as they are created and dropped, and closing the binder removes every meter.
 */
class VecraftMetricsTest {
    @TempDir
    Path dir;

    private static Record record(int i) {
        return Record.of("r" + i, new float[] {i, 1, (i % 7) - 3f, 0.5f});
    }

    private static double sum(SimpleMeterRegistry reg, String name, String collection) {
        double total = 0;
        for (Meter m : reg.find(name).tag("collection", collection).meters()) {
            total += m instanceof Gauge g ? g.value() : ((FunctionCounter) m).count();
        }
        return total;
    }

    @Test
    void timersAndShardGaugesReportWhatTheDatabaseDid() {
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.ASYNC).withMaxEntryBytes(1 << 20).open();
             VecraftMetrics metrics = VecraftMetrics.bind(db, reg)) {
            Collection c = db.createCollection(CollectionSpec.of("c", 4).withIndex(IndexSpec.exact()).withShards(2));
            List<Record> batch = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                batch.add(record(i));
            }
            for (int i = 0; i < 10; i++) {
                c.upsert(record(100 + i));
            }
            c.upsert(batch); // one write of 30 records
            for (int i = 0; i < 7; i++) {
                assertEquals(5, c.search(SearchRequest.of(new float[] {i, 1, 0, 0}, 5)).hits().size());
            }
            assertThrows(InvalidArgumentException.class, () -> c.search(SearchRequest.of(new float[] {1, 2}, 5)));
            c.delete("r0");
            db.checkpoint();

            Timer writes = reg.get("vecraft.operations").tag("op", "write").timer();
            assertEquals(12, writes.count(), "10 single upserts, one batch, one delete");
            assertTrue(writes.totalTime(TimeUnit.NANOSECONDS) > 0);
            HistogramSnapshot hist = writes.takeSnapshot();
            assertEquals(3, hist.percentileValues().length, "p50, p95, p99 published: " + hist);
            assertTrue(hist.percentileValues()[2].value(TimeUnit.NANOSECONDS) > 0, hist.toString());
            Timer searches = reg.get("vecraft.operations").tag("op", "search").timer();
            assertEquals(8, searches.count(), "7 searches and one that failed validation");
            assertEquals(1, reg.get("vecraft.operations.errors").tag("op", "search").functionCounter().count());
            assertEquals(0, reg.get("vecraft.operations.errors").tag("op", "write").functionCounter().count());
            assertTrue(reg.get("vecraft.operations").tag("op", "checkpoint").timer().count() >= 2,
                    "one checkpoint per shard at least");

            // the compactor's hook: any component can feed a duration
            ((EngineView) db).operations().record(OperationStats.COMPACTION, TimeUnit.MILLISECONDS.toNanos(12));
            Timer compaction = reg.get("vecraft.operations").tag("op", "compaction").timer();
            assertEquals(1, compaction.count());
            assertEquals(12, compaction.totalTime(TimeUnit.MILLISECONDS), 0.001);

            assertEquals(39, sum(reg, "vecraft.shard.records", "c"), "40 upserted, one deleted");
            assertEquals(41, sum(reg, "vecraft.shard.applied.operations", "c"), "40 upserts and a delete applied");
            assertTrue(sum(reg, "vecraft.shard.applied.entries", "c") >= 12, "every write entry consumed");
            for (Meter m : reg.find("vecraft.shard.size").tag("collection", "c").meters()) {
                assertTrue(((Gauge) m).value() >= 0, m.getId().toString());
            }
            assertTrue(reg.get("vecraft.shard.size").tag("collection", "c").tag("shard", "0").tag("file", "vectors")
                    .gauge().value() > 0);
            for (Meter m : reg.find("vecraft.shard.lag").meters()) {
                double lag = ((Gauge) m).value();
                assertTrue(lag >= 0 && lag < 10, "caught-up shard lags little: " + lag);
            }
            assertEquals(0, sum(reg, "vecraft.shard.failed", "c"));
            double heads = 0;
            for (Meter m : reg.find("vecraft.journal.head").meters()) {
                heads += ((Gauge) m).value();
            }
            assertTrue(heads >= 13, "12 writes and the DDL entry in the journal: " + heads);
            assertTrue(reg.get("vecraft.journal.size").gauge().value() > 0);
            assertEquals(0, reg.get("vecraft.journal.failed").tag("partition", "data-0").gauge().value());

            // per-shard meters follow the catalog
            db.createCollection(CollectionSpec.of("d", 4).withShards(3));
            assertEquals(3, reg.find("vecraft.shard.lag").tag("collection", "d").meters().size());
            db.dropCollection("d");
            assertTrue(reg.find("vecraft.shard.lag").tag("collection", "d").meters().isEmpty());
            assertEquals(2, reg.find("vecraft.shard.lag").tag("collection", "c").meters().size());

            metrics.close();
            assertTrue(reg.getMeters().stream().noneMatch(m -> m.getId().getName().startsWith("vecraft.")),
                    "close removes every meter: " + reg.getMeters().stream().map(m -> m.getId().getName()).toList());
            c.upsert(record(999)); // no listener left behind
            assertNull(reg.find("vecraft.operations").timer());
        }
    }

    @Test
    void operationStatsCountWithoutAnyRegistry() {
        OperationStats stats = new OperationStats();
        stats.record("x", 5);
        stats.record("x", 7, true);
        stats.record("x", -3);
        OperationStats.Totals t = stats.totals("x");
        assertEquals(new OperationStats.Totals(3, 1, 12, 7), t);
        assertNotNull(stats.snapshot().get(OperationStats.WRITE), "known operations present at zero");
        assertThrows(InvalidArgumentException.class, () -> stats.record("", 1));
    }

    @Test
    void bindingSomethingElseIsRefused() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> VecraftMetrics.bind(null, new SimpleMeterRegistry()));
        assertTrue(e.getMessage().contains("db"), e.getMessage());
    }
}
