package io.vecraft.client.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.vecraft.api.AlreadyExistsException;
import io.vecraft.api.CapacityException;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Filter;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.JournalRecord;
import io.vecraft.api.Metric;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.Record;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

/** The wire codec: decode(encode(x)) == x for seeded random values, and errors name the field. */
class JsonCodecTest {

    static final long SEED = Long.getLong("vecraft.seed", System.nanoTime());

    static JsonNode reparse(JsonNode n) {
        return JsonCodec.parse(JsonCodec.bytes(n));
    }

    static Record randomRecord(RandomGenerator rnd, int i) {
        float[] v = new float[1 + rnd.nextInt(16)];
        for (int j = 0; j < v.length; j++) {
            v[j] = (float) rnd.nextGaussian();
        }
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("s", "text-" + rnd.nextInt(100) + "\u00e9\u4e2d");
        md.put("l", rnd.nextLong());
        md.put("d", rnd.nextDouble() * 1e6);
        md.put("b", rnd.nextBoolean());
        md.put("list", List.of("a", (long) rnd.nextInt(), 0.25));
        return Record.of("id/" + i + " \u00fc", v, md, rnd.nextBoolean() ? "doc " + i : null);
    }

    @Test
    void recordsRoundTripThroughJson() {
        RandomGenerator rnd = RandomGeneratorFactory.of("L64X128MixRandom").create(SEED);
        for (int i = 0; i < 200; i++) {
            Record r = randomRecord(rnd, i);
            assertEquals(r, JsonCodec.record(reparse(JsonCodec.recordNode(r)), "record"), "seed " + SEED + " (replay with -Dvecraft.seed)");
        }
    }

    @Test
    void base64VectorsAreLittleEndianFloat32() {
        float[] v = {1.0f, -2.5f, Float.MIN_VALUE, 3.4e38f};
        String b64 = JsonCodec.base64(v);
        byte[] raw = java.util.Base64.getDecoder().decode(b64);
        assertEquals(0x00, raw[0]);
        assertEquals((byte) 0x80, raw[2]);
        assertEquals(0x3f, raw[3], "1.0f = 0x3f800000, little-endian");
        JsonNode n = JsonCodec.parse(("{\"vectorBase64\":\"" + b64 + "\"}").getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(v, JsonCodec.vector(n, "x"));
    }

    @Test
    void searchRequestsAndFiltersRoundTrip() {
        Filter f = Filter.and(Filter.eq("lang", "en"), Filter.or(Filter.in("year", 2019, 2020), Filter.between("score", 0.5, 2)),
                Filter.not(Filter.documentContains("draft")), Filter.lt("n", 3), Filter.gt("m", 1.5));
        assertEquals(f, JsonCodec.filter(reparse(JsonCodec.filterNode(f)), "filter"));
        SearchRequest r = SearchRequest.of(new float[] {1, 2, 3}, 7).withFilter(f).withEf(99).asOf(12345)
                .withConsistency(Consistency.bounded(Duration.ofMillis(250))).includeVector(true).includeDocument(false);
        SearchRequest back = JsonCodec.searchRequest(reparse(JsonCodec.searchRequestNode(r)), null);
        assertArrayEquals(r.vector(), back.vector());
        assertEquals(r.k(), back.k());
        assertEquals(r.filter(), back.filter());
        assertEquals(r.ef(), back.ef());
        assertEquals(r.asOfHlc(), back.asOfHlc());
        assertEquals(r.consistency(), back.consistency());
        assertEquals(r.includeVector(), back.includeVector());
        assertEquals(r.includeDocument(), back.includeDocument());
    }

    @Test
    void specsAndJournalRecordsRoundTrip() {
        CollectionSpec s = new CollectionSpec("c.1", 8, Metric.DOT, IndexSpec.hnsw(8, 50, 20), 3);
        assertEquals(s, JsonCodec.spec(reparse(JsonCodec.specNode(s))));
        CollectionSpec e = CollectionSpec.of("e", 2).withIndex(IndexSpec.exact());
        assertEquals(e, JsonCodec.spec(reparse(JsonCodec.specNode(e))));
        RandomGenerator rnd = RandomGeneratorFactory.of("L64X128MixRandom").create(SEED);
        List<JournalRecord.Operation> ops = new ArrayList<>();
        ops.add(new JournalRecord.Upsert("c", randomRecord(rnd, 1)));
        ops.add(new JournalRecord.Delete("c", "x"));
        ops.add(new JournalRecord.CreateCollection(s));
        ops.add(new JournalRecord.DropCollection("old"));
        JournalRecord jr = new JournalRecord("tx", 5, 99, "req", 7, ops);
        assertEquals(jr, JsonCodec.journalRecord(reparse(JsonCodec.journalNode(jr))));
    }

    @Test
    void badInputNamesTheField() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> JsonCodec.record(JsonCodec.parse("{\"id\":\"a\",\"vector\":[1,null]}".getBytes(StandardCharsets.UTF_8)), "records[2]"));
        assertEquals("records[2].vector[1]", e.field());
        assertEquals("body", assertThrows(InvalidArgumentException.class,
                () -> JsonCodec.parse("{".getBytes(StandardCharsets.UTF_8))).field());
        assertEquals("filter.range", assertThrows(InvalidArgumentException.class, () -> JsonCodec.filter(
                JsonCodec.parse("{\"range\":{\"field\":\"x\",\"gt\":1,\"gte\":2}}".getBytes(StandardCharsets.UTF_8)), "filter")).field());
        assertEquals("c.level", assertThrows(InvalidArgumentException.class, () -> JsonCodec.consistency(
                JsonCodec.parse("{\"level\":\"SOMETIMES\"}".getBytes(StandardCharsets.UTF_8)), "c")).field());
    }

    @Test
    void problemsMapBackToTheirExceptions() {
        assertEquals("records[0].id", ((InvalidArgumentException) Problem.fromJson(reparse(
                Problem.of(new InvalidArgumentException("records[0].id", "bad"), "/p", "r").toJson()), 400).toException()).field());
        NotFoundException nf = assertInstanceOf(NotFoundException.class, Problem.fromJson(reparse(
                Problem.of(new NotFoundException("record", "c/x"), "/p", "r").toJson()), 404).toException());
        assertEquals("record", nf.kind());
        assertInstanceOf(AlreadyExistsException.class, Problem.fromJson(reparse(
                Problem.of(new AlreadyExistsException("collection", "c"), "/p", "r").toJson()), 409).toException());
        assertInstanceOf(CapacityException.class, Problem.of(new CapacityException("full"), "/p", "r").toException());
        assertInstanceOf(VecraftTimeoutException.class, Problem.of(new VecraftTimeoutException("slow"), "/p", "r").toException());
        assertInstanceOf(VecraftClosedException.class, Problem.of(new VecraftClosedException("db"), "/p", "r").toException());
        assertEquals(504, Problem.of(new VecraftTimeoutException("slow"), "/p", "r").status());
        assertEquals(503, Problem.of(new CapacityException("full"), "/p", "r").status());
    }
}
