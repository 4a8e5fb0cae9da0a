package io.vecraft.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vecraft.api.AuditLog;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.JournalRecord;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.RecordVersion;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftConfig;
import io.vecraft.api.WriteOptions;
import io.vecraft.client.wire.JsonCodec;
import io.vecraft.server.HttpApi.Call;
import io.vecraft.server.HttpApi.Reply;
import io.vecraft.server.HttpApi.Route;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The HTTP API's routes (method, path, role, action) over one {@link Vecraft} database. The
 * OpenAPI document ({@code /openapi.json}, resource {@code io/vecraft/server/openapi.json})
 * describes exactly these routes; {@code OpenApiRoutesTest} keeps the two equal.
 *
 * <p>Thread-safe: the actions share only the (thread-safe) database.
 */
final class RestRoutes {

    /** Most journal records one {@code GET /v1/journal} returns. */
    static final int MAX_JOURNAL_LIMIT = 1_000;
    /** Journal records returned when {@code limit} is absent. */
    static final int DEFAULT_JOURNAL_LIMIT = 100;

    private final Vecraft db;
    private final PrometheusMeterRegistry meters;
    private final StatusPage status;
    private final byte[] openApi;

    RestRoutes(Vecraft db, PrometheusMeterRegistry meters, StatusPage status) {
        this.db = db;
        this.meters = meters;
        this.status = status;
        this.openApi = openApiDocument();
    }

    static byte[] openApiDocument() {
        try (InputStream in = RestRoutes.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("resource io/vecraft/server/openapi.json missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read openapi.json", e);
        }
    }

    List<Route> routes() {
        List<Route> r = new ArrayList<>();
        r.add(new Route("GET", "/healthz", null, "liveness", this::live));
        r.add(new Route("GET", "/readyz", null, "readiness", this::ready));
        r.add(new Route("GET", "/v1/health", Role.READ, "health with reasons and per-shard lag",
                c -> Reply.ok(JsonCodec.healthNode(db.health()))));
        r.add(new Route("GET", "/metrics", null, "Prometheus metrics",
                c -> Reply.text(200, "text/plain; version=0.0.4; charset=utf-8", meters.scrape())));
        r.add(new Route("GET", "/openapi.json", null, "this API",
                c -> new Reply(200, "application/json", openApi)));
        r.add(new Route("GET", "/status", Role.READ, "status page",
                c -> Reply.text(200, "text/html; charset=utf-8", status.render())));

        r.add(new Route("GET", "/v1/info", Role.READ, "server and database settings", this::info));
        r.add(new Route("GET", "/v1/clock", Role.READ, "the database clock",
                c -> Reply.ok(JsonCodec.object().put("hlc", db.now()))));
        r.add(new Route("POST", "/v1/checkpoint", Role.ADMIN, "checkpoint now", c -> {
            db.checkpoint();
            return Reply.noContent();
        }));

        r.add(new Route("GET", "/v1/collections", Role.READ, "list collections", this::listCollections));
        r.add(new Route("POST", "/v1/collections", Role.ADMIN, "create a collection", this::createCollection));
        r.add(new Route("GET", "/v1/collections/{collection}", Role.READ, "describe a collection", this::describe));
        r.add(new Route("DELETE", "/v1/collections/{collection}", Role.ADMIN, "drop a collection", c -> {
            db.dropCollection(c.param("collection"));
            return Reply.noContent();
        }));
        r.add(new Route("GET", "/v1/collections/{collection}/count", Role.READ, "count records",
                c -> Reply.ok(JsonCodec.object().put("count", coll(c).count(c.readOptions())))));
        r.add(new Route("POST", "/v1/collections/{collection}/records", Role.WRITE, "upsert records", this::upsert));
        r.add(new Route("POST", "/v1/collections/{collection}/delete", Role.WRITE, "delete records", this::deleteMany));
        r.add(new Route("GET", "/v1/collections/{collection}/records/{id}", Role.READ, "get a record", this::get));
        r.add(new Route("DELETE", "/v1/collections/{collection}/records/{id}", Role.WRITE, "delete a record",
                c -> Reply.ok(JsonCodec.receiptNode(coll(c).delete(List.of(Record.checkId(c.param("id"))),
                        c.writeOptions(null))))));
        r.add(new Route("GET", "/v1/collections/{collection}/records/{id}/history", Role.READ, "record history",
                this::history));
        r.add(new Route("POST", "/v1/collections/{collection}/search", Role.READ, "search", this::search));
        r.add(new Route("POST", "/v1/transactions", Role.WRITE, "atomic multi-collection write", this::transaction));
        r.add(new Route("GET", "/v1/journal/partitions", Role.ADMIN, "journal partitions", c -> {
            ArrayNode a = JsonCodec.array();
            db.journal().partitions().forEach(a::add);
            return Reply.ok(JsonCodec.object().set("partitions", a));
        }));
        r.add(new Route("GET", "/v1/journal", Role.ADMIN, "read the journal (audit log)", this::journal));
        return r;
    }

