package io.vecraft.storage;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Filter;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.Metric;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: an exact-scan filtered search (a negated filter takes the complement over every slot up to the
 * high-water mark) runs while the writer grows the shard into a new vector chunk. The high-water mark used to
 * rise before the chunk holding the new slot was mapped, so the scan scored a slot of an unmapped chunk and
 * failed with ArrayIndexOutOfBoundsException. Large vectors (3 slots per 64 KiB chunk) make the writer map a
 * chunk every third upsert.
 */
class ShardGrowthRaceTest {
    private static final int DIM = 4096;

    @TempDir
    Path dir;

    @Test
    void negatedFilterSearchesWhileTheWriterMapsNewChunks() throws Exception {
        ShardConfig config = ShardConfig.builder(dir, DIM, Metric.L2).withIndex(IndexSpec.exact())
                .withInitialCapacity(4).withVectorChunkBytes(64 << 10).withPayloadChunkBytes(64 << 10).build();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong applied = new AtomicLong();
        AtomicLong searches = new AtomicLong();
        float[] v = new float[DIM];
        try (Shard s = Shard.open(config)) {
            Thread reader = new Thread(() -> {
                Filter none = Filter.not(Filter.eq("tag", "a")); // matches nothing published
                float[] q = new float[DIM];
                try {
                    while (!done.get()) {
                        s.search(new ShardSearch(q, 3, none, Math.max(1, applied.get()), 0, Include.NONE));
                        searches.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "growth-race-reader");
            reader.start();
            try {
                for (int i = 1; i <= 3_000 && failure.get() == null; i++) {
                    v[0] = i;
                    s.upsert("r" + i, v, Map.of("tag", "a"), null, new OpStamp(i, i, 0, "", 0));
                    applied.set(i);
                }
            } finally {
                done.set(true);
                reader.join();
            }
        }
        assertNull(failure.get(), "search failed while the shard grew: " + failure.get());
        assertTrue(searches.get() > 0);
        System.out.println("growth race: " + searches.get() + " searches during 3000 upserts");
    }
}
