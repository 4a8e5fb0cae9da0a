package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Durability;
import io.vecraft.api.Hlc;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Record;
import io.vecraft.api.Vecraft;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a read waiting for a time the appliers cannot reach yet (here an AS_OF time 400 ms in the
 * future) made every applier of the collection spin at full speed until then, re-reading the journal's
 * watermark in a loop. Measured as the appliers' CPU time during the wait.
 */
class ApplierIdleTest {
    @TempDir
    Path dir;

    @Test
    void waitingForAFutureTimeDoesNotSpinTheAppliers() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx.isThreadCpuTimeSupported(), "thread CPU time not supported");
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.ASYNC).open()) {
            Collection docs = db.createCollection(CollectionSpec.of("docs", 4).withShards(2));
            docs.upsert(Record.of("a", new float[] {1, 2, 3, 4}));
            List<Long> appliers = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("vecraft-applier-")) {
                    appliers.add(t.getId());
                }
            }
            assertEquals(2, appliers.size(), "one applier per shard");
            long cpu0 = cpu(mx, appliers);
            long t0 = System.nanoTime();
            long future = db.now() + (400L << Hlc.LOGICAL_BITS);
            assertEquals(1, docs.count(ReadOptions.defaults().asOf(future)));
            long wall = System.nanoTime() - t0;
            long cpu = cpu(mx, appliers) - cpu0;
            System.out.printf("appliers used %d ms of CPU while a read waited %d ms for a future time%n",
                    cpu / 1_000_000, wall / 1_000_000);
            assertTrue(wall >= Duration.ofMillis(300).toNanos(), "the read waited for its time: " + wall / 1_000_000);
            // Spinning, the two appliers burn close to all of the wait (two cores); parked, a few ms.
            assertTrue(cpu < wall / 4, "appliers used " + cpu / 1_000_000 + " ms of CPU in a " + wall / 1_000_000
                    + " ms wait");
        }
    }

    private static long cpu(ThreadMXBean mx, List<Long> ids) {
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(0, mx.getThreadCpuTime(id));
        }
        return sum;
    }
}
