package io.vecraft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vecraft.client.wire.JsonCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API against a real server on a loopback port with a real HTTP client. */
class HttpApiTest {

    @TempDir
    static Path dir;
    static TestServer t;

    @BeforeAll
    static void start() throws Exception {
        t = new TestServer(dir, b -> b);
        TestServer.Reply r = t.call("POST", "/v1/collections", t.adminKey,
                "{\"name\":\"docs\",\"dimension\":3,\"metric\":\"L2\",\"shards\":2}");
        assertEquals(201, r.status(), () -> r.raw().body());
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    private static void assertProblem(TestServer.Reply r, int status, String type) {
        assertEquals(status, r.status(), () -> r.raw().body());
        assertTrue(r.header("Content-Type").startsWith("application/problem+json"), r.header("Content-Type"));
        assertEquals("https://vecraft.io/problems/" + type, r.json().get("type").asText(), r.raw().body());
        assertEquals(status, r.json().get("status").asInt());
        assertFalse(r.json().get("detail").asText().isBlank());
        assertNotNull(r.json().get("requestId"));
    }

    @Test
    void upsertGetSearchDeleteRoundTrip() {
        String v2 = JsonCodec.base64(new float[] {0f, 1f, 0f});
        TestServer.Reply up = t.call("POST", "/v1/collections/docs/records", t.writeKey, """
                {"records":[
                  {"id":"a","vector":[1,0,0],"metadata":{"lang":"en","year":2024,"score":0.5,"tags":["x","y"]},"document":"journals make databases honest"},
                  {"id":"b","vectorBase64":"%s","metadata":{"lang":"de","year":2021}},
                  {"id":"c/with slash","vector":[0.9,0.1,0],"metadata":{"lang":"en","year":2019}}
                ]}""".formatted(v2), "X-Request-Id", "req-upsert-1");
        assertEquals(200, up.status(), () -> up.raw().body());
        assertEquals("req-upsert-1", up.json().get("requestId").asText());
        assertEquals("req-upsert-1", up.header("X-Request-Id"));
        assertTrue(up.json().get("hlc").asLong() > 0);

        TestServer.Reply get = t.call("GET", "/v1/collections/docs/records/a", t.readKey, null);
        assertEquals(200, get.status(), () -> get.raw().body());
        assertEquals("en", get.json().at("/metadata/lang").asText());
        assertEquals(2024, get.json().at("/metadata/year").asLong());
        assertEquals(0.5, get.json().at("/metadata/score").asDouble());
        assertEquals("y", get.json().at("/metadata/tags/1").asText());
        assertEquals("journals make databases honest", get.json().get("document").asText());

        TestServer.Reply slash = t.call("GET", "/v1/collections/docs/records/c%2Fwith%20slash", t.readKey, null);
        assertEquals(200, slash.status(), () -> slash.raw().body());
        assertEquals("c/with slash", slash.json().get("id").asText());

        TestServer.Reply b = t.call("GET", "/v1/collections/docs/records/b", t.readKey, null);
        assertEquals(1.0, b.json().at("/vector/1").asDouble(), "base64 little-endian float32 decoded");

        TestServer.Reply search = t.call("POST", "/v1/collections/docs/search", t.readKey, """
                {"vector":[1,0,0],"k":2,"filter":{"and":[{"eq":{"field":"lang","value":"en"}},{"range":{"field":"year","gte":2020}}]}}""",
                "X-Consistency-Level", "STRONG");
        assertEquals(200, search.status(), () -> search.raw().body());
        assertEquals(1, search.json().get("hits").size(), search.raw().body());
        assertEquals("a", search.json().at("/hits/0/id").asText());
        assertTrue(search.json().get("snapshotHlc").asLong() > 0);

        TestServer.Reply bounded = t.call("POST", "/v1/collections/docs/search", t.readKey,
                "{\"vector\":[0,1,0],\"k\":1,\"includeVector\":true,\"consistency\":{\"level\":\"BOUNDED\",\"maxStalenessMs\":500}}");
        assertEquals(200, bounded.status(), () -> bounded.raw().body());
        assertEquals("b", bounded.json().at("/hits/0/id").asText());
        assertEquals(1.0, bounded.json().at("/hits/0/vector/1").asDouble());

        TestServer.Reply boundedHeader = t.call("POST", "/v1/collections/docs/search", t.readKey,
                "{\"vector\":[0,1,0],\"k\":1}", "X-Consistency-Level", "BOUNDED", "X-Max-Staleness-Ms", "250");
        assertEquals(200, boundedHeader.status(), () -> boundedHeader.raw().body());

        TestServer.Reply noStaleness = t.call("POST", "/v1/collections/docs/search", t.readKey,
                "{\"vector\":[0,1,0],\"k\":1}", "X-Consistency-Level", "BOUNDED");
        assertProblem(noStaleness, 400, "invalid-argument");
        assertEquals("X-Consistency-Level.maxStalenessMs", noStaleness.json().get("field").asText());

        TestServer.Reply count = t.call("GET", "/v1/collections/docs/count", t.readKey, null, "X-Consistency-Level", "STRONG");
        assertEquals(3, count.json().get("count").asLong());

        TestServer.Reply del = t.call("DELETE", "/v1/collections/docs/records/b", t.writeKey, null, "X-Request-Id", "req-del-b");
        assertEquals(200, del.status(), () -> del.raw().body());
        assertProblem(t.call("GET", "/v1/collections/docs/records/b", t.readKey, null), 404, "not-found");

        TestServer.Reply asOf = t.call("GET", "/v1/collections/docs/records/b?asOf=" + (del.json().get("hlc").asLong() - 1),
                t.readKey, null);
        assertEquals(200, asOf.status(), "time travel before the delete: " + asOf.raw().body());

        TestServer.Reply history = t.call("GET", "/v1/collections/docs/records/b/history", t.readKey, null);
        assertEquals(200, history.status(), () -> history.raw().body());
        JsonNode versions = history.json().get("versions");
        assertEquals(2, versions.size(), history.raw().body());
        assertEquals("req-upsert-1", versions.get(0).get("requestId").asText());
        assertEquals("req-del-b", versions.get(1).get("requestId").asText());
        assertEquals("DELETE", versions.get(1).get("operation").asText());

        TestServer.Reply batchDel = t.call("POST", "/v1/collections/docs/delete", t.writeKey, "{\"ids\":[\"a\",\"c/with slash\"]}");
        assertEquals(200, batchDel.status(), () -> batchDel.raw().body());
        assertEquals(0, t.call("GET", "/v1/collections/docs/count", t.readKey, null, "X-Consistency-Level", "STRONG")
                .json().get("count").asLong());
    }

    @Test
    void collectionsAreCreatedListedDescribedAndDropped() {
        TestServer.Reply created = t.call("POST", "/v1/collections", t.adminKey,
                "{\"name\":\"tmp\",\"dimension\":4,\"metric\":\"COSINE\",\"index\":{\"type\":\"EXACT\"},\"shards\":1}");
        assertEquals(201, created.status(), () -> created.raw().body());
        assertEquals("EXACT", created.json().at("/index/type").asText());
        assertProblem(t.call("POST", "/v1/collections", t.adminKey, "{\"name\":\"tmp\",\"dimension\":4}"), 409, "already-exists");
        TestServer.Reply list = t.call("GET", "/v1/collections", t.readKey, null);
        assertTrue(list.json().get("collections").toString().contains("\"tmp\""), list.raw().body());
        TestServer.Reply describe = t.call("GET", "/v1/collections/tmp", t.readKey, null);
        assertEquals(4, describe.json().get("dimension").asInt());
        assertEquals(0, describe.json().get("count").asLong());
        assertEquals(204, t.call("DELETE", "/v1/collections/tmp", t.adminKey, null).status());
        assertProblem(t.call("GET", "/v1/collections/tmp", t.readKey, null), 404, "not-found");
        assertProblem(t.call("DELETE", "/v1/collections/tmp", t.adminKey, null), 404, "not-found");
    }

    @Test
    void transactionIsAtomicAcrossCollectionsAndShowsInTheJournal() {
        assertEquals(201, t.call("POST", "/v1/collections", t.adminKey, "{\"name\":\"tx1\",\"dimension\":2}").status());
        assertEquals(201, t.call("POST", "/v1/collections", t.adminKey, "{\"name\":\"tx2\",\"dimension\":2}").status());
        TestServer.Reply bad = t.call("POST", "/v1/transactions", t.writeKey, """
                {"operations":[{"op":"upsert","collection":"tx1","record":{"id":"x","vector":[1,2]}},
                               {"op":"upsert","collection":"tx2","record":{"id":"y","vector":[1,2,3]}}]}""");
        assertEquals(400, bad.status(), () -> bad.raw().body());
        assertEquals(0, t.call("GET", "/v1/collections/tx1/count", t.readKey, null, "X-Consistency-Level", "STRONG")
                .json().get("count").asLong(), "nothing of a rejected transaction is written");

        TestServer.Reply ok = t.call("POST", "/v1/transactions", t.writeKey, """
                {"operations":[{"op":"upsert","collection":"tx1","record":{"id":"x","vector":[1,2]}},
                               {"op":"upsert","collection":"tx2","records":[{"id":"y","vector":[3,4]}]},
                               {"op":"delete","collection":"tx2","id":"nope"}]}""", "X-Request-Id", "tx-req-7");
        assertEquals(200, ok.status(), () -> ok.raw().body());
        assertTrue(ok.json().get("transactionId").asLong() > 0, ok.raw().body());
        assertEquals("tx-req-7", ok.json().get("requestId").asText());
        assertEquals(1, t.call("GET", "/v1/collections/tx2/count", t.readKey, null, "X-Consistency-Level", "STRONG")
                .json().get("count").asLong());

        String partition = ok.json().get("partition").asText();
        long seq = ok.json().get("sequence").asLong();
        TestServer.Reply journal = t.call("GET", "/v1/journal?partition=" + partition + "&fromSequence=" + seq + "&limit=5",
                t.adminKey, null);
        assertEquals(200, journal.status(), () -> journal.raw().body());
        JsonNode first = journal.json().at("/records/0");
        assertEquals("tx-req-7", first.get("requestId").asText(), journal.raw().body());
        assertEquals(3, first.get("operations").size());
        assertEquals(seq + 1, journal.json().get("nextFromSequence").asLong());

        TestServer.Reply byHlc = t.call("GET", "/v1/journal?fromHlc=" + ok.json().get("hlc").asLong(), t.adminKey, null);
        assertEquals("tx-req-7", byHlc.json().at("/records/0/requestId").asText(), byHlc.raw().body());
        TestServer.Reply partitions = t.call("GET", "/v1/journal/partitions", t.adminKey, null);
        assertTrue(partitions.json().get("partitions").toString().contains(partition));
        assertProblem(t.call("GET", "/v1/journal", t.writeKey, null), 403, "forbidden");
        assertProblem(t.call("GET", "/v1/journal?limit=0", t.adminKey, null), 400, "invalid-argument");
    }

    @Test
    void missingOrUnknownKeyIs401() {
        TestServer.Reply none = t.call("GET", "/v1/collections", null, null);
        assertProblem(none, 401, "unauthorized");
        assertProblem(t.call("GET", "/v1/collections", "vk_not-a-real-key", null), 401, "unauthorized");
        TestServer.Reply viaHeader = t.call("GET", "/v1/collections", null, null, "X-Api-Key", t.readKey);
        assertEquals(200, viaHeader.status(), "X-Api-Key header is accepted too");
    }

    @Test
    void roleTooWeakIs403() {
        TestServer.Reply readerWrites = t.call("POST", "/v1/collections/docs/records", t.readKey,
                "{\"records\":[{\"id\":\"z\",\"vector\":[1,1,1]}]}");
        assertProblem(readerWrites, 403, "forbidden");
        assertTrue(readerWrites.json().get("detail").asText().contains("needs role WRITE"), readerWrites.raw().body());
        assertProblem(t.call("POST", "/v1/collections", t.writeKey, "{\"name\":\"w\",\"dimension\":2}"), 403, "forbidden");
        assertProblem(t.call("DELETE", "/v1/collections/docs", t.writeKey, null), 403, "forbidden");
    }

    @Test
    void rateLimitedKeyGets429WithRetryAfter() {
        List<TestServer.Reply> replies = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            replies.add(t.call("GET", "/v1/collections", t.limitedKey, null));
        }
        assertEquals(200, replies.get(0).status());
        TestServer.Reply limited = replies.stream().filter(r -> r.status() == 429).findFirst()
                .orElseThrow(() -> new AssertionError("8 rapid requests with burst 3 and 0.5/s never got 429"));
        assertProblem(limited, 429, "rate-limited");
        long retryAfter = Long.parseLong(limited.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);
        assertTrue(replies.stream().filter(r -> r.status() == 200).count() <= 4);
        assertEquals(200, t.call("GET", "/v1/collections", t.readKey, null).status(), "other keys are not limited");
    }

