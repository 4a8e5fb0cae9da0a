package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.AlreadyExistsException;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Durability;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Metric;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.SearchHit;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.SearchResult;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.WriteOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrudTest {
    @TempDir
    Path dir;

    private Vecraft open() {
        return Vecraft.builder(dir).withDurability(Durability.ASYNC).open();
    }

    @Test
    void upsertGetDeleteCount() {
        try (Vecraft db = open()) {
            Collection c = db.createCollection(CollectionSpec.of("docs", 3).withShards(3));
            Receipt r1 = c.upsert(Record.of("a", new float[] {1, 0, 0}).withMetadata(Map.of("lang", "en", "year", 2024))
                    .withDocument("alpha"));
            assertTrue(r1.sequence() >= 1);
            assertTrue(r1.hlc() > 0);
            assertFalse(r1.requestId().isEmpty());
            c.upsert(List.of(Record.of("b", new float[] {0, 1, 0}), Record.of("c", new float[] {0, 0, 1})));
            assertEquals(3, c.count());

            Record a = c.get("a").orElseThrow();
            assertEquals("a", a.id());
            assertEquals(List.of(1f, 0f, 0f), List.of(a.vector()[0], a.vector()[1], a.vector()[2]));
            assertEquals(Map.of("lang", "en", "year", 2024L), a.metadata());
            assertEquals(Optional.of("alpha"), a.document());

            c.upsert(Record.of("a", new float[] {0.5f, 0.5f, 0}));
            assertEquals(Map.of(), c.get("a").orElseThrow().metadata());
            assertEquals(3, c.count());

            c.delete("b");
            assertTrue(c.get("b").isEmpty());
            assertEquals(2, c.count());
            c.delete(List.of("a", "c", "never-existed"));
            assertEquals(0, c.count());
            assertTrue(c.search(SearchRequest.of(new float[] {1, 0, 0}, 5)).hits().isEmpty());
        }
    }

    @Test
    void searchReturnsNearestFirstWithRequestedFields() {
        try (Vecraft db = open()) {
            Collection c = db.createCollection(CollectionSpec.of("pts", 2).withShards(2));
            for (int i = 0; i < 50; i++) {
                c.upsert(Record.of("p" + i, new float[] {i, 0}).withMetadata(Map.of("i", i)).withDocument("doc " + i));
            }
            SearchResult r = c.search(SearchRequest.of(new float[] {10.2f, 0}, 3).includeVector(true));
            List<String> ids = r.hits().stream().map(SearchHit::id).toList();
            assertEquals(List.of("p10", "p11", "p9"), ids);
            SearchHit first = r.hits().get(0);
            assertEquals(0.2f, first.distance(), 1e-4f);
            assertEquals(10f, first.vector().orElseThrow()[0]);
            assertEquals(Map.of("i", 10L), first.metadata());
            assertEquals(Optional.of("doc 10"), first.document());

            SearchResult bare = c.search(SearchRequest.of(new float[] {10.2f, 0}, 3).includeMetadata(false)
                    .includeDocument(false));
            assertTrue(bare.hits().get(0).vector().isEmpty());
            assertTrue(bare.hits().get(0).metadata().isEmpty());
            assertTrue(bare.hits().get(0).document().isEmpty());
        }
    }

    @Test
    void metricsReportDocumentedDistances() {
        try (Vecraft db = open()) {
            Collection cos = db.createCollection(CollectionSpec.of("cos", 2).withMetric(Metric.COSINE)
                    .withIndex(IndexSpec.exact()));
            cos.upsert(Record.of("x", new float[] {3, 0}));
            assertEquals(0f, cos.search(SearchRequest.of(new float[] {5, 0}, 1)).hits().get(0).distance(), 1e-6f);
            assertEquals(1f, cos.search(SearchRequest.of(new float[] {0, 2}, 1)).hits().get(0).distance(), 1e-6f);
            assertThrows(InvalidArgumentException.class, () -> cos.upsert(Record.of("z", new float[] {0, 0})));

            Collection dot = db.createCollection(CollectionSpec.of("dot", 2).withMetric(Metric.DOT));
            dot.upsert(List.of(Record.of("small", new float[] {1, 1}), Record.of("big", new float[] {3, 3})));
            SearchResult r = dot.search(SearchRequest.of(new float[] {1, 1}, 2));
            assertEquals("big", r.hits().get(0).id());
            assertEquals(-6f, r.hits().get(0).distance(), 1e-5f);
        }
    }

    @Test
    void collectionsAreCreatedListedAndDropped() {
        try (Vecraft db = open()) {
            Collection a = db.createCollection(CollectionSpec.of("a", 4));
            db.createCollection(CollectionSpec.of("b", 8).withIndex(IndexSpec.exact()).withShards(1));
            assertEquals(List.of("a", "b"), db.listCollections().stream().map(CollectionSpec::name).toList());
            assertEquals(2, db.collection("a").spec().shards(), "default shard count");
            assertThrows(AlreadyExistsException.class, () -> db.createCollection(CollectionSpec.of("a", 4)));
            a.upsert(Record.of("r", new float[4]));

            db.dropCollection("a");
            assertThrows(NotFoundException.class, () -> db.collection("a"));
            assertThrows(NotFoundException.class, () -> a.get("r"));
            assertThrows(NotFoundException.class, () -> db.dropCollection("a"));
            Collection again = db.createCollection(CollectionSpec.of("a", 4));
            assertEquals(0, again.count(), "a re-created collection starts empty");
            assertThrows(NotFoundException.class, () -> a.count(), "old handle stays bound to the dropped incarnation");
        }
        try (Vecraft db = open()) {
            assertEquals(List.of("a", "b"), db.listCollections().stream().map(CollectionSpec::name).toList());
            assertEquals(0, db.collection("a").count());
        }
    }

    /**
     * A collection whose creation is durable in the journal but whose shards fail to open (here the collections
     * directory is a file) is reported as not created, and stays so after a reopen: the creation is undone in
     * the journal instead of coming back at the next open.
     */
    @Test
    void aCreateThatFailsToStartIsUndoneAndDoesNotComeBackAtReopen() throws Exception {
        Path collections = dir.resolve("collections");
        try (Vecraft db = open()) {
            db.createCollection(CollectionSpec.of("kept", 4).withShards(1));
            db.collection("kept").upsert(Record.of("k", new float[] {1, 0, 0, 0}));
            db.dropCollection("kept"); // leaves the collections directory empty
            java.nio.file.Files.delete(collections);
            java.nio.file.Files.writeString(collections, "not a directory");
            io.vecraft.api.VecraftException e = assertThrows(io.vecraft.api.VecraftException.class,
                    () -> db.createCollection(CollectionSpec.of("broken", 4).withShards(1)));
            assertTrue(e.getMessage().contains("collections"), e.getMessage());
            assertThrows(NotFoundException.class, () -> db.collection("broken"));
        }
        java.nio.file.Files.delete(collections);
        try (Vecraft db = open()) {
            assertTrue(db.listCollections().isEmpty(), "the failed creation stays undone: " + db.listCollections());
            Collection c = db.createCollection(CollectionSpec.of("broken", 4).withShards(1));
            assertEquals(0, c.count());
        }
    }

    /** db.checkpoint() while collections are dropped checkpoints the rest instead of failing on the dropped one. */
    @Test
    void checkpointWhileCollectionsAreDroppedSucceeds() throws Exception {
        try (Vecraft db = open()) {
            db.createCollection(CollectionSpec.of("stays", 4).withShards(2)).upsert(Record.of("s", new float[] {1, 0, 0, 0}));
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger checkpoints = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.CompletableFuture<Void> checkpointer = java.util.concurrent.CompletableFuture.runAsync(() -> {
                while (!stop.get()) {
                    db.checkpoint();
                    checkpoints.incrementAndGet();
                }
            });
            try {
                for (int i = 0; i < 40 && !checkpointer.isDone(); i++) {
                    db.createCollection(CollectionSpec.of("churn", 4).withShards(4));
                    db.dropCollection("churn");
                }
            } finally {
                stop.set(true);
            }
            checkpointer.get(60, java.util.concurrent.TimeUnit.SECONDS); // rethrows what a checkpoint threw
            assertTrue(checkpoints.get() > 0);
            assertEquals(1, db.collection("stays").count());
        }
    }

    @Test
    void badInputIsRejectedAndNothingIsWritten() {
        try (Vecraft db = open()) {
            Collection c = db.createCollection(CollectionSpec.of("c", 3));
            long head = ((EmbeddedVecraft) db).rawJournal().partitions().stream().mapToLong(p -> p.headSequence()).sum();
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> c.upsert(Record.of("x", new float[] {1, 2})));
            assertEquals("record.vector", e.field());
            assertTrue(e.getMessage().contains("dimension must be 3"), e.getMessage());
            e = assertThrows(InvalidArgumentException.class, () -> c.upsert(List.of(
                    Record.of("ok", new float[] {1, 2, 3}), Record.of("bad", new float[] {1}))));
            assertEquals("records[1].vector", e.field());
            assertThrows(InvalidArgumentException.class, () -> Record.of("x", new float[] {Float.NaN, 0, 0}));
            assertThrows(InvalidArgumentException.class, () -> Record.of("", new float[] {1, 0, 0}));
            assertThrows(InvalidArgumentException.class, () -> Record.of("x".repeat(600), new float[] {1, 0, 0}));
            assertThrows(InvalidArgumentException.class, () -> Record.of("x", null));
            assertThrows(InvalidArgumentException.class,
                    () -> Record.of("x", new float[] {1, 0, 0}).withMetadata(Map.of("k", new Object())));
            assertThrows(InvalidArgumentException.class, () -> c.search(SearchRequest.of(new float[] {1, 2}, 1)));
            assertThrows(InvalidArgumentException.class, () -> SearchRequest.of(new float[] {1, 2, 3}, 0));
            assertThrows(InvalidArgumentException.class, () -> SearchRequest.of(new float[] {1, 2, 3}, 1_000_000));
            assertThrows(InvalidArgumentException.class, () -> c.upsert(List.of()));
            assertThrows(InvalidArgumentException.class, () -> c.delete(List.of("")));
            assertThrows(InvalidArgumentException.class,
                    () -> c.upsert(Record.of("x", new float[] {1, 2, 3}), WriteOptions.defaults().withRequestId("r".repeat(200))));
            assertThrows(NotFoundException.class, () -> db.collection("nope"));
            assertThrows(InvalidArgumentException.class, () -> db.createCollection(CollectionSpec.of("bad name!", 3)));
            long after = ((EmbeddedVecraft) db).rawJournal().partitions().stream().mapToLong(p -> p.headSequence()).sum();
            assertEquals(head, after, "no journal entry was written by rejected input");
            assertEquals(0, c.count());
        }
    }

    @Test
    void useAfterCloseFailsClearlyAndCloseIsIdempotent() {
        Vecraft db = open();
        Collection c = db.createCollection(CollectionSpec.of("c", 2));
        db.close();
        db.close();
        assertThrows(VecraftClosedException.class, () -> c.upsert(Record.of("a", new float[] {1, 2})));
        assertThrows(VecraftClosedException.class, () -> c.search(SearchRequest.of(new float[] {1, 2}, 1)));
        assertThrows(VecraftClosedException.class, db::listCollections);
    }

    @Test
    void secondOpenOfTheSameDirectoryFailsClearly() {
        try (Vecraft db = open()) {
            var e = assertThrows(io.vecraft.api.VecraftException.class, this::open);
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
        }
    }

    @Test
    void callerRequestIdsAreCarriedIntoReceiptsAndHistory() {
        try (Vecraft db = open()) {
            Collection c = db.createCollection(CollectionSpec.of("c", 2));
            Receipt r = c.upsert(Record.of("a", new float[] {1, 2}), WriteOptions.defaults().withRequestId("req-42"));
            assertEquals("req-42", r.requestId());
            assertEquals("req-42", c.history("a").get(0).requestId());
        }
    }
}
