package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vecraft.api.AlreadyExistsException;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Filter;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Record;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftException;
import io.vecraft.api.WriteOptions;
import io.vecraft.journal.JournalPartition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input, one test each: every case gets a clear exception (its type, the field and the limit), nothing
 * is written (no journal partition moved, counts unchanged) and the database keeps working (a good write and
 * read afterwards).
 */
class BadInputTest {
    private static final int DIM = 4;

    @TempDir
    Path dir;

    private EmbeddedVecraft db;
    private Collection c;
    private int good;

    @BeforeEach
    void open() {
        db = (EmbeddedVecraft) Vecraft.builder(dir).withMaxEntryBytes(1 << 20).open();
        c = db.createCollection(CollectionSpec.of("c", DIM).withShards(2));
        db.createCollection(CollectionSpec.of("other", DIM).withIndex(IndexSpec.exact()));
        c.upsert(Record.of("seed", v(1)));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static float[] v(float x) {
        return new float[] {x, 1, 0, 0};
    }

    private Map<String, Long> heads() {
        Map<String, Long> m = new HashMap<>();
        for (JournalPartition p : db.rawJournal().partitions()) {
            m.put(p.name(), p.headSequence());
        }
        return m;
    }

    /** Runs {@code bad}, expects {@code type} whose message names {@code field} and {@code limit}, then checks. */
    private <T extends VecraftException> T rejects(Class<T> type, String field, String limit, Executable bad) {
        Map<String, Long> heads = heads();
        long count = c.count(ReadOptions.defaults().withConsistency(Consistency.STRONG));
        T e = assertThrows(type, bad);
        assertTrue(e.getMessage().contains(field), "names the field " + field + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(limit), "states the limit " + limit + ": " + e.getMessage());
        if (e instanceof InvalidArgumentException ia) {
            assertTrue(ia.field().startsWith(field) || field.startsWith(ia.field()) || ia.field().contains(field),
                    "field() " + ia.field() + " vs " + field);
        }
        assertEquals(heads, heads(), "nothing was written to the journal");
        assertEquals(count, c.count(ReadOptions.defaults().withConsistency(Consistency.STRONG)));
        stillWorks();
        return e;
    }

    private void stillWorks() {
        good++;
        Record r = Record.of("good-" + good, v(1000 + good));
        c.upsert(r);
        assertEquals(r, c.get(r.id()).orElseThrow());
        assertEquals(r.id(), c.search(SearchRequest.of(r.vector(), 1).withConsistency(Consistency.STRONG))
                .hits().get(0).id());
    }

    @Test
    void wrongDimensionIsRejectedInUpsertBatchTransactionAndSearch() {
        rejects(InvalidArgumentException.class, "record.vector", "dimension must be 4",
                () -> c.upsert(Record.of("x", new float[] {1, 2, 3})));
        rejects(InvalidArgumentException.class, "records[1].vector", "dimension must be 4",
                () -> c.upsert(List.of(Record.of("ok", v(1)), Record.of("bad", new float[] {1}))));
        rejects(InvalidArgumentException.class, "transaction[1].record.vector", "dimension must be 4",
                () -> db.transaction(tx -> tx.upsert("c", Record.of("ok", v(1)))
                        .upsert("other", Record.of("bad", new float[5]))));
        rejects(InvalidArgumentException.class, "search.vector", "dimension must be 4",
                () -> c.search(SearchRequest.of(new float[] {1, 2}, 3)));
    }

    @Test
    void nanAndInfinityAreRejected() {
        rejects(InvalidArgumentException.class, "record.vector[2]", "must be finite",
                () -> c.upsert(Record.of("x", new float[] {1, 0, Float.NaN, 0})));
        rejects(InvalidArgumentException.class, "record.vector[0]", "must be finite",
                () -> c.upsert(Record.of("x", new float[] {Float.POSITIVE_INFINITY, 0, 0, 0})));
        rejects(InvalidArgumentException.class, "search.vector[3]", "must be finite",
                () -> c.search(SearchRequest.of(new float[] {0, 0, 0, Float.NEGATIVE_INFINITY}, 1)));
        rejects(InvalidArgumentException.class, "record.metadata.score", "must be finite",
                () -> c.upsert(Record.of("x", v(1)).withMetadata(Map.of("score", Double.NaN))));
    }

    @Test
    void emptyOrOversizedIdIsRejected() {
        rejects(InvalidArgumentException.class, "record.id", "non-empty", () -> c.upsert(Record.of("", v(1))));
        rejects(InvalidArgumentException.class, "record.id", "at most " + Record.MAX_ID_BYTES,
                () -> c.upsert(Record.of("x".repeat(Record.MAX_ID_BYTES + 1), v(1))));
        // multi-byte characters count in UTF-8 bytes: 200 x 3 bytes = 600 > 512
        rejects(InvalidArgumentException.class, "record.id", "at most " + Record.MAX_ID_BYTES,
                () -> c.upsert(Record.of("\u20ac".repeat(200), v(1))));
        rejects(InvalidArgumentException.class, "id", "non-empty", () -> c.delete(""));
        rejects(InvalidArgumentException.class, "record.id", "at most", () -> c.get("y".repeat(600)));
    }

    /**
     * Unpaired UTF-16 surrogates cannot be encoded as UTF-8; they used to be stored as '?', so the record got
     * another id (or key, value, document) than the one given, and two such ids collided.
     */
    @Test
    void malformedUtf16IsRejectedInIdsMetadataDocumentsAndRequestIds() {
        rejects(InvalidArgumentException.class, "record.id", "unpaired surrogate U+D800",
                () -> c.upsert(Record.of("a\uD800", v(1))));
        rejects(InvalidArgumentException.class, "record.id", "unpaired surrogate U+DC00",
                () -> c.upsert(Record.of("\uDC00b", v(1))));
        rejects(InvalidArgumentException.class, "record.metadata.tag", "unpaired surrogate U+DC01",
                () -> c.upsert(Record.of("x", v(1)).withMetadata(Map.of("tag", "x\uDC01"))));
        rejects(InvalidArgumentException.class, "record.metadata.tags[1]", "unpaired surrogate U+D801",
                () -> c.upsert(Record.of("x", v(1)).withMetadata(Map.of("tags", List.of("ok", "\uD801")))));
        rejects(InvalidArgumentException.class, "record.metadata key", "unpaired surrogate U+D802",
                () -> c.upsert(Record.of("x", v(1)).withMetadata(Map.of("k\uD802", 1L))));
        rejects(InvalidArgumentException.class, "record.document", "unpaired surrogate U+DFFF",
                () -> c.upsert(Record.of("x", v(1), Map.of(), "text \uDFFF")));
        rejects(InvalidArgumentException.class, "requestId", "unpaired surrogate U+D803",
                () -> c.upsert(Record.of("x", v(1)), io.vecraft.api.WriteOptions.defaults().withRequestId("r\uD803")));
        // a well-formed pair (U+1F600) is fine and reads back as given
        Record pair = Record.of("smile-\uD83D\uDE00", v(7), Map.of("tag", "\uD83D\uDE00"), "\uD83D\uDE00");
        c.upsert(pair);
        assertEquals(pair, c.get(pair.id()).orElseThrow());
    }

    @Test
    void oversizedDocumentOrMetadataIsRejected() {
        rejects(InvalidArgumentException.class, "record.document", "at most " + Record.MAX_DOCUMENT_BYTES,
                () -> c.upsert(Record.of("x", v(1)).withDocument("d".repeat(Record.MAX_DOCUMENT_BYTES + 1))));
        Map<String, Object> many = new HashMap<>();
        for (int i = 0; i <= Record.MAX_METADATA_ENTRIES; i++) {
            many.put("k" + i, (long) i);
        }
        rejects(InvalidArgumentException.class, "record.metadata", "at most " + Record.MAX_METADATA_ENTRIES,
                () -> c.upsert(Record.of("x", v(1)).withMetadata(many)));
        rejects(InvalidArgumentException.class, "record.metadata.s", "at most " + Record.MAX_METADATA_STRING_BYTES,
                () -> c.upsert(Record.of("x", v(1)).withMetadata(Map.of("s", "s".repeat(Record.MAX_METADATA_STRING_BYTES + 1)))));
        rejects(InvalidArgumentException.class, "record.metadata.l", "at most " + Record.MAX_METADATA_LIST_SIZE,
                () -> c.upsert(Record.of("x", v(1)).withMetadata(Map.of("l", new ArrayList<>(java.util.Collections
                        .nCopies(Record.MAX_METADATA_LIST_SIZE + 1, 1L))))));
        // every record valid on its own, but the write as one journal entry is larger than maxEntryBytes (1 MiB)
        List<Record> batch = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            batch.add(Record.of("big" + i, v(i)).withDocument("d".repeat(400_000)));
        }
        rejects(InvalidArgumentException.class, "records", "exceeds maxEntryBytes 1048576", () -> c.upsert(batch));
    }