    private Collection coll(Call c) {
        return db.collection(c.param("collection"));
    }

    /** 200 while the database is live (open, no failed journal partition or applier), else 503 with the reasons. */
    private Reply live(Call c) {
        return probe(c, "/healthz", false);
    }

    /** 200 when live and every shard is within the ready-lag threshold, else 503 with the reasons. */
    private Reply ready(Call c) {
        return probe(c, "/readyz", true);
    }

    private Reply probe(Call c, String path, boolean readiness) {
        io.vecraft.api.Health h;
        try {
            h = db.health();
        } catch (RuntimeException e) {
            return new Reply(503, io.vecraft.client.wire.Problem.MEDIA_TYPE, JsonCodec.bytes(
                    io.vecraft.client.wire.Problem.simple("closed", "Not ready", 503,
                            "database not available: " + e.getMessage(), path, c.requestId).toJson()));
        }
        boolean ok = readiness ? h.ready() : h.live();
        if (ok) {
            ObjectNode o = JsonCodec.healthNode(h);
            o.put("status", readiness ? "READY" : "UP");
            o.put("health", h.status().name());
            return Reply.ok(o);
        }
        return new Reply(503, io.vecraft.client.wire.Problem.MEDIA_TYPE, JsonCodec.bytes(
                io.vecraft.client.wire.Problem.simple(readiness ? "not-ready" : "not-live",
                        readiness ? "Not ready" : "Not live", 503, "database " + h.status() + ": "
                                + String.join("; ", h.reasons()), path, c.requestId).toJson()));
    }

    private Reply info(Call c) {
        VecraftConfig cfg = db.config();
        ObjectNode o = JsonCodec.object();
        o.put("directory", cfg.directory().toString());
        o.put("durability", cfg.durability().toString());
        o.put("ackLevel", cfg.ackLevel().name());
        o.set("defaultConsistency", JsonCodec.consistencyNode(cfg.defaultConsistency()));
        o.put("dataPartitions", cfg.dataPartitions());
        o.put("defaultShards", cfg.defaultShards());
        o.put("waitTimeoutMs", cfg.waitTimeout().toMillis());
        o.put("versionRetentionMs", cfg.versionRetention().toMillis());
        o.put("cluster", cfg.cluster().map(x -> x.provider()).orElse("embedded"));
        o.put("role", c.caller == null ? "ADMIN" : c.caller.role().name());
        return Reply.ok(o);
    }

    private Reply listCollections(Call c) {
        ArrayNode a = JsonCodec.array();
        db.listCollections().forEach(s -> a.add(JsonCodec.specNode(s)));
        return Reply.ok(JsonCodec.object().set("collections", a));
    }

    private Reply createCollection(Call c) {
        CollectionSpec spec = JsonCodec.spec(c.body());
        Collection created = db.createCollection(spec);
        return Reply.json(201, JsonCodec.specNode(created.spec()));
    }

    private Reply describe(Call c) {
        Collection col = coll(c);
        ObjectNode o = JsonCodec.specNode(col.spec());
        o.put("count", col.count(c.readOptions()));
        return Reply.ok(o);
    }

    private Reply upsert(Call c) {
        Collection col = coll(c);
        JsonNode body = c.body();
        List<Record> records;
        if (body.isArray()) {
            records = JsonCodec.records(body, "records");
        } else if (body.has("records")) {
            records = JsonCodec.records(body.get("records"), "records");
        } else {
            records = List.of(JsonCodec.record(body, "record"));
        }
        Receipt receipt = col.upsert(records, c.writeOptions(body.isObject() ? body : null));
        return Reply.ok(JsonCodec.receiptNode(receipt));
    }

