package io.vecraft.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vecraft.api.AckLevel;
import io.vecraft.api.AuditLog;
import io.vecraft.api.ClusterConfig;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.JournalRecord;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.RecordVersion;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.SearchResult;
import io.vecraft.api.Transaction;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftConfig;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.api.WriteOptions;
import io.vecraft.client.wire.JsonCodec;
import io.vecraft.client.wire.Problem;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * A remote Vecraft database reached through the server's HTTP/JSON API, with the same API shape as
 * the embedded one: {@link Vecraft} and {@link Collection}. Exceptions are the ones the embedded
 * database throws, rebuilt from the server's problem details ({@link Problem#toException()});
 * authentication failures are {@link Problem.AccessDeniedException}, transport failures
 * {@link VecraftIOException}, client-side timeouts {@link VecraftTimeoutException}.
 *
 * <p>Mapping of options: a write's request id travels as {@code X-Request-Id}, its ack level as
 * {@code X-Ack-Level}, and its session observes the returned receipt locally;
 * {@code readYourWrites(session)} sends the session's last write HLC ({@code X-Session-Hlc}), so
 * read-your-writes works across a stateless server.
 *
 * <p>Thread-safe: one client may be shared by any number of threads (java.net.http is).
 * {@link #close()} is idempotent; use after close throws {@link VecraftClosedException}.
 */
public final class VecraftClient implements Vecraft {

    /** Default per-request timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final String apiKey;
    private final HttpClient http;
    private final Duration timeout;
    private volatile boolean closed;

    private VecraftClient(Builder b) {
        this.base = b.base;
        this.apiKey = b.apiKey;
        this.timeout = b.timeout;
        HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(b.timeout).version(HttpClient.Version.HTTP_1_1);
        if (b.sslContext != null) {
            hb.sslContext(b.sslContext);
        }
        this.http = hb.build();
    }

    /**
     * @param baseUri the server, e.g. {@code http://127.0.0.1:8080}
     * @return a builder
     */
    public static Builder builder(URI baseUri) {
        return new Builder(baseUri);
    }

    /**
     * @param baseUri the server
     * @param apiKey  the API key (null when the server runs without authentication)
     * @return a client with default settings
     */
    public static VecraftClient connect(URI baseUri, String apiKey) {
        return builder(baseUri).withApiKey(apiKey).build();
    }

    /** Builder of {@link VecraftClient}; not thread-safe. */
    public static final class Builder {
        private final URI base;
        private String apiKey;
        private SSLContext sslContext;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder(URI base) {
            Objects.requireNonNull(base, "baseUri");
            String s = base.toString();
            this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        }

        /** @param key API key @return this */
        public Builder withApiKey(String key) {
            this.apiKey = key;
            return this;
        }

        /** @param ctx TLS context trusting the server's certificate @return this */
        public Builder withSslContext(SSLContext ctx) {
            this.sslContext = ctx;
            return this;
        }

        /** @param timeout per-request timeout @return this */
        public Builder withTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new InvalidArgumentException("timeout", "must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        /** @return the client */
        public VecraftClient build() {
            return new VecraftClient(this);
        }
    }

    // ------------------------------------------------------------------ transport

    /** A response body as JSON (null for 204) and its receipt-related headers. */
    private record Answer(int status, JsonNode json) {
    }

    Answer send(String method, String path, JsonNode body, List<String> headers) {
        if (closed) {
            throw new VecraftClosedException("client for " + base);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(JsonCodec.bytes(body)))
                .header("Accept", "application/json");
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        for (int i = 0; i < headers.size(); i += 2) {
            b.header(headers.get(i), headers.get(i + 1));
        }
        HttpResponse<byte[]> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new VecraftTimeoutException(method + " " + base + path + " timed out after " + timeout);
        } catch (IOException e) {
            throw new VecraftIOException(method + " " + base + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecraftException("interrupted during " + method + " " + path, e);
        }
        int status = r.statusCode();
        byte[] bytes = r.body();
        if (status >= 200 && status < 300) {
            return new Answer(status, bytes.length == 0 ? null : JsonCodec.parse(bytes));
        }
        String ct = r.headers().firstValue("Content-Type").orElse("");
        if (ct.contains("json") && bytes.length > 0) {
            JsonNode n;
            try {
                n = JsonCodec.parse(bytes);
            } catch (InvalidArgumentException e) {
                throw new VecraftException("HTTP " + status + " from " + method + " " + path + " with unreadable body");
            }
            throw Problem.fromJson(n, status).toException();
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        throw new VecraftException("HTTP " + status + " from " + method + " " + path + ": "
                + text.substring(0, Math.min(200, text.length())));
    }

    private Answer send(String method, String path, JsonNode body) {
        return send(method, path, body, List.of());
    }

    static String seg(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }

    static List<String> writeHeaders(WriteOptions o) {
        List<String> h = new ArrayList<>(4);
        o.requestId().ifPresent(id -> {
            h.add("X-Request-Id");
            h.add(id);
        });
        o.ackLevel().ifPresent(a -> {
            h.add("X-Ack-Level");
            h.add(a.name());
        });
        return h;
    }

    static List<String> readHeaders(ReadOptions o) {
        List<String> h = new ArrayList<>(6);
        o.consistency().ifPresent(c -> {
            ObjectNode n = JsonCodec.consistencyNode(c);
            h.add("X-Consistency-Level");
            h.add(n.get("level").asText());
            if (n.has("maxStalenessMs")) {
                h.add("X-Max-Staleness-Ms");
                h.add(n.get("maxStalenessMs").asText());
            }
            if (n.has("sessionHlc")) {
                h.add("X-Session-Hlc");
                h.add(n.get("sessionHlc").asText());
            }
        });
        return h;
    }

    static Receipt observe(Receipt r, WriteOptions o) {
        o.session().ifPresent(s -> s.observe(r));
        return r;
    }

    // ------------------------------------------------------------------ Vecraft

    /** The server database's health ({@code GET /v1/health}). */
    @Override
    public io.vecraft.api.Health health() {
        return JsonCodec.health(send("GET", "/v1/health", null).json());
    }

    /**
     * The server's database settings as far as the server reports them ({@code GET /v1/info});
     * {@code directory} is the server-side path.
     */
    @Override
    public VecraftConfig config() {
        JsonNode n = send("GET", "/v1/info", null).json();
        VecraftConfig.Builder b = VecraftConfig.builder(Path.of(n.get("directory").asText()))
                .withAckLevel(AckLevel.valueOf(n.get("ackLevel").asText()))
                .withDataPartitions(n.get("dataPartitions").asInt())
                .withDefaultShards(n.get("defaultShards").asInt())
                .withWaitTimeout(Duration.ofMillis(n.get("waitTimeoutMs").asLong()))
                .withVersionRetention(Duration.ofMillis(n.get("versionRetentionMs").asLong()))
                .withDurability(durability(n.get("durability").asText()));
        Consistency c = JsonCodec.consistency(n.get("defaultConsistency"), "defaultConsistency");
        if (!(c instanceof Consistency.ReadYourWrites)) {
            b.withDefaultConsistency(c);
        }
        String cluster = n.get("cluster").asText();
        if (!cluster.equals("embedded")) {
            b.withCluster(ClusterConfig.of(cluster));
        }
        return b.build();
    }

    private static Durability durability(String s) {
        if (s.startsWith("BATCH(")) {
            return Durability.batch(Duration.ofMillis(Long.parseLong(s.substring(6, s.indexOf("ms")))));
        }
        return s.equals("ASYNC") ? Durability.ASYNC : Durability.SYNC;
    }

    @Override
    public Collection createCollection(CollectionSpec spec) {
        if (spec == null) {
            throw new InvalidArgumentException("spec", "must not be null");
        }
        JsonNode n = send("POST", "/v1/collections", JsonCodec.specNode(spec)).json();
        return new RemoteCollection(this, JsonCodec.spec(n));
    }

    @Override
    public void dropCollection(String name) {
        send("DELETE", "/v1/collections/" + seg(Objects.requireNonNull(name, "name")), null);
    }

    @Override
    public List<CollectionSpec> listCollections() {
        List<CollectionSpec> out = new ArrayList<>();
        for (JsonNode s : send("GET", "/v1/collections", null).json().get("collections")) {
            out.add(JsonCodec.spec(s));
        }
        return List.copyOf(out);
    }

    @Override
    public Collection collection(String name) {
        return findCollection(name).orElseThrow(() -> new NotFoundException("collection", String.valueOf(name)));
    }

    @Override
    public Optional<Collection> findCollection(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode n = send("GET", "/v1/collections/" + seg(name), null).json();
            ((ObjectNode) n).remove("count");
            return Optional.of(new RemoteCollection(this, JsonCodec.spec(n)));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public Receipt transaction(Consumer<Transaction> body, WriteOptions options) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(options, "options");
        ArrayNode ops = JsonCodec.array();
        Transaction tx = new Transaction() {
            @Override
            public Transaction upsert(String collection, Record record) {
                ObjectNode op = ops.addObject();
                op.put("op", "upsert");
                op.put("collection", Objects.requireNonNull(collection, "collection"));
                op.set("record", JsonCodec.recordNode(Objects.requireNonNull(record, "record")));
                return this;
            }

            @Override
            public Transaction delete(String collection, String id) {
                ObjectNode op = ops.addObject();
                op.put("op", "delete");
                op.put("collection", Objects.requireNonNull(collection, "collection"));
                op.put("id", Record.checkId(id));
                return this;
            }

            @Override
            public int size() {
                return ops.size();
            }
        };
        body.accept(tx);
        if (ops.isEmpty()) {
            throw new InvalidArgumentException("transaction", "must hold at least one operation");
        }
        ObjectNode req = JsonCodec.object();
        req.set("operations", ops);
        return observe(JsonCodec.receipt(send("POST", "/v1/transactions", req, writeHeaders(options)).json()), options);
    }

    @Override
    public long now() {
        return send("GET", "/v1/clock", null).json().get("hlc").asLong();
    }

    @Override
    public AuditLog journal() {
        return new RemoteAuditLog();
    }

    @Override
    public void checkpoint() {
        send("POST", "/v1/checkpoint", null);
    }

    /** Marks the client closed; the server and its database keep running. Idempotent. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "VecraftClient[" + base + "]";
    }

    // ------------------------------------------------------------------ collection

    /** A collection on the server. Thread-safe (immutable; calls go through the client). */
    static final class RemoteCollection implements Collection {
        private final VecraftClient client;
        private final CollectionSpec spec;
        private final String path;

        RemoteCollection(VecraftClient client, CollectionSpec spec) {
            this.client = client;
            this.spec = spec;
            this.path = "/v1/collections/" + seg(spec.name());
        }

        @Override
        public String name() {
            return spec.name();
        }

        @Override
        public CollectionSpec spec() {
            return spec;
        }

        @Override
        public Receipt upsert(Record record, WriteOptions options) {
            return upsert(List.of(Objects.requireNonNull(record, "record")), options);
        }

        @Override
        public Receipt upsert(List<Record> records, WriteOptions options) {
            if (records == null || records.isEmpty()) {
                throw new InvalidArgumentException("records", "must hold at least one record");
            }
            ObjectNode body = JsonCodec.object();
            ArrayNode a = body.putArray("records");
            for (Record r : records) {
                ObjectNode rn = JsonCodec.recordNode(r);
                rn.remove("vector");
                rn.put("vectorBase64", JsonCodec.base64(r.vector()));
                a.add(rn);
            }
            return observe(JsonCodec.receipt(client.send("POST", path + "/records", body, writeHeaders(options)).json()),
                    options);
        }

        @Override
        public Optional<Record> get(String id, ReadOptions options) {
            String q = options.asOfHlc().isPresent() ? "?asOf=" + options.asOfHlc().getAsLong() : "";
            try {
                JsonNode n = client.send("GET", path + "/records/" + seg(Record.checkId(id)) + q, null,
                        readHeaders(options)).json();
                return Optional.of(JsonCodec.record(n, "record"));
            } catch (NotFoundException e) {
                if (e.kind().equals("record")) {
                    return Optional.empty();
                }
                throw e;
            }
        }

        @Override
        public Receipt delete(List<String> ids, WriteOptions options) {
            if (ids == null || ids.isEmpty()) {
                throw new InvalidArgumentException("ids", "must hold at least one id");
            }
            ObjectNode body = JsonCodec.object();
            ArrayNode a = body.putArray("ids");
            ids.forEach(id -> a.add(Record.checkId(id)));
            return observe(JsonCodec.receipt(client.send("POST", path + "/delete", body, writeHeaders(options)).json()),
                    options);
        }

        @Override
        public SearchResult search(SearchRequest request) {
            Objects.requireNonNull(request, "request");
            return JsonCodec.searchResult(client.send("POST", path + "/search", JsonCodec.searchRequestNode(request)).json());
        }

        @Override
        public long count(ReadOptions options) {
            String q = options.asOfHlc().isPresent() ? "?asOf=" + options.asOfHlc().getAsLong() : "";
            return client.send("GET", path + "/count" + q, null, readHeaders(options)).json().get("count").asLong();
        }

        @Override
        public List<RecordVersion> history(String id) {
            List<RecordVersion> out = new ArrayList<>();
            for (JsonNode v : client.send("GET", path + "/records/" + seg(Record.checkId(id)) + "/history", null)
                    .json().get("versions")) {
                out.add(JsonCodec.version(v));
            }
            return List.copyOf(out);
        }

        @Override
        public String toString() {
            return "RemoteCollection[" + spec.name() + " @ " + client.base + "]";
        }
    }

    // ------------------------------------------------------------------ audit log

    /** The journal over {@code GET /v1/journal}, fetched a page at a time. Thread-safe. */
    final class RemoteAuditLog implements AuditLog {
        private static final int PAGE = 500;

        @Override
        public List<String> partitions() {
            List<String> out = new ArrayList<>();
            send("GET", "/v1/journal/partitions", null).json().get("partitions").forEach(p -> out.add(p.asText()));
            return List.copyOf(out);
        }

        @Override
        public Cursor read(String partition, long fromSequence) {
            return new PagedCursor(partition, fromSequence);
        }

        @Override
        public Cursor readFromHlc(long fromHlc) {
            return new PagedCursor(null, fromHlc);
        }

        /** Pages until the server returns an empty page. Not thread-safe (one reader). */
        private final class PagedCursor implements Cursor {
            private final String partition;
            private long from;
            private final ArrayDeque<JournalRecord> buffer = new ArrayDeque<>();
            private boolean exhausted;
            private boolean cursorClosed;

            PagedCursor(String partition, long from) {
                this.partition = partition;
                this.from = from;
                if (partition != null) {
                    fill(); // surfaces NotFoundException for an unknown partition now, as the embedded log does
                }
            }

            private void fill() {
                if (exhausted || !buffer.isEmpty()) {
                    return;
                }
                String q = partition != null
                        ? "?partition=" + seg(partition) + "&fromSequence=" + from + "&limit=" + PAGE
                        : "?fromHlc=" + from + "&limit=" + PAGE;
                JsonNode n = send("GET", "/v1/journal" + q, null).json();
                for (JsonNode r : n.get("records")) {
                    JournalRecord jr = JsonCodec.journalRecord(r);
                    buffer.add(jr);
                    from = partition != null ? jr.sequence() + 1 : jr.hlc() + 1;
                }
                if (n.get("records").size() < PAGE) {
                    exhausted = true;
                }
            }

            @Override
            public boolean hasNext() {
                if (cursorClosed) {
                    return false;
                }
                fill();
                return !buffer.isEmpty();
            }

            @Override
            public JournalRecord next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return buffer.poll();
            }

            @Override
            public void close() {
                cursorClosed = true;
                buffer.clear();
            }
        }
    }
}