    @Test
    void unsupportedMetadataTypeIsRejected() {
        rejects(InvalidArgumentException.class, "record.metadata.k", "must be a String, Long, Double, Boolean",
                () -> c.upsert(Record.of("x", v(1)).withMetadata(Map.of("k", new Object()))));
        rejects(InvalidArgumentException.class, "record.metadata.nested[0]", "must be a String, Long, Double, Boolean",
                () -> c.upsert(Record.of("x", v(1)).withMetadata(Map.of("nested", List.of(List.of(1L))))));
        Map<String, Object> nullValue = new HashMap<>();
        nullValue.put("n", null);
        rejects(InvalidArgumentException.class, "record.metadata.n", "was null",
                () -> c.upsert(Record.of("x", v(1)).withMetadata(nullValue)));
        rejects(InvalidArgumentException.class, "record.metadata", "non-empty",
                () -> c.upsert(Record.of("x", v(1)).withMetadata(Map.of("", 1L))));
    }

    @Test
    void nullVectorRecordAndRequestAreRejected() {
        rejects(InvalidArgumentException.class, "record.vector", "must not be null", () -> c.upsert(Record.of("x", null)));
        rejects(InvalidArgumentException.class, "search.vector", "must not be null", () -> c.search(SearchRequest.of(null, 1)));
        rejects(InvalidArgumentException.class, "record", "must not be null", () -> c.upsert((Record) null));
        rejects(InvalidArgumentException.class, "records[1]", "must not be null",
                () -> c.upsert(java.util.Arrays.asList(Record.of("a", v(1)), null)));
        rejects(InvalidArgumentException.class, "request", "must not be null", () -> c.search(null));
        Collection cosine = db.createCollection(CollectionSpec.of("cos", DIM).withMetric(io.vecraft.api.Metric.COSINE));
        rejects(InvalidArgumentException.class, "search.vector", "must be non-zero",
                () -> cosine.search(SearchRequest.of(new float[DIM], 1)));
        rejects(InvalidArgumentException.class, "record.vector", "must be non-zero",
                () -> cosine.upsert(Record.of("zero", new float[DIM])));
    }

