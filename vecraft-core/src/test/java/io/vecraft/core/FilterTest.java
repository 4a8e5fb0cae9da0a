package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Durability;
import io.vecraft.api.Filter;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.Record;
import io.vecraft.api.SearchHit;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.Vecraft;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every filter operator, checked against an independent evaluation of the documented semantics
 * over random records (property style: random filters, seeded).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FilterTest {
    private static final int N = 1_500;
    private static final String[] LANGS = {"en", "de", "fr", "ja"};
    private static final String[] WORDS = {"vector", "graph", "journal", "shard", "clock"};

    private Vecraft db;
    private Collection exact;
    private Collection hnsw;
    private final Map<String, Record> records = new HashMap<>();

    @BeforeAll
    void load(@TempDir Path dir) {
        db = Vecraft.builder(dir).withDurability(Durability.ASYNC).open();
        exact = db.createCollection(CollectionSpec.of("exact", 8).withIndex(IndexSpec.exact()).withShards(2));
        hnsw = db.createCollection(CollectionSpec.of("hnsw", 8).withShards(3));
        SplittableRandom rnd = TestSeeds.random("FilterTest.load", 0);
        List<Record> batch = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            Map<String, Object> md = new HashMap<>();
            if (rnd.nextInt(10) > 0) {
                md.put("lang", LANGS[rnd.nextInt(LANGS.length)]);
            }
            md.put("year", (long) (2000 + rnd.nextInt(25)));
            md.put("score", rnd.nextDouble() * 100);
            md.put("flag", rnd.nextBoolean());
            if (rnd.nextBoolean()) {
                md.put("tags", List.of(WORDS[rnd.nextInt(WORDS.length)], WORDS[rnd.nextInt(WORDS.length)]));
            }
            if (i % 200 == 7) {
                md.put("rare", "yes"); // 0.5% of records
            }
            String doc = rnd.nextInt(4) == 0 ? null
                    : "about " + WORDS[rnd.nextInt(WORDS.length)] + " and " + WORDS[rnd.nextInt(WORDS.length)];
            Record r = Record.of("r" + i, TestVectors.random(rnd, 8), md, doc);
            records.put(r.id(), r);
            batch.add(r);
            if (batch.size() == 250) {
                exact.upsert(batch);
                hnsw.upsert(batch);
                batch.clear();
            }
        }
    }

    @AfterAll
    void close() {
        db.close();
    }

    static Filter randomFilter(SplittableRandom rnd, int depth) {
        int kind = depth > 2 ? rnd.nextInt(8) : rnd.nextInt(11);
        return switch (kind) {
            case 0 -> Filter.eq("lang", LANGS[rnd.nextInt(LANGS.length)]);
            case 1 -> Filter.in("lang", LANGS[rnd.nextInt(LANGS.length)], LANGS[rnd.nextInt(LANGS.length)]);
            case 2 -> Filter.gte("year", 2000 + rnd.nextInt(25));
            case 3 -> Filter.lt("score", rnd.nextDouble() * 100);
            case 4 -> Filter.eq("flag", rnd.nextBoolean());
            case 5 -> Filter.eq("tags", WORDS[rnd.nextInt(WORDS.length)]);
            case 6 -> Filter.documentContains(WORDS[rnd.nextInt(WORDS.length)]);
            case 7 -> Filter.between("year", 2005, 2010);
            case 8 -> Filter.and(randomFilter(rnd, depth + 1), randomFilter(rnd, depth + 1));
            case 9 -> Filter.or(randomFilter(rnd, depth + 1), randomFilter(rnd, depth + 1));
            default -> Filter.not(randomFilter(rnd, depth + 1));
        };
    }

    /** Independent evaluation of the documented filter semantics. */
    static boolean matches(Filter f, Record r) {
        if (f instanceof Filter.Eq eq) {
            return anyValue(r.metadata().get(eq.field()), v -> equalsValue(v, eq.value()));
        } else if (f instanceof Filter.In in) {
            return anyValue(r.metadata().get(in.field()), v -> in.values().stream().anyMatch(x -> equalsValue(v, x)));
        } else if (f instanceof Filter.Range range) {
            return anyValue(r.metadata().get(range.field()), v -> {
                if (!(v instanceof Number n)) {
                    return false;
                }
                double d = n.doubleValue();
                boolean lowOk = range.lower() == null || (range.lowerInclusive() ? d >= range.lower().doubleValue()
                        : d > range.lower().doubleValue());
                boolean highOk = range.upper() == null || (range.upperInclusive() ? d <= range.upper().doubleValue()
                        : d < range.upper().doubleValue());
                return lowOk && highOk;
            });
        } else if (f instanceof Filter.And and) {
            return and.filters().stream().allMatch(x -> matches(x, r));
        } else if (f instanceof Filter.Or or) {
            return or.filters().stream().anyMatch(x -> matches(x, r));
        } else if (f instanceof Filter.Not not) {
            return !matches(not.filter(), r);
        } else if (f instanceof Filter.DocumentContains dc) {
            return r.document().map(d -> d.contains(dc.text())).orElse(false);
        }
        throw new AssertionError(f);
    }

    private static boolean equalsValue(Object stored, Object wanted) {
        if (stored instanceof Number a && wanted instanceof Number b) {
            return a.doubleValue() == b.doubleValue();
        }
        return stored.equals(wanted);
    }

    private static boolean anyValue(Object v, java.util.function.Predicate<Object> p) {
        if (v == null) {
            return false;
        }
        if (v instanceof List<?> list) {
            return list.stream().anyMatch(p);
        }
        return p.test(v);
    }

    private Set<String> expected(Filter f) {
        return records.values().stream().filter(r -> matches(f, r)).map(Record::id).collect(Collectors.toSet());
    }

    @Test
    void everyOperatorMatchesItsDocumentedSemantics() {
        List<Filter> filters = List.of(
                Filter.eq("lang", "en"), Filter.eq("year", 2010), Filter.eq("score", 5.5), Filter.eq("flag", true),
                Filter.eq("tags", "graph"), Filter.in("lang", "de", "ja"), Filter.in("year", 2001, 2002, 2003),
                Filter.gt("year", 2020), Filter.gte("year", 2020), Filter.lt("score", 10), Filter.lte("year", 2001),
                Filter.between("score", 20.5, 30), Filter.and(Filter.eq("lang", "en"), Filter.eq("flag", false)),
                Filter.or(Filter.eq("lang", "fr"), Filter.gt("score", 95)), Filter.not(Filter.eq("lang", "en")),
                Filter.documentContains("journal"), Filter.documentNotContains("vector"),
                Filter.eq("rare", "yes"), Filter.eq("missing", "x"), Filter.not(Filter.eq("missing", "x")));
        float[] q = new float[8];
        for (Filter f : filters) {
            Set<String> want = expected(f);
            List<SearchHit> hits = exact.search(SearchRequest.of(q, N).withFilter(f)).hits();
            Set<String> got = hits.stream().map(SearchHit::id).collect(Collectors.toSet());
            assertEquals(want, got, "filter " + f);
            assertEquals(got.size(), hits.size(), "no duplicates for " + f);
        }
    }

    @RepeatedTest(20)
    void randomFiltersReturnExactlyTheMatchingNearest(RepetitionInfo info) {
        SplittableRandom rnd = TestSeeds.random("FilterTest.randomFilters", info.getCurrentRepetition());
        Filter f = randomFilter(rnd, 0);
        Set<String> want = expected(f);
        float[] q = TestVectors.random(rnd, 8);
        int k = 1 + rnd.nextInt(30);
        List<String> byDistance = want.stream()
                .sorted((a, b) -> Double.compare(TestVectors.l2(records.get(a).vector(), q),
                        TestVectors.l2(records.get(b).vector(), q)))
                .toList();
        List<String> exactHits = exact.search(SearchRequest.of(q, k).withFilter(f)).hits().stream()
                .map(SearchHit::id).toList();
        assertEquals(byDistance.subList(0, Math.min(k, byDistance.size())), exactHits, "exact index, filter " + f);

        List<SearchHit> approx = hnsw.search(SearchRequest.of(q, k).withFilter(f)).hits();
        assertEquals(Math.min(k, want.size()), approx.size(), "HNSW returns min(k, matches) for " + f);
        for (SearchHit h : approx) {
            assertTrue(want.contains(h.id()), "HNSW hit " + h.id() + " does not match " + f);
        }
        assertEquals(approx.size(), new HashSet<>(approx.stream().map(SearchHit::id).toList()).size());
    }

    @Test
    void selectiveFilterStillReturnsK() {
        Filter rare = Filter.eq("rare", "yes");
        int matching = expected(rare).size();
        assertTrue(matching >= 5, "fixture has rare records");
        List<SearchHit> hits = hnsw.search(SearchRequest.of(new float[8], 5).withFilter(rare)).hits();
        assertEquals(5, hits.size());
        List<SearchHit> all = hnsw.search(SearchRequest.of(new float[8], 100).withFilter(rare)).hits();
        assertEquals(matching, all.size());
    }
}