    @Test
    void malformedJsonIs400NamingTheBody() {
        TestServer.Reply r = t.call("POST", "/v1/collections/docs/records", t.writeKey, "{\"records\":[{\"id\":\"a\",");
        assertProblem(r, 400, "invalid-argument");
        assertEquals("body", r.json().get("field").asText());
        assertTrue(r.json().get("detail").asText().contains("malformed JSON"), r.raw().body());
    }

    @Test
    void invalidFieldsAre400NamingTheField() {
        TestServer.Reply dim = t.call("POST", "/v1/collections/docs/records", t.writeKey,
                "{\"records\":[{\"id\":\"ok\",\"vector\":[1,0,0]},{\"id\":\"bad\",\"vector\":[1,0]}]}");
        assertProblem(dim, 400, "invalid-argument");
        assertTrue(dim.json().get("detail").asText().contains("dimension"), dim.raw().body());
        assertProblem(t.call("GET", "/v1/collections/docs/records/ok", t.readKey, null), 404, "not-found");

        TestServer.Reply k = t.call("POST", "/v1/collections/docs/search", t.readKey, "{\"vector\":[1,0,0],\"k\":0}");
        assertProblem(k, 400, "invalid-argument");
        assertEquals("search.k", k.json().get("field").asText());

        TestServer.Reply vec = t.call("POST", "/v1/collections/docs/records", t.writeKey,
                "{\"records\":[{\"id\":\"s\",\"vector\":[1,\"x\",0]}]}");
        assertEquals("records[0].vector[1]", vec.json().get("field").asText(), vec.raw().body());

        TestServer.Reply b64 = t.call("POST", "/v1/collections/docs/records", t.writeKey,
                "{\"records\":[{\"id\":\"s\",\"vectorBase64\":\"AAAA\"}]}");
        assertEquals("records[0].vectorBase64", b64.json().get("field").asText(), b64.raw().body());

        TestServer.Reply filter = t.call("POST", "/v1/collections/docs/search", t.readKey,
                "{\"vector\":[1,0,0],\"k\":1,\"filter\":{\"like\":{}}}");
        assertEquals("search.filter", filter.json().get("field").asText(), filter.raw().body());

        TestServer.Reply spec = t.call("POST", "/v1/collections", t.adminKey, "{\"name\":\"n\",\"dimension\":0}");
        assertEquals("collection.dimension", spec.json().get("field").asText());
    }