    @Test
    void kOutOfRangeIsRejected() {
        for (int k : new int[] {0, -1, Integer.MIN_VALUE, SearchRequest.MAX_K + 1, Integer.MAX_VALUE}) {
            rejects(InvalidArgumentException.class, "search.k", "must be 1 to " + SearchRequest.MAX_K,
                    () -> c.search(SearchRequest.of(v(1), k)));
        }
        rejects(InvalidArgumentException.class, "search.ef", "must be 1 to", () -> SearchRequest.of(v(1), 5).withEf(0));
        // the largest k works and returns what there is
        assertTrue(c.search(SearchRequest.of(v(1), SearchRequest.MAX_K)).hits().size() >= 1);
    }

    @Test
    void unknownCollectionIsRejected() {
        rejects(NotFoundException.class, "nope", "not found", () -> db.collection("nope"));
        rejects(NotFoundException.class, "nope", "not found", () -> db.dropCollection("nope"));
        rejects(NotFoundException.class, "nope", "not found",
                () -> db.transaction(tx -> tx.upsert("c", Record.of("a", v(1))).upsert("nope", Record.of("b", v(1)))));
        assertTrue(db.findCollection("nope").isEmpty());
    }

    @Test
    void duplicateCollectionIsRejected() {
        rejects(AlreadyExistsException.class, "c", "already exists", () -> db.createCollection(CollectionSpec.of("c", 8)));
        rejects(InvalidArgumentException.class, "name", "bad name!",
                () -> db.createCollection(CollectionSpec.of("bad name!", DIM)));
        assertEquals(2, db.listCollections().size());
    }