    private Reply deleteMany(Call c) {
        Collection col = coll(c);
        JsonNode body = c.body();
        JsonNode ids = body.get("ids");
        if (ids == null || !ids.isArray() || ids.isEmpty()) {
            throw new InvalidArgumentException("ids", "must be a non-empty array of record ids");
        }
        List<String> list = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            if (!ids.get(i).isTextual()) {
                throw new InvalidArgumentException("ids[" + i + "]", "must be a string");
            }
            list.add(Record.checkId(ids.get(i).textValue()));
        }
        return Reply.ok(JsonCodec.receiptNode(col.delete(list, c.writeOptions(body))));
    }

    private Reply get(Call c) {
        Collection col = coll(c);
        String id = Record.checkId(c.param("id"));
        Optional<Record> rec = col.get(id, c.readOptions());
        if (rec.isEmpty()) {
            throw new io.vecraft.api.NotFoundException("record", col.name() + "/" + id);
        }
        return Reply.ok(JsonCodec.recordNode(rec.get()));
    }

    private Reply history(Call c) {
        Collection col = coll(c);
        ArrayNode a = JsonCodec.array();
        for (RecordVersion v : col.history(Record.checkId(c.param("id")))) {
            a.add(JsonCodec.versionNode(v));
        }
        return Reply.ok(JsonCodec.object().set("versions", a));
    }

    private Reply search(Call c) {
        Collection col = coll(c);
        SearchRequest req = JsonCodec.searchRequest(c.body(), c.headerConsistency());
        return Reply.ok(JsonCodec.searchResultNode(col.search(req)));
    }

    private Reply transaction(Call c) {
        JsonNode body = c.body();
        JsonNode ops = body.get("operations");
        if (ops == null || !ops.isArray() || ops.isEmpty()) {
            throw new InvalidArgumentException("operations", "must be a non-empty array");
        }
        // Parse and validate everything before the database sees any of it: nothing is half-written.
        List<Object[]> parsed = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            String f = "operations[" + i + "]";
            JsonNode op = ops.get(i);
            if (!op.isObject()) {
                throw new InvalidArgumentException(f, "must be an object");
            }
            String kind = JsonCodec.text(op, "op", f + ".op");
            String collection = JsonCodec.text(op, "collection", f + ".collection");
            switch (kind) {
                case "upsert" -> {
                    if (op.has("records")) {
                        for (Record rec : JsonCodec.records(op.get("records"), f + ".records")) {
                            parsed.add(new Object[] {collection, rec});
                        }
                    } else {
                        parsed.add(new Object[] {collection, JsonCodec.record(op.get("record"), f + ".record")});
                    }
                }
                case "delete" -> parsed.add(new Object[] {collection, Record.checkId(JsonCodec.text(op, "id", f + ".id"))});
                default -> throw new InvalidArgumentException(f + ".op", "must be upsert or delete, was '" + kind + "'");
            }
        }
        WriteOptions options = c.writeOptions(body);
        Receipt receipt = db.transaction(tx -> {
            for (Object[] p : parsed) {
                if (p[1] instanceof Record rec) {
                    tx.upsert((String) p[0], rec);
                } else {
                    tx.delete((String) p[0], (String) p[1]);
                }
            }
        }, options);
        return Reply.ok(JsonCodec.receiptNode(receipt));
    }

    private Reply journal(Call c) {
        long limit = c.queryLong("limit", DEFAULT_JOURNAL_LIMIT);
        if (limit < 1 || limit > MAX_JOURNAL_LIMIT) {
            throw new InvalidArgumentException("limit", "must be 1 to " + MAX_JOURNAL_LIMIT + ", was " + limit);
        }
        Optional<String> partition = c.query("partition");
        AuditLog log = db.journal();
        ArrayNode records = JsonCodec.array();
        ObjectNode out = JsonCodec.object();
        long last = -1;
        long lastHlc = -1;
        try (AuditLog.Cursor cursor = partition.isPresent()
                ? log.read(partition.get(), c.queryLong("fromSequence", 1))
                : log.readFromHlc(c.queryLong("fromHlc", 0))) {
            while (records.size() < limit && cursor.hasNext()) {
                JournalRecord jr = cursor.next();
                records.add(JsonCodec.journalNode(jr));
                last = jr.sequence();
                lastHlc = jr.hlc();
            }
        }
        out.set("records", records);
        if (partition.isPresent() && last >= 0) {
            out.put("nextFromSequence", last + 1);
        } else if (partition.isEmpty() && lastHlc >= 0) {
            out.put("lastHlc", lastHlc);
        }
        return Reply.ok(out);
    }
}
