package io.vecraft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.AlreadyExistsException;
import io.vecraft.api.AuditLog;
import io.vecraft.api.CapacityException;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Filter;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.JournalRecord;
import io.vecraft.api.Metric;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.RecordVersion;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.SearchResult;
import io.vecraft.api.Session;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.WriteOptions;
import io.vecraft.client.VecraftClient;
import io.vecraft.client.wire.Problem;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remote client against a real server: same API shape and the same exceptions as embedded. */
class ClientServerTest {

    @TempDir
    static Path dir;
    static TestServer t;
    static VecraftClient admin;

    @BeforeAll
    static void start() throws Exception {
        t = new TestServer(dir, b -> b);
        admin = VecraftClient.connect(URI.create(t.server.uri()), t.adminKey);
    }

    @AfterAll
    static void stop() {
        admin.close();
        t.close();
    }

    @Test
    void remoteDatabaseBehavesLikeTheEmbeddedOne() {
        Vecraft db = admin;
        Collection docs = db.createCollection(CollectionSpec.of("cdocs", 3).withMetric(Metric.COSINE));
        assertEquals(Metric.COSINE, docs.spec().metric());
        assertEquals(2, docs.spec().shards(), "the server fills in its default shard count");
        assertThrows(AlreadyExistsException.class, () -> db.createCollection(CollectionSpec.of("cdocs", 3)));
        io.vecraft.api.Health health = db.health();
        assertEquals(io.vecraft.api.Health.Status.UP, health.status(), health.toString());
        assertTrue(health.shards().stream().anyMatch(s -> s.name().startsWith("cdocs/")), health.toString());

        docs.upsert(Record.of("a", new float[] {0.9f, 0.1f, 0.0f}).withMetadata(Map.of("lang", "en", "year", 2024))
                .withDocument("journals make databases honest"));
        Receipt r = docs.upsert(List.of(
                Record.of("b", new float[] {0.1f, 0.9f, 0.0f}).withMetadata(Map.of("lang", "de", "year", 2021)),
                Record.of("c", new float[] {0.8f, 0.0f, 0.2f}).withMetadata(Map.of("lang", "en", "year", 2019))),
                WriteOptions.defaults().withRequestId("client-batch-1"));
        assertEquals("client-batch-1", r.requestId());

        SearchResult result = docs.search(SearchRequest.of(new float[] {1f, 0f, 0f}, 2)
                .withFilter(Filter.and(Filter.eq("lang", "en"), Filter.gte("year", 2020)))
                .withConsistency(Consistency.STRONG));
        assertEquals(1, result.size());
        assertEquals("a", result.hits().get(0).id());
        assertEquals("journals make databases honest", result.hits().get(0).document().orElseThrow());

        Record a = docs.get("a").orElseThrow();
        assertEquals(2024L, a.metadata().get("year"));
        assertTrue(docs.get("zzz").isEmpty());
        assertThrows(NotFoundException.class, () -> db.collection("nope"));
        assertTrue(db.findCollection("nope").isEmpty());

        Receipt tx = db.transaction(x -> x.delete("cdocs", "b").upsert("cdocs", Record.of("d", new float[] {0f, 0f, 1f})),
                WriteOptions.defaults().withRequestId("client-tx-1"));
        assertTrue(tx.transactionId() > 0);
        Optional<Record> before = docs.get("b", ReadOptions.defaults().asOf(tx.hlc() - 1));
        assertTrue(before.isPresent(), "time travel");
        List<RecordVersion> lineage = docs.history("b");
        assertEquals(List.of(RecordVersion.Operation.UPSERT, RecordVersion.Operation.DELETE),
                lineage.stream().map(RecordVersion::operation).toList());
        assertEquals("client-batch-1", lineage.get(0).requestId());
        assertEquals("client-tx-1", lineage.get(1).requestId());
        assertEquals(3, docs.count(ReadOptions.defaults().withConsistency(Consistency.STRONG)));

        assertTrue(db.listCollections().stream().anyMatch(s -> s.name().equals("cdocs")));
        assertTrue(db.now() > 0);
        assertEquals(t.db.config().directory(), db.config().directory());

        AuditLog log = db.journal();
        assertTrue(log.partitions().contains(tx.partition()));
        boolean seen = false;
        try (AuditLog.Cursor c = log.read(tx.partition(), tx.sequence())) {
            JournalRecord jr = c.next();
            seen = jr.requestId().equals("client-tx-1") && jr.operations().size() == 2;
        }
        assertTrue(seen, "the transaction is in the audit log with its request id");
        int n = 0;
        try (AuditLog.Cursor c = log.readFromHlc(0)) {
            while (c.hasNext()) {
                c.next();
                n++;
            }
        }
        assertTrue(n >= 4, "create + upserts + transaction, was " + n);
        assertThrows(NotFoundException.class, () -> log.read("no-such-partition", 1));
        db.checkpoint();
        db.dropCollection("cdocs");
        assertTrue(db.findCollection("cdocs").isEmpty());
    }

