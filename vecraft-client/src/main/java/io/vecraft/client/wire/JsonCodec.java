package io.vecraft.client.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Filter;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.JournalRecord;
import io.vecraft.api.Metric;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.RecordVersion;
import io.vecraft.api.SearchHit;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.SearchResult;
import io.vecraft.api.Session;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON wire format of the Vecraft HTTP API, shared by the server and the remote client so
 * both ends read and write one definition.
 *
 * <p>Shapes (field by field; every field not marked optional is required):
 * <ul>
 *   <li>Record: {@code {"id": string, "vector": [number...] | "vectorBase64": string,
 *       "metadata"?: {key: string|integer|number|boolean|[scalars]}, "document"?: string}}.
 *       {@code vectorBase64} is the vector as little-endian IEEE-754 float32 values, base64
 *       (RFC 4648, standard alphabet) encoded. JSON integers become {@code Long}, other numbers
 *       {@code Double}.</li>
 *   <li>CollectionSpec: {@code {"name", "dimension", "metric"?: "L2"|"COSINE"|"DOT" (L2),
 *       "index"?: {"type": "HNSW", "m"?, "efConstruction"?, "ef"?} | {"type": "EXACT"} (HNSW),
 *       "shards"?: int (0 = database default)}}.</li>
 *   <li>Filter: exactly one key per node: {@code {"eq": {"field", "value"}}}, {@code {"in":
 *       {"field", "values": [...]}}}, {@code {"range": {"field", "gt"|"gte"?, "lt"|"lte"?}}},
 *       {@code {"and": [filters]}}, {@code {"or": [filters]}}, {@code {"not": filter}},
 *       {@code {"documentContains": string}}.</li>
 *   <li>Consistency: a string {@code "EVENTUAL"|"STRONG"} or an object {@code {"level":
 *       "EVENTUAL"|"STRONG"|"BOUNDED"|"READ_YOUR_WRITES", "maxStalenessMs"?: long (BOUNDED),
 *       "sessionHlc"?: long (READ_YOUR_WRITES: the HLC of the caller's last write)}}.</li>
 *   <li>Search request: {@code {"vector"|"vectorBase64", "k", "filter"?, "consistency"?,
 *       "asOf"?: hlc, "ef"?, "includeVector"?: false, "includeMetadata"?: true,
 *       "includeDocument"?: true}}; result {@code {"hits": [{"id", "distance", "versionHlc",
 *       "vector"?, "metadata", "document"?}], "snapshotHlc"}}.</li>
 *   <li>Receipt: {@code {"partition", "sequence", "hlc", "requestId", "transactionId"}}.</li>
 * </ul>
 *
 * <p>Decoding validates through the {@code io.vecraft.api} factories, so bad input fails with
 * {@link InvalidArgumentException} naming the JSON field. Thread-safe: stateless apart from the
 * shared, thread-safe {@link ObjectMapper}.
 */
public final class JsonCodec {

    /**
     * The shared mapper (thread-safe once configured). A key given twice in one object is refused: the last
     * one would otherwise win silently (two ids, or two operators that pass the one-operator check).
     */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonCodec() {
    }

    // ------------------------------------------------------------------ parsing helpers

    /**
     * Parses a JSON document.
     *
     * @param body UTF-8 JSON
     * @return the tree
     * @throws InvalidArgumentException (field {@code body}) when the text is not JSON
     */
    public static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new InvalidArgumentException("body", "must be a JSON document, was empty");
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new InvalidArgumentException("body", "must be a JSON document, was empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidArgumentException("body", "malformed JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (java.io.IOException e) {
            throw new InvalidArgumentException("body", "unreadable: " + e.getMessage());
        }
    }

    /**
     * @param node JSON node
     * @return the node's bytes, UTF-8
     */
    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON tree did not serialise", e);
        }
    }

    /** @return a new empty JSON object */
    public static ObjectNode object() {
        return NODES.objectNode();
    }

    /** @return a new empty JSON array */
    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    private static JsonNode required(JsonNode obj, String key, String field) {
        JsonNode n = obj.get(key);
        if (n == null || n.isNull()) {
            throw new InvalidArgumentException(field, "is required");
        }
        return n;
    }

    private static ObjectNode requireObject(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            throw new InvalidArgumentException(field, "must be a JSON object, was " + kind(node));
        }
        return (ObjectNode) node;
    }

    private static String kind(JsonNode n) {
        return n == null ? "missing" : n.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param obj   JSON object
     * @param key   member name
     * @param field field path for errors
     * @return the string member
     */
    public static String text(JsonNode obj, String key, String field) {
        JsonNode n = required(obj, key, field);
        if (!n.isTextual()) {
            throw new InvalidArgumentException(field, "must be a string, was " + kind(n));
        }
        return n.textValue();
    }

    /**
     * @param obj   JSON object
     * @param key   member name
     * @param field field path for errors
     * @return the member as an int
     */
    public static int intValue(JsonNode obj, String key, String field) {
        JsonNode n = required(obj, key, field);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new InvalidArgumentException(field, "must be an integer, was " + n);
        }
        return n.intValue();
    }

    /**
     * @param obj   JSON object
     * @param key   member name
     * @param field field path for errors
     * @return the member as a long
     */
    public static long longValue(JsonNode obj, String key, String field) {
        JsonNode n = required(obj, key, field);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new InvalidArgumentException(field, "must be an integer, was " + n);
        }
        return n.longValue();
    }

    private static boolean boolValue(JsonNode obj, String key, String field, boolean dflt) {
        JsonNode n = obj.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new InvalidArgumentException(field, "must be true or false, was " + n);
        }
        return n.booleanValue();
    }

    // ------------------------------------------------------------------ vectors

    /**
     * Decodes {@code vector} (JSON array) or {@code vectorBase64} (little-endian float32).
     *
     * @param obj   the object holding the vector
     * @param field field path prefix for errors
     * @return the vector
     */
    public static float[] vector(JsonNode obj, String field) {
        JsonNode arr = obj.get("vector");
        JsonNode b64 = obj.get("vectorBase64");
        if (arr != null && !arr.isNull() && b64 != null && !b64.isNull()) {
            throw new InvalidArgumentException(field + ".vector", "give either vector or vectorBase64, not both");
        }
        if (b64 != null && !b64.isNull()) {
            if (!b64.isTextual()) {
                throw new InvalidArgumentException(field + ".vectorBase64", "must be a base64 string");
            }
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(b64.textValue());
            } catch (IllegalArgumentException e) {
                throw new InvalidArgumentException(field + ".vectorBase64", "is not valid base64: " + e.getMessage());
            }
            if (raw.length == 0 || raw.length % Float.BYTES != 0) {
                throw new InvalidArgumentException(field + ".vectorBase64",
                        "must decode to a positive multiple of 4 bytes (float32), was " + raw.length + " bytes");
            }
            float[] v = new float[raw.length / Float.BYTES];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            return v;
        }
        if (arr == null || arr.isNull()) {
            throw new InvalidArgumentException(field + ".vector", "is required (a JSON array or vectorBase64)");
        }
        if (!arr.isArray()) {
            throw new InvalidArgumentException(field + ".vector", "must be an array of numbers, was " + kind(arr));
        }
        if (arr.size() > Record.MAX_DIMENSION) {
            throw new InvalidArgumentException(field + ".vector",
                    "dimension must be 1 to " + Record.MAX_DIMENSION + ", was " + arr.size());
        }
        float[] v = new float[arr.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode e = arr.get(i);
            if (!e.isNumber()) {
                throw new InvalidArgumentException(field + ".vector[" + i + "]", "must be a number, was " + e);
            }
            v[i] = e.floatValue();
        }
        return v;
    }

    /**
     * @param v a vector
     * @return its little-endian float32 bytes in base64
     */
    public static String base64(float[] v) {
        ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(buf.array());
    }

    private static ArrayNode vectorNode(float[] v) {
        ArrayNode a = NODES.arrayNode(v.length);
        for (float f : v) {
            a.add(f);
        }
        return a;
    }

    // ------------------------------------------------------------------ scalars / metadata

    private static Object scalar(JsonNode n, String field) {
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            if (!n.canConvertToLong()) {
                throw new InvalidArgumentException(field, "integer out of the 64-bit range: " + n);
            }
            return n.longValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        throw new InvalidArgumentException(field, "must be a string, number or boolean, was " + kind(n));
    }

    private static Map<String, Object> metadata(JsonNode n, String field) {
        if (n == null || n.isNull()) {
            return Map.of();
        }
        requireObject(n, field);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            String f = field + "." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isArray()) {
                List<Object> list = new ArrayList<>(v.size());
                for (int i = 0; i < v.size(); i++) {
                    list.add(scalar(v.get(i), f + "[" + i + "]"));
                }
                out.put(e.getKey(), list);
            } else {
                out.put(e.getKey(), scalar(v, f));
            }
        }
        return out;
    }

    private static JsonNode scalarNode(Object v) {
        if (v instanceof String s) {
            return NODES.textNode(s);
        }
        if (v instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (v instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (v instanceof Integer i) {
            return NODES.numberNode(i.longValue());
        }
        if (v instanceof Double d) {
            return NODES.numberNode(d);
        }
        if (v instanceof Float f) {
            return NODES.numberNode(f.doubleValue());
        }
        if (v instanceof List<?> list) {
            ArrayNode a = NODES.arrayNode(list.size());
            for (Object o : list) {
                a.add(scalarNode(o));
            }
            return a;
        }
        return NODES.textNode(String.valueOf(v));
    }

    private static ObjectNode metadataNode(Map<String, Object> metadata) {
        ObjectNode o = NODES.objectNode();
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            o.set(e.getKey(), scalarNode(e.getValue()));
        }
        return o;
    }

    // ------------------------------------------------------------------ records

    /**
     * @param n     JSON record
     * @param field field path for errors (e.g. {@code records[3]})
     * @return the validated record
     */
    public static Record record(JsonNode n, String field) {
        requireObject(n, field);
        String id = text(n, "id", field + ".id");
        float[] vector = vector(n, field);
        Map<String, Object> metadata = metadata(n.get("metadata"), field + ".metadata");
        JsonNode doc = n.get("document");
        String document = null;
        if (doc != null && !doc.isNull()) {
            if (!doc.isTextual()) {
                throw new InvalidArgumentException(field + ".document", "must be a string, was " + kind(doc));
            }
            document = doc.textValue();
        }
        return Record.of(id, vector, metadata, document);
    }

    /**
     * @param r a record
     * @return its JSON form
     */
    public static ObjectNode recordNode(Record r) {
        ObjectNode o = NODES.objectNode();
        o.put("id", r.id());
        o.set("vector", vectorNode(r.vector()));
        o.set("metadata", metadataNode(r.metadata()));
        r.document().ifPresent(d -> o.put("document", d));
        return o;
    }

    /**
     * @param n     JSON array of records
     * @param field field path for errors
     * @return the records
     */
    public static List<Record> records(JsonNode n, String field) {
        if (n == null || !n.isArray()) {
            throw new InvalidArgumentException(field, "must be an array of records, was " + kind(n));
        }
        if (n.isEmpty()) {
            throw new InvalidArgumentException(field, "must hold at least one record");
        }
        List<Record> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            out.add(record(n.get(i), field + "[" + i + "]"));
        }
        return out;
    }

    // ------------------------------------------------------------------ specs

    /**
     * @param n JSON collection spec
     * @return the validated spec
     */
    public static CollectionSpec spec(JsonNode n) {
        requireObject(n, "collection");
        String name = text(n, "name", "collection.name");
        int dimension = intValue(n, "dimension", "collection.dimension");
        Metric metric = Metric.L2;
        JsonNode m = n.get("metric");
        if (m != null && !m.isNull()) {
            if (!m.isTextual()) {
                throw new InvalidArgumentException("collection.metric", "must be one of L2, COSINE, DOT");
            }
            try {
                metric = Metric.valueOf(m.textValue().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidArgumentException("collection.metric",
                        "must be one of L2, COSINE, DOT, was '" + m.textValue() + "'");
            }
        }
        IndexSpec index = IndexSpec.hnsw();
        JsonNode idx = n.get("index");
        if (idx != null && !idx.isNull()) {
            requireObject(idx, "collection.index");
            String type = text(idx, "type", "collection.index.type").toUpperCase(Locale.ROOT);
            if (type.equals("EXACT")) {
                index = IndexSpec.exact();
            } else if (type.equals("HNSW")) {
                int mm = idx.has("m") ? intValue(idx, "m", "collection.index.m") : IndexSpec.DEFAULT_M;
                int efc = idx.has("efConstruction") ? intValue(idx, "efConstruction", "collection.index.efConstruction")
                        : IndexSpec.DEFAULT_EF_CONSTRUCTION;
                int ef = idx.has("ef") ? intValue(idx, "ef", "collection.index.ef") : IndexSpec.DEFAULT_EF;
                index = IndexSpec.hnsw(mm, efc, ef);
            } else {
                throw new InvalidArgumentException("collection.index.type", "must be HNSW or EXACT, was '" + type + "'");
            }
        }
        int shards = n.has("shards") && !n.get("shards").isNull() ? intValue(n, "shards", "collection.shards") : 0;
        return new CollectionSpec(name, dimension, metric, index, shards);
    }

    /**
     * @param s a spec
     * @return its JSON form
     */
    public static ObjectNode specNode(CollectionSpec s) {
        ObjectNode o = NODES.objectNode();
        o.put("name", s.name());
        o.put("dimension", s.dimension());
        o.put("metric", s.metric().name());
        ObjectNode idx = o.putObject("index");
        if (s.index() instanceof IndexSpec.Hnsw h) {
            idx.put("type", "HNSW");
            idx.put("m", h.m());
            idx.put("efConstruction", h.efConstruction());
            idx.put("ef", h.ef());
        } else {
            idx.put("type", "EXACT");
        }
        o.put("shards", s.shards());
        return o;
    }

    // ------------------------------------------------------------------ filters

    /**
     * @param n     JSON filter
     * @param field field path for errors
     * @return the filter
     */
    public static Filter filter(JsonNode n, String field) {
        requireObject(n, field);
        if (n.size() != 1) {
            throw new InvalidArgumentException(field,
                    "must have exactly one of eq, in, range, and, or, not, documentContains; had " + n.size() + " keys");
        }
        Map.Entry<String, JsonNode> e = n.properties().iterator().next();
        String op = e.getKey();
        JsonNode arg = e.getValue();
        String f = field + "." + op;
        switch (op) {
            case "eq" -> {
                requireObject(arg, f);
                return Filter.eq(text(arg, "field", f + ".field"), scalar(required(arg, "value", f + ".value"), f + ".value"));
            }
            case "in" -> {
                requireObject(arg, f);
                JsonNode vals = required(arg, "values", f + ".values");
                if (!vals.isArray()) {
                    throw new InvalidArgumentException(f + ".values", "must be an array");
                }
                List<Object> list = new ArrayList<>(vals.size());
                for (int i = 0; i < vals.size(); i++) {
                    list.add(scalar(vals.get(i), f + ".values[" + i + "]"));
                }
                return Filter.in(text(arg, "field", f + ".field"), list);
            }
            case "range" -> {
                requireObject(arg, f);
                String name = text(arg, "field", f + ".field");
                if (arg.has("gt") && arg.has("gte") || arg.has("lt") && arg.has("lte")) {
                    throw new InvalidArgumentException(f, "give at most one of gt/gte and one of lt/lte");
                }
                Number lower = null;
                boolean lowerIncl = false;
                Number upper = null;
                boolean upperIncl = false;
                if (arg.has("gt")) {
                    lower = number(arg.get("gt"), f + ".gt");
                } else if (arg.has("gte")) {
                    lower = number(arg.get("gte"), f + ".gte");
                    lowerIncl = true;
                }
                if (arg.has("lt")) {
                    upper = number(arg.get("lt"), f + ".lt");
                } else if (arg.has("lte")) {
                    upper = number(arg.get("lte"), f + ".lte");
                    upperIncl = true;
                }
                return new Filter.Range(name, lower, lowerIncl, upper, upperIncl);
            }
            case "and", "or" -> {
                if (!arg.isArray() || arg.isEmpty()) {
                    throw new InvalidArgumentException(f, "must be a non-empty array of filters");
                }
                Filter[] parts = new Filter[arg.size()];
                for (int i = 0; i < parts.length; i++) {
                    parts[i] = filter(arg.get(i), f + "[" + i + "]");
                }
                return op.equals("and") ? Filter.and(parts) : Filter.or(parts);
            }
            case "not" -> {
                return Filter.not(filter(arg, f));
            }
            case "documentContains" -> {
                if (!arg.isTextual()) {
                    throw new InvalidArgumentException(f, "must be a string");
                }
                return Filter.documentContains(arg.textValue());
            }
            default -> throw new InvalidArgumentException(field,
                    "unknown operator '" + op + "'; use eq, in, range, and, or, not, documentContains");
        }
    }

    private static Number number(JsonNode n, String field) {
        if (n == null || !n.isNumber()) {
            throw new InvalidArgumentException(field, "must be a number, was " + kind(n));
        }
        if (n.isIntegralNumber()) {
            if (!n.canConvertToLong()) {
                throw new InvalidArgumentException(field, "must fit in a 64-bit integer, was " + n.asText());
            }
            return n.longValue();
        }
        double d = n.doubleValue();
        if (!Double.isFinite(d)) {
            throw new InvalidArgumentException(field, "must be a finite number, was " + n.asText());
        }
        return d;
    }

    /**
     * @param f a filter
     * @return its JSON form
     */
    public static ObjectNode filterNode(Filter f) {
        ObjectNode o = NODES.objectNode();
        if (f instanceof Filter.Eq eq) {
            ObjectNode a = o.putObject("eq");
            a.put("field", eq.field());
            a.set("value", scalarNode(eq.value()));
        } else if (f instanceof Filter.In in) {
            ObjectNode a = o.putObject("in");
            a.put("field", in.field());
            a.set("values", scalarNode(in.values()));
        } else if (f instanceof Filter.Range r) {
            ObjectNode a = o.putObject("range");
            a.put("field", r.field());
            if (r.lower() != null) {
                a.set(r.lowerInclusive() ? "gte" : "gt", scalarNode(r.lower()));
            }
            if (r.upper() != null) {
                a.set(r.upperInclusive() ? "lte" : "lt", scalarNode(r.upper()));
            }
        } else if (f instanceof Filter.And and) {
            ArrayNode a = o.putArray("and");
            and.filters().forEach(x -> a.add(filterNode(x)));
        } else if (f instanceof Filter.Or or) {
            ArrayNode a = o.putArray("or");
            or.filters().forEach(x -> a.add(filterNode(x)));
        } else if (f instanceof Filter.Not not) {
            o.set("not", filterNode(not.filter()));
        } else if (f instanceof Filter.DocumentContains dc) {
            o.put("documentContains", dc.text());
        } else {
            throw new IllegalArgumentException("unknown filter " + f);
        }
        return o;
    }

    // ------------------------------------------------------------------ consistency

    /**
     * Decodes a consistency level.
     *
     * @param level          {@code EVENTUAL}, {@code STRONG}, {@code BOUNDED} or {@code READ_YOUR_WRITES}
     * @param maxStalenessMs for BOUNDED (required there)
     * @param sessionHlc     for READ_YOUR_WRITES: the HLC of the caller's last write (0 = none)
     * @param field          field path for errors
     * @return the level
     */
    public static Consistency consistency(String level, Long maxStalenessMs, long sessionHlc, String field) {
        switch (level.trim().toUpperCase(Locale.ROOT)) {
            case "EVENTUAL":
                return Consistency.EVENTUAL;
            case "STRONG":
                return Consistency.STRONG;
            case "BOUNDED":
                if (maxStalenessMs == null) {
                    throw new InvalidArgumentException(field + ".maxStalenessMs",
                            "is required for BOUNDED (milliseconds, 0 to " + Consistency.Bounded.MAX_STALENESS.toMillis() + ")");
                }
                if (maxStalenessMs < 0 || maxStalenessMs > Consistency.Bounded.MAX_STALENESS.toMillis()) {
                    throw new InvalidArgumentException(field + ".maxStalenessMs", "must be 0 to "
                            + Consistency.Bounded.MAX_STALENESS.toMillis() + ", was " + maxStalenessMs);
                }
                return Consistency.bounded(Duration.ofMillis(maxStalenessMs));
            case "READ_YOUR_WRITES":
                Session s = new Session();
                if (sessionHlc > 0) {
                    s.observeHlc(sessionHlc);
                }
                return Consistency.readYourWrites(s);
            default:
                throw new InvalidArgumentException(field + ".level",
                        "must be EVENTUAL, STRONG, BOUNDED or READ_YOUR_WRITES, was '" + level + "'");
        }
    }

    /**
     * @param n     a string or an object {@code {"level", "maxStalenessMs"?, "sessionHlc"?}}
     * @param field field path for errors
     * @return the level
     */
    public static Consistency consistency(JsonNode n, String field) {
        if (n.isTextual()) {
            return consistency(n.textValue(), null, 0, field);
        }
        requireObject(n, field);
        String level = text(n, "level", field + ".level");
        Long staleness = n.has("maxStalenessMs") ? longValue(n, "maxStalenessMs", field + ".maxStalenessMs") : null;
        long sessionHlc = n.has("sessionHlc") ? longValue(n, "sessionHlc", field + ".sessionHlc") : 0;
        return consistency(level, staleness, sessionHlc, field);
    }

    /**
     * @param c a level
     * @return its JSON object form
     */
    public static ObjectNode consistencyNode(Consistency c) {
        ObjectNode o = NODES.objectNode();
        if (c instanceof Consistency.Eventual) {
            o.put("level", "EVENTUAL");
        } else if (c instanceof Consistency.Strong) {
            o.put("level", "STRONG");
        } else if (c instanceof Consistency.Bounded b) {
            o.put("level", "BOUNDED");
            o.put("maxStalenessMs", b.maxStaleness().toMillis());
        } else if (c instanceof Consistency.ReadYourWrites r) {
            o.put("level", "READ_YOUR_WRITES");
            o.put("sessionHlc", r.session().lastWriteHlc());
        }
        return o;
    }

    // ------------------------------------------------------------------ search

    /**
     * @param n              JSON search request
     * @param defaultConsistency used when the body has none (e.g. from a header); may be null
     * @return the request
     */
    public static SearchRequest searchRequest(JsonNode n, Consistency defaultConsistency) {
        requireObject(n, "search");
        float[] vector = vector(n, "search");
        int k = intValue(n, "k", "search.k");
        SearchRequest r = SearchRequest.of(vector, k);
        JsonNode filter = n.get("filter");
        if (filter != null && !filter.isNull()) {
            r = r.withFilter(filter(filter, "search.filter"));
        }
        JsonNode c = n.get("consistency");
        if (c != null && !c.isNull()) {
            r = r.withConsistency(consistency(c, "search.consistency"));
        } else if (defaultConsistency != null) {
            r = r.withConsistency(defaultConsistency);
        }
        if (n.has("asOf") && !n.get("asOf").isNull()) {
            r = r.asOf(longValue(n, "asOf", "search.asOf"));
        }
        if (n.has("ef") && !n.get("ef").isNull()) {
            r = r.withEf(intValue(n, "ef", "search.ef"));
        }
        return r.includeVector(boolValue(n, "includeVector", "search.includeVector", false))
                .includeMetadata(boolValue(n, "includeMetadata", "search.includeMetadata", true))
                .includeDocument(boolValue(n, "includeDocument", "search.includeDocument", true));
    }

    /**
     * @param r a request
     * @return its JSON form (the vector as base64)
     */
    public static ObjectNode searchRequestNode(SearchRequest r) {
        ObjectNode o = NODES.objectNode();
        o.put("vectorBase64", base64(r.vector()));
        o.put("k", r.k());
        r.filter().ifPresent(f -> o.set("filter", filterNode(f)));
        r.consistency().ifPresent(c -> o.set("consistency", consistencyNode(c)));
        r.asOfHlc().ifPresent(t -> o.put("asOf", t));
        r.ef().ifPresent(ef -> o.put("ef", ef));
        o.put("includeVector", r.includeVector());
        o.put("includeMetadata", r.includeMetadata());
        o.put("includeDocument", r.includeDocument());
        return o;
    }

    /**
     * @param result a result
     * @return its JSON form
     */
    public static ObjectNode searchResultNode(SearchResult result) {
        ObjectNode o = NODES.objectNode();
        ArrayNode hits = o.putArray("hits");
        for (SearchHit h : result.hits()) {
            ObjectNode hn = hits.addObject();
            hn.put("id", h.id());
            hn.put("distance", h.distance());
            hn.put("versionHlc", h.versionHlc());
            h.vector().ifPresent(v -> hn.set("vector", vectorNode(v)));
            hn.set("metadata", metadataNode(h.metadata()));
            h.document().ifPresent(d -> hn.put("document", d));
        }
        o.put("snapshotHlc", result.snapshotHlc());
        return o;
    }

    /**
     * @param n JSON search result
     * @return the result
     */
    public static SearchResult searchResult(JsonNode n) {
        List<SearchHit> hits = new ArrayList<>();
        for (JsonNode h : n.get("hits")) {
            Optional<float[]> v = h.has("vector") ? Optional.of(vector(h, "hit")) : Optional.empty();
            Optional<String> doc = h.has("document") ? Optional.of(h.get("document").textValue()) : Optional.empty();
            hits.add(new SearchHit(h.get("id").textValue(), h.get("distance").floatValue(),
                    h.get("versionHlc").longValue(), v, Map.copyOf(metadata(h.get("metadata"), "hit.metadata")), doc));
        }
        return new SearchResult(hits, n.get("snapshotHlc").longValue());
    }

    // ------------------------------------------------------------------ receipts, versions, journal

    /**
     * @param r a receipt
     * @return its JSON form
     */
    public static ObjectNode receiptNode(Receipt r) {
        ObjectNode o = NODES.objectNode();
        o.put("partition", r.partition());
        o.put("sequence", r.sequence());
        o.put("hlc", r.hlc());
        o.put("requestId", r.requestId());
        o.put("transactionId", r.transactionId());
        return o;
    }

    /**
     * @param n JSON receipt
     * @return the receipt
     */
    public static Receipt receipt(JsonNode n) {
        return new Receipt(n.get("partition").textValue(), n.get("sequence").longValue(), n.get("hlc").longValue(),
                n.path("requestId").asText(null), n.get("transactionId").longValue());
    }

    /**
     * @param v a record version
     * @return its JSON form ({@code supersededHlc} null while current)
     */
    public static ObjectNode versionNode(RecordVersion v) {
        ObjectNode o = NODES.objectNode();
        o.put("id", v.id());
        o.put("operation", v.operation().name());
        o.put("hlc", v.hlc());
        o.put("partition", v.partition());
        o.put("sequence", v.sequence());
        o.put("requestId", v.requestId());
        o.put("transactionId", v.transactionId());
        v.record().ifPresent(r -> o.set("record", recordNode(r)));
        if (v.supersededHlc() == Long.MAX_VALUE) {
            o.putNull("supersededHlc");
        } else {
            o.put("supersededHlc", v.supersededHlc());
        }
        return o;
    }

    /**
     * @param n JSON record version
     * @return the version
     */
    public static RecordVersion version(JsonNode n) {
        Optional<Record> rec = n.hasNonNull("record") ? Optional.of(record(n.get("record"), "record")) : Optional.empty();
        JsonNode sup = n.get("supersededHlc");
        return new RecordVersion(n.get("id").textValue(), RecordVersion.Operation.valueOf(n.get("operation").textValue()),
                n.get("hlc").longValue(), n.get("partition").textValue(), n.get("sequence").longValue(),
                n.path("requestId").asText(null), n.get("transactionId").longValue(), rec,
                sup == null || sup.isNull() ? Long.MAX_VALUE : sup.longValue());
    }

    /**
     * Health: {@code {"status":"UP|DEGRADED|DOWN","live":b,"ready":b,"reasons":[..],
     * "shards":[{"name":s,"safeTime":hlc,"lagMs":n,"failed":b}]}}.
     *
     * @param h the health
     * @return its JSON
     */
    public static ObjectNode healthNode(io.vecraft.api.Health h) {
        ObjectNode o = object();
        o.put("status", h.status().name());
        o.put("live", h.live());
        o.put("ready", h.ready());
        ArrayNode reasons = o.putArray("reasons");
        h.reasons().forEach(reasons::add);
        ArrayNode shards = o.putArray("shards");
        for (io.vecraft.api.Health.ShardHealth s : h.shards()) {
            ObjectNode n = shards.addObject();
            n.put("name", s.name());
            n.put("safeTime", s.safeTime());
            n.put("lagMs", s.lag().toMillis());
            n.put("failed", s.failed());
        }
        return o;
    }

    /**
     * @param n JSON written by {@link #healthNode}
     * @return the health
     */
    public static io.vecraft.api.Health health(JsonNode n) {
        java.util.List<String> reasons = new java.util.ArrayList<>();
        n.path("reasons").forEach(r -> reasons.add(r.asText()));
        java.util.List<io.vecraft.api.Health.ShardHealth> shards = new java.util.ArrayList<>();
        for (JsonNode s : n.path("shards")) {
            shards.add(new io.vecraft.api.Health.ShardHealth(text(s, "name", "shards.name"),
                    longValue(s, "safeTime", "shards.safeTime"),
                    java.time.Duration.ofMillis(longValue(s, "lagMs", "shards.lagMs")), s.path("failed").asBoolean()));
        }
        return new io.vecraft.api.Health(io.vecraft.api.Health.Status.valueOf(text(n, "status", "status")),
                n.path("live").asBoolean(), n.path("ready").asBoolean(), reasons, shards);
    }

    /**
     * @param r a journal record
     * @return its JSON form
     */
    public static ObjectNode journalNode(JournalRecord r) {
        ObjectNode o = NODES.objectNode();
        o.put("partition", r.partition());
        o.put("sequence", r.sequence());
        o.put("hlc", r.hlc());
        o.put("requestId", r.requestId());
        o.put("transactionId", r.transactionId());
        ArrayNode ops = o.putArray("operations");
        for (JournalRecord.Operation op : r.operations()) {
            ObjectNode on = ops.addObject();
            if (op instanceof JournalRecord.Upsert u) {
                on.put("op", "upsert");
                on.put("collection", u.collection());
                on.set("record", recordNode(u.record()));
            } else if (op instanceof JournalRecord.Delete d) {
                on.put("op", "delete");
                on.put("collection", d.collection());
                on.put("id", d.id());
            } else if (op instanceof JournalRecord.CreateCollection c) {
                on.put("op", "createCollection");
                on.set("spec", specNode(c.spec()));
            } else if (op instanceof JournalRecord.DropCollection d) {
                on.put("op", "dropCollection");
                on.put("name", d.name());
            }
        }
        return o;
    }

    /**
     * @param n JSON journal record
     * @return the record
     */
    public static JournalRecord journalRecord(JsonNode n) {
        List<JournalRecord.Operation> ops = new ArrayList<>();
        for (JsonNode on : n.get("operations")) {
            switch (on.get("op").textValue()) {
                case "upsert" -> ops.add(new JournalRecord.Upsert(on.get("collection").textValue(),
                        record(on.get("record"), "record")));
                case "delete" -> ops.add(new JournalRecord.Delete(on.get("collection").textValue(), on.get("id").textValue()));
                case "createCollection" -> ops.add(new JournalRecord.CreateCollection(spec(on.get("spec"))));
                case "dropCollection" -> ops.add(new JournalRecord.DropCollection(on.get("name").textValue()));
                default -> throw new InvalidArgumentException("operations.op", "unknown " + on.get("op"));
            }
        }
        return new JournalRecord(n.get("partition").textValue(), n.get("sequence").longValue(), n.get("hlc").longValue(),
                n.path("requestId").asText(null), n.get("transactionId").longValue(), ops);
    }
}