    @Test
    void malformedFilterIsRejected() {
        rejects(InvalidArgumentException.class, "filter.field", "non-empty", () -> Filter.eq("", "x"));
        rejects(InvalidArgumentException.class, "filter.field", "at most " + Filter.MAX_FIELD_BYTES,
                () -> Filter.eq("f".repeat(Filter.MAX_FIELD_BYTES + 1), "x"));
        rejects(InvalidArgumentException.class, "filter(k).value", "", () -> Filter.eq("k", new Object()));
        rejects(InvalidArgumentException.class, "filter(k).value", "NaN", () -> Filter.gt("k", Double.NaN));
        rejects(InvalidArgumentException.class, "filter.in(k).values", "", () -> Filter.in("k", List.of()));
        rejects(InvalidArgumentException.class, "filter.and", "at least one operand", Filter::and);
        rejects(InvalidArgumentException.class, "filter.not", "must not be null", () -> Filter.not(null));
        rejects(InvalidArgumentException.class, "filter.documentContains", "non-empty", () -> Filter.documentContains(""));
        rejects(InvalidArgumentException.class, "search.filter", "must not be null",
                () -> SearchRequest.of(v(1), 3).withFilter(null));
        Filter deep = Filter.eq("k", 1L);
        for (int i = 1; i < Filter.MAX_NODES; i++) {
            deep = Filter.not(deep); // MAX_NODES nodes in all: still accepted
        }
        Filter tooDeep = deep;
        rejects(InvalidArgumentException.class, "filter", "at most " + Filter.MAX_NODES, () -> Filter.not(tooDeep));
        // well-formed but matching a field of another type: no hits, no error
        c.upsert(Record.of("typed", v(3)).withMetadata(Map.of("year", 2024L)));
        assertEquals(0, c.search(SearchRequest.of(v(3), 5).withFilter(Filter.eq("year", "2024"))
                .withConsistency(Consistency.STRONG)).hits().size());
    }