    @Test
    void oversizedBodyIs413() {
        StringBuilder big = new StringBuilder("{\"records\":[");
        while (big.length() < 300 * 1024) {
            big.append("{\"id\":\"r").append(big.length()).append("\",\"vector\":[1,0,0]},");
        }
        big.setLength(big.length() - 1);
        big.append("]}");
        TestServer.Reply r = t.call("POST", "/v1/collections/docs/records", t.writeKey, big.toString());
        assertProblem(r, 413, "payload-too-large");
        assertTrue(r.json().get("detail").asText().contains("262144"), r.raw().body());

        // Without Content-Length (chunked), the limit is enforced while reading.
        java.net.http.HttpRequest chunked = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(t.server.uri() + "/v1/collections/docs/records"))
                .header("Authorization", "Bearer " + t.writeKey)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(big.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .build();
        try {
            java.net.http.HttpResponse<String> cr = t.http.send(chunked, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(413, cr.statusCode(), cr.body());
            assertTrue(cr.body().contains("payload-too-large"), cr.body());
        } catch (java.io.IOException e) {
            throw new AssertionError("the server must answer 413, not drop the connection", e);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Found by review: input the database would store or match differently is refused with 400. */
    @Test
    void duplicateKeysOutOfRangeBoundsAndMalformedQueriesAre400() {
        TestServer.Reply dup = t.call("POST", "/v1/collections/docs/records", t.writeKey,
                "{\"records\":[{\"id\":\"a1\",\"id\":\"b1\",\"vector\":[1,0,0]}]}");
        assertProblem(dup, 400, "invalid-argument");
        assertTrue(dup.json().get("detail").asText().contains("Duplicate field 'id'"), dup.raw().body());
        TestServer.Reply twoOps = t.call("POST", "/v1/collections/docs/search", t.readKey,
                "{\"vector\":[1,0,0],\"k\":1,\"filter\":{\"not\":{\"eq\":{\"field\":\"a\",\"value\":1}},"
                        + "\"not\":{\"eq\":{\"field\":\"b\",\"value\":2}}}}");
        assertProblem(twoOps, 400, "invalid-argument");

        TestServer.Reply big = t.call("POST", "/v1/collections/docs/search", t.readKey,
                "{\"vector\":[1,0,0],\"k\":1,\"filter\":{\"range\":{\"field\":\"year\",\"lt\":9223372036854775808}}}");
        assertProblem(big, 400, "invalid-argument");
        assertTrue(big.json().get("detail").asText().contains("64-bit"), big.raw().body());
        TestServer.Reply huge = t.call("POST", "/v1/collections/docs/search", t.readKey,
                "{\"vector\":[1,0,0],\"k\":1,\"filter\":{\"range\":{\"field\":\"score\",\"gt\":1e400}}}");
        assertProblem(huge, 400, "invalid-argument");

        // %FF is not UTF-8: a route that reads the query answers 400, one that does not is unaffected
        TestServer.Reply query = t.call("GET", "/v1/collections/docs/count?asOf=%FF", t.readKey, null);
        assertProblem(query, 400, "invalid-argument");
        assertEquals("query", query.json().get("field").asText(), query.raw().body());
        assertEquals(200, t.call("GET", "/healthz?probe=%FF", null, null).status());
    }

    /** Found by review: any method token was a metrics tag, so unauthenticated requests grew /metrics without bound. */
    @Test
    void unknownMethodsAreTimedAsOther() throws Exception {
        for (int i = 0; i < 3; i++) {
            java.net.http.HttpRequest odd = java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(t.server.uri() + "/nothing")).method("ZZTOP" + i,
                    java.net.http.HttpRequest.BodyPublishers.noBody()).build();
            assertEquals(404, t.http.send(odd, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        String text = t.call("GET", "/metrics", null, null).raw().body();
        assertFalse(text.contains("ZZTOP"), "a client-chosen method became a metric tag");
        assertTrue(text.contains("method=\"OTHER\""), text);
    }

    @Test
    void unusableRequestIdIs400NamingTheHeader() {
        TestServer.Reply r = t.call("GET", "/v1/collections", t.readKey, null, "X-Request-Id", "x".repeat(129));
        assertProblem(r, 400, "invalid-argument");
        assertEquals("X-Request-Id", r.json().get("field").asText());
        assertEquals(36, r.header("X-Request-Id").length(), "a generated id answers instead");
    }

    @Test
    void unknownRouteIs404AndWrongMethodIs405() {
        assertProblem(t.call("GET", "/v1/nothing", t.readKey, null), 404, "not-found");
        assertProblem(t.call("PUT", "/v1/collections", t.adminKey, "{}"), 405, "method-not-allowed");
    }

    @Test
    void healthReadinessMetricsAndStatusPage() {
        assertEquals(200, t.call("GET", "/healthz", null, null).status());
        assertEquals("READY", t.call("GET", "/readyz", null, null).json().get("status").asText());
        t.call("GET", "/v1/collections", t.readKey, null, "X-Request-Id", "status-page-probe");
        TestServer.Reply metrics = t.call("GET", "/metrics", null, null);
        assertEquals(200, metrics.status());
        String text = metrics.raw().body();
        assertTrue(text.contains("vecraft_server_requests_seconds_count{"), text);
        assertTrue(text.contains("route=\"/v1/collections\""), text);
        assertTrue(text.contains("jvm_memory_used_bytes"), text);
        assertTrue(text.contains("vecraft_operations_seconds_count{"), "the database's own meters are published: " + text);
        assertTrue(text.contains("vecraft_shard_lag_seconds{"), "journal lag per shard: " + text);
        TestServer.Reply health = t.call("GET", "/v1/health", t.readKey, null);
        assertEquals(200, health.status());
        assertEquals("UP", health.json().get("status").asText());
        assertTrue(health.json().get("shards").size() >= 1, health.raw().body());
        assertProblem(t.call("GET", "/v1/health", null, null), 401, "unauthorized");

        assertProblem(t.call("GET", "/status", null, null), 401, "unauthorized");
        TestServer.Reply status = t.call("GET", "/status", t.readKey, null);
        assertEquals(200, status.status());
        assertTrue(status.header("Content-Type").startsWith("text/html"));
        String html = status.raw().body();
        assertTrue(html.contains("<td>docs</td>"), html);
        assertTrue(html.contains("docs/0"), "journal lag per shard: " + html);
        assertTrue(html.contains("status-page-probe"), "recent operations with request ids: " + html);
    }

    @Test
    void manyConcurrentClientsWriteAndSearch() throws Exception {
        assertEquals(201, t.call("POST", "/v1/collections", t.adminKey, "{\"name\":\"conc\",\"dimension\":4}").status());
        int clients = 8;
        int perClient = 25;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < perClient; i++) {
                        String id = "c" + client + "-" + i;
                        TestServer.Reply w = t.call("POST", "/v1/collections/conc/records", t.writeKey,
                                "{\"records\":[{\"id\":\"" + id + "\",\"vector\":[" + client + "," + i + ",1,0]}]}",
                                "X-Request-Id", id);
                        TestServer.Reply s = t.call("POST", "/v1/collections/conc/search", t.readKey,
                                "{\"vector\":[" + client + "," + i + ",1,0],\"k\":1}",
                                "X-Consistency-Level", "READ_YOUR_WRITES", "X-Session-Hlc", w.json().get("hlc").asText());
                        if (w.status() == 200 && s.status() == 200 && s.json().at("/hits/0/id").asText().equals(id)) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            int total = 0;
            for (Future<Integer> f : futures) {
                total += f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(clients * perClient, total, "every write acknowledged and found by its own read-your-writes search");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(clients * perClient, t.call("GET", "/v1/collections/conc/count", t.readKey, null,
                "X-Consistency-Level", "STRONG").json().get("count").asLong());
    }
}
