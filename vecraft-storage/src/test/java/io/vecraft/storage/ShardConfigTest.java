package io.vecraft.storage;

import io.vecraft.api.IndexSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Metric;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ShardConfigTest {

    static final Path DIR = Path.of("shard");

    static String fieldOf(Runnable r) {
        return assertThrows(InvalidArgumentException.class, r::run).field();
    }

    @Test
    void defaultsAreDocumentedValues() {
        ShardConfig c = ShardConfig.builder(DIR, 8, Metric.COSINE).build();
        assertEquals(IndexSpec.hnsw(), c.index());
        assertEquals(ShardConfig.DEFAULT_INITIAL_CAPACITY, c.initialCapacity());
        assertEquals(ShardConfig.DEFAULT_CHECKPOINTS_TO_KEEP, c.checkpointsToKeep());
        assertEquals(2_000, c.exactSearchThreshold(1_000));
        assertEquals(10_000, c.exactSearchThreshold(1_000_000));
        assertEquals(c.toString(), c.toBuilder().build().toString());
        assertEquals(HnswImplementation.GRAPH, c.hnswImplementation());
        assertEquals(HnswImplementation.HNSWLIB, c.toBuilder().withHnswImplementation(HnswImplementation.HNSWLIB).build()
                .toBuilder().build().hnswImplementation());
    }

    @Test
    void everyInvalidValueIsRejectedNamingTheField() {
        assertEquals("shard.directory", fieldOf(() -> ShardConfig.builder(null, 8, Metric.L2).build()));
        assertEquals("shard.dimension", fieldOf(() -> ShardConfig.builder(DIR, 0, Metric.L2).build()));
        assertEquals("shard.dimension", fieldOf(() -> ShardConfig.builder(DIR, 16_385, Metric.L2).build()));
        assertEquals("shard.metric", fieldOf(() -> ShardConfig.builder(DIR, 8, null).build()));
        assertEquals("shard.index", fieldOf(() -> ShardConfig.builder(DIR, 8, Metric.L2).withIndex(null).build()));
        assertEquals("shard.hnswImplementation", fieldOf(() -> ShardConfig.builder(DIR, 8, Metric.L2)
                .withHnswImplementation(null).build()));
        assertEquals("shard.initialCapacity", fieldOf(() -> ShardConfig.builder(DIR, 8, Metric.L2).withInitialCapacity(0).build()));
        assertEquals("shard.checkpointsToKeep", fieldOf(() -> ShardConfig.builder(DIR, 8, Metric.L2).withCheckpointsToKeep(0).build()));
        assertEquals("shard.exactSearchMaxMatches", fieldOf(() -> ShardConfig.builder(DIR, 8, Metric.L2)
                .withExactSearchThreshold(-1, 0).build()));
        assertEquals("shard.exactSearchFraction", fieldOf(() -> ShardConfig.builder(DIR, 8, Metric.L2)
                .withExactSearchThreshold(0, 1.5).build()));
        assertEquals("shard.exactSearchFraction", fieldOf(() -> ShardConfig.builder(DIR, 8, Metric.L2)
                .withExactSearchThreshold(0, Double.NaN).build()));
        assertEquals("shard.vectorChunkBytes", fieldOf(() -> ShardConfig.builder(DIR, 8, Metric.L2).withVectorChunkBytes(100).build()));
        assertEquals("shard.vectorChunkBytes", fieldOf(() -> ShardConfig.builder(DIR, 16_384, Metric.L2)
                .withVectorChunkBytes(64 << 10).build()));
        assertEquals("shard.payloadChunkBytes", fieldOf(() -> ShardConfig.builder(DIR, 8, Metric.L2).withPayloadChunkBytes(-1).build()));
        assertEquals("shard.averageIdBytes", fieldOf(() -> ShardConfig.builder(DIR, 8, Metric.L2).withAverageIdBytes(0).build()));
        assertEquals("index.m", fieldOf(() -> IndexSpec.hnsw(1, 10, 10)));
    }
}