    @Test
    void dropWhileSearchingEndsSearchesCleanly() throws Exception {
        for (int i = 0; i < 200; i++) {
            db.collection("other").upsert(Record.of("o" + i, v(i)));
        }
        Collection other = db.collection("other");
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger notFound = new AtomicInteger();
        AtomicReference<Throwable> wrong = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(2);
        List<Thread> searchers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread th = new Thread(() -> {
                started.countDown();
                while (true) {
                    try {
                        other.search(SearchRequest.of(v(7), 10));
                        ok.incrementAndGet();
                    } catch (NotFoundException e) {
                        notFound.incrementAndGet();
                        return;
                    } catch (Throwable e) {
                        wrong.set(e);
                        return;
                    }
                }
            });
            th.start();
            searchers.add(th);
        }
        assertTrue(started.await(10, TimeUnit.SECONDS));
        while (ok.get() < 20 && wrong.get() == null) {
            Thread.onSpinWait(); // let searches run before the drop
        }
        db.dropCollection("other");
        for (Thread th : searchers) {
            th.join(TimeUnit.SECONDS.toMillis(30));
        }
        if (wrong.get() != null) {
            fail("a search during the drop failed with something other than NotFoundException", wrong.get());
        }
        assertEquals(2, notFound.get(), "both searchers ended with NotFoundException");
        rejects(NotFoundException.class, "other", "not found", () -> other.search(SearchRequest.of(v(1), 1)));
        rejects(NotFoundException.class, "other", "not found", () -> other.upsert(Record.of("z", v(1))));
        Collection again = db.createCollection(CollectionSpec.of("other", DIM));
        assertEquals(0, again.count());
    }

    @Test
    void useAfterCloseIsRejectedAndCloseIsIdempotent() {
        Collection handle = c;
        db.close();
        db.close();
        assertThrows(VecraftClosedException.class, () -> handle.upsert(Record.of("x", v(1))));
        assertThrows(VecraftClosedException.class, () -> handle.get("seed"));
        assertThrows(VecraftClosedException.class, () -> handle.search(SearchRequest.of(v(1), 1)));
        assertThrows(VecraftClosedException.class, () -> handle.delete("seed"));
        assertThrows(VecraftClosedException.class, handle::count);
        assertThrows(VecraftClosedException.class, () -> db.collection("c"));
        assertThrows(VecraftClosedException.class, () -> db.createCollection(CollectionSpec.of("n", DIM)));
        assertThrows(VecraftClosedException.class, () -> db.transaction(tx -> tx.upsert("c", Record.of("x", v(1)))));
        assertThrows(VecraftClosedException.class, db::checkpoint);
        db = (EmbeddedVecraft) Vecraft.builder(dir).withMaxEntryBytes(1 << 20).open(); // the directory works again
        c = db.collection("c");
        assertTrue(c.get("seed").isPresent());
        stillWorks();
    }

    @Test
    void concurrentCloseLetsEveryOperationFinishOrFailClosed() throws Exception {
        Map<String, Record> acknowledged = new ConcurrentHashMap<>();
        AtomicReference<Throwable> wrong = new AtomicReference<>();
        AtomicInteger closedErrors = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(4);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            Thread th = new Thread(() -> {
                running.countDown();
                for (int i = 0; ; i++) {
                    try {
                        if (thread % 2 == 0) {
                            Record r = Record.of("w" + thread + "-" + i, v(i));
                            c.upsert(r);
                            acknowledged.put(r.id(), r);
                        } else {
                            c.search(SearchRequest.of(v(i), 5));
                        }
                    } catch (VecraftClosedException e) {
                        closedErrors.incrementAndGet();
                        return;
                    } catch (Throwable e) {
                        wrong.compareAndSet(null, e);
                        return;
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        assertTrue(running.await(10, TimeUnit.SECONDS));
        while (acknowledged.size() < 50 && wrong.get() == null) {
            Thread.onSpinWait();
        }
        Thread[] closers = new Thread[2];
        for (int i = 0; i < closers.length; i++) {
            closers[i] = new Thread(db::close); // two concurrent closes: both return, one does the work
            closers[i].start();
        }
        for (Thread cl : closers) {
            cl.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!cl.isAlive(), "close returned");
        }
        for (Thread th : threads) {
            th.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!th.isAlive(), "every operation ended after close");
        }
        if (wrong.get() != null) {
            fail("an operation racing close failed with something other than VecraftClosedException", wrong.get());
        }
        assertEquals(4, closedErrors.get());
        db = (EmbeddedVecraft) Vecraft.builder(dir).withMaxEntryBytes(1 << 20).open();
        c = db.collection("c");
        for (Record r : acknowledged.values()) {
            assertEquals(r, c.get(r.id()).orElseThrow(), "acknowledged before close: " + r.id());
        }
        stillWorks();
    }
}