    @Test
    void readYourWritesSessionWorksThroughTheStatelessServer() {
        Collection c = admin.createCollection(CollectionSpec.of("ryw", 2));
        Session s = new Session();
        for (int i = 0; i < 20; i++) {
            c.upsert(Record.of("r" + i, new float[] {i, 1}), WriteOptions.defaults().withSession(s)
                    .withAckLevel(io.vecraft.api.AckLevel.DURABLE));
            assertTrue(s.lastWriteHlc() > 0);
            assertTrue(c.get("r" + i, ReadOptions.defaults().withConsistency(Consistency.readYourWrites(s))).isPresent(),
                    "read-your-writes after a DURABLE write " + i);
        }
        SearchResult r = c.search(SearchRequest.of(new float[] {19, 1}, 1).withConsistency(Consistency.readYourWrites(s)));
        assertEquals("r19", r.hits().get(0).id());
    }

    @Test
    void errorsComeBackAsTheEmbeddedExceptions() {
        Collection c = admin.createCollection(CollectionSpec.of("errs", 2));
        InvalidArgumentException dim = assertThrows(InvalidArgumentException.class,
                () -> c.upsert(Record.of("x", new float[] {1, 2, 3})));
        assertTrue(dim.getMessage().contains("dimension"), dim.getMessage());
        InvalidArgumentException k = assertThrows(InvalidArgumentException.class,
                () -> c.search(SearchRequest.of(new float[] {1, 2, 3}, 1)));
        assertFalse(k.field().isEmpty());

        try (VecraftClient reader = VecraftClient.connect(URI.create(t.server.uri()), t.readKey);
             VecraftClient nobody = VecraftClient.connect(URI.create(t.server.uri()), null);
             VecraftClient limited = VecraftClient.connect(URI.create(t.server.uri()), t.limitedKey)) {
            Problem.AccessDeniedException forbidden = assertThrows(Problem.AccessDeniedException.class,
                    () -> reader.collection("errs").upsert(Record.of("y", new float[] {1, 2})));
            assertEquals(403, forbidden.status());
            Problem.AccessDeniedException unauth = assertThrows(Problem.AccessDeniedException.class, nobody::listCollections);
            assertEquals(401, unauth.status());
            assertThrows(CapacityException.class, () -> {
                for (int i = 0; i < 10; i++) {
                    limited.listCollections();
                }
            }, "rate limit surfaces as CapacityException");
        }
        VecraftClient closed = VecraftClient.connect(URI.create(t.server.uri()), t.readKey);
        closed.close();
        closed.close(); // idempotent
        assertThrows(VecraftClosedException.class, closed::listCollections);
    }

    @Test
    void manyClientThreadsShareOneClient() throws Exception {
        Collection c = admin.createCollection(CollectionSpec.of("shared", 4));
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t0 = 0; t0 < 6; t0++) {
            int tn = t0;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 20; i++) {
                        c.upsert(Record.of("t" + tn + "-" + i, new float[] {tn, i, 0, 1}));
                        c.search(SearchRequest.of(new float[] {tn, i, 0, 1}, 3));
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "client-" + tn));
        }
        threads.forEach(Thread::start);
        for (Thread th : threads) {
            th.join(120_000);
        }
        assertTrue(errors.isEmpty(), errors.toString());
        assertEquals(120, c.count(ReadOptions.defaults().withConsistency(Consistency.STRONG)));
    }
}
