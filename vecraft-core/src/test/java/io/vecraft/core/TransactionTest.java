package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Durability;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.SearchHit;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.SearchResult;
import io.vecraft.api.Vecraft;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionTest {
    private static final int KEYS = 12;

    @TempDir
    Path dir;

    @Test
    void transactionsAreAtomicUnderConcurrentSnapshotReaders() throws Exception {
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.ASYNC).open()) {
            Collection a = db.createCollection(CollectionSpec.of("a", 2).withShards(4).withIndex(IndexSpec.exact()));
            Collection b = db.createCollection(CollectionSpec.of("b", 2).withShards(3));
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
            AtomicInteger reads = new AtomicInteger();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                Thread r = new Thread(() -> {
                    while (!stop.get()) {
                        SearchResult ra = a.search(SearchRequest.of(new float[] {0, 0}, 100));
                        Set<Object> gens = new HashSet<>();
                        for (SearchHit h : ra.hits()) {
                            gens.add(h.metadata().get("gen"));
                        }
                        if (gens.size() > 1 || (ra.size() != 0 && ra.size() != KEYS)) {
                            violations.add("a at " + ra.snapshotHlc() + ": " + ra.size() + " hits, generations " + gens);
                        }
                        // the other collection at the same snapshot must hold the same generation
                        SearchResult rb = b.search(SearchRequest.of(new float[] {0, 0}, 100).asOf(ra.snapshotHlc()));
                        for (SearchHit h : rb.hits()) {
                            gens.add(h.metadata().get("gen"));
                        }
                        if (gens.size() > 1 || rb.size() != ra.size()) {
                            violations.add("a+b at " + ra.snapshotHlc() + ": " + ra.size() + "/" + rb.size()
                                    + " hits, generations " + gens);
                        }
                        reads.incrementAndGet();
                    }
                }, "reader-" + t);
                readers.add(r);
                r.start();
            }
            int generations = 150;
            for (int gen = 1; gen <= generations; gen++) {
                final long g = gen;
                db.transaction(tx -> {
                    for (int k = 0; k < KEYS; k++) {
                        Record r = Record.of("k" + k, new float[] {k, g % 7}).withMetadata(Map.of("gen", g));
                        tx.upsert("a", r);
                        tx.upsert("b", r);
                    }
                });
            }
            stop.set(true);
            for (Thread r : readers) {
                r.join();
            }
            assertTrue(violations.isEmpty(), "snapshot reads saw part of a transaction: " + violations.peek());
            assertTrue(reads.get() > 10, "readers ran: " + reads.get());
            System.out.println("[atomicity] " + generations + " transactions, " + reads.get() + " snapshot reads");
            assertEquals(KEYS, a.count());
            assertEquals((long) generations, a.get("k3").orElseThrow().metadata().get("gen"));
        }
    }

    @Test
    void transactionReceiptHistoryAndAllOrNothing() {
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.ASYNC).open()) {
            Collection a = db.createCollection(CollectionSpec.of("a", 2));
            db.createCollection(CollectionSpec.of("b", 2));
            a.upsert(Record.of("gone", new float[] {1, 1}));
            Receipt r = db.transaction(tx -> tx.upsert("a", Record.of("x", new float[] {1, 2}))
                    .upsert("b", Record.of("y", new float[] {3, 4}))
                    .delete("a", "gone"));
            assertEquals("tx", r.partition());
            assertTrue(r.transactionId() != 0);
            assertEquals(r.transactionId(), a.history("x").get(0).transactionId());
            assertEquals(r.transactionId(), a.history("gone").get(1).transactionId());
            assertTrue(a.get("gone").isEmpty());
            assertTrue(db.collection("b").get("y").isPresent());

            long before = db.collection("b").count(ReadOptions.defaults().withConsistency(Consistency.STRONG));
            assertThrows(IllegalStateException.class, () -> db.transaction(tx -> {
                tx.upsert("b", Record.of("z", new float[] {1, 1}));
                throw new IllegalStateException("abort");
            }));
            assertThrows(InvalidArgumentException.class, () -> db.transaction(tx -> {
                tx.upsert("b", Record.of("z", new float[] {1, 1}));
                tx.upsert("b", Record.of("w", new float[] {1, 1, 1}));
            }));
            assertThrows(NotFoundException.class, () -> db.transaction(tx -> tx.upsert("nope", Record.of("z", new float[] {1, 1}))));
            assertThrows(InvalidArgumentException.class, () -> db.transaction(tx -> { }));
            assertEquals(before, db.collection("b").count(ReadOptions.defaults().withConsistency(Consistency.STRONG)),
                    "a failed transaction writes nothing");
        }
    }
}
