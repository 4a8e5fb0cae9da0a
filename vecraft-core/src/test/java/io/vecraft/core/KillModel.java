package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vecraft.api.Collection;
import io.vecraft.api.Consistency;
import io.vecraft.api.Filter;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Record;
import io.vecraft.api.SearchHit;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.Vecraft;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the parent of a {@link KillWorkload} child knows: the expected content of every record after the
 * acknowledged operations, and the operation each thread had in flight. Checks a reopened database against
 * it. Not thread-safe (the test thread only).
 */
final class KillModel {
    /** Content of one record: the tag and index of the upsert that wrote it, or absent. */
    record Expected(String tag, int index) {
        static final Expected ABSENT = new Expected(null, -1);

        boolean live() {
            return tag != null;
        }

        @Override
        public String toString() {
            return live() ? tag + "/" + index : "absent";
        }
    }

    /** An operation announced by BEGIN. */
    record Pending(String tag, List<KillWorkload.Op> ops) {
    }

    private final Map<String, Expected> state = new TreeMap<>();
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final java.util.Set<String> touched = new java.util.TreeSet<>();
    /** Per key, what the model learned about it (for failure messages). */
    private final Map<String, List<String>> trail = new HashMap<>();
    private final List<String> lastLines = new ArrayList<>();

    /** @return the last lines accepted, for failure messages */
    String lastLines() {
        return String.join("\n", lastLines);
    }
    private boolean ready;
    private long acknowledged;
    private long inFlightResolvedNew;
    private long inFlightResolvedOld;

    /**
     * Consumes one line of the child's output.
     *
     * @param line the line
     * @return true for an ACK line
     */
    boolean accept(String line) {
        lastLines.add(line);
        if (lastLines.size() > 40) {
            lastLines.remove(0);
        }
        String[] f = line.split(" ");
        switch (f[0]) {
            case "READY" -> {
                ready = true;
                return false;
            }
            case "BEGIN" -> {
                int thread = Integer.parseInt(f[1]);
                List<KillWorkload.Op> ops = new ArrayList<>();
                for (int i = 3; i < f.length; i++) {
                    KillWorkload.Op op = KillWorkload.Op.decode(f[i]);
                    ops.add(op);
                    touched.add(key(op.collection(), op.id()));
                    trail(key(op.collection(), op.id()), "begin " + f[2] + "/" + (i - 3) + (op.upsert() ? " U" : " D"));
                }
                Pending previous = pending.put(thread, new Pending(f[2], ops));
                if (previous != null) {
                    fail("thread " + thread + " began " + f[2] + " while " + previous.tag() + " was not acknowledged");
                }
                return false;
            }
            case "ACK" -> {
                int thread = Integer.parseInt(f[1]);
                Pending p = pending.remove(thread);
                if (p == null || !p.tag().equals(f[2])) {
                    fail("acknowledgement " + line + " does not match the operation in flight " + p);
                }
                apply(p);
                acknowledged++;
                return true;
            }
            default -> {
                fail("unexpected child output: " + line);
                return false;
            }
        }
    }

    private void trail(String key, String event) {
        List<String> t = trail.computeIfAbsent(key, k -> new ArrayList<>());
        t.add(event);
        if (t.size() > 12) {
            t.remove(0);
        }
    }

    private void apply(Pending p) {
        for (int i = 0; i < p.ops().size(); i++) {
            KillWorkload.Op op = p.ops().get(i);
            trail(key(op.collection(), op.id()), "applied " + p.tag());
            state.put(key(op.collection(), op.id()), op.upsert() ? new Expected(p.tag(), i) : Expected.ABSENT);
        }
    }

    private static String key(String collection, String id) {
        return collection + "/" + id;
    }

    boolean ready() {
        return ready;
    }

    long acknowledged() {
        return acknowledged;
    }

    String inFlightSummary() {
        return inFlightResolvedNew + " in-flight operations found applied, " + inFlightResolvedOld + " found absent";
    }

    /**
     * Checks the reopened database: resolves the operations that were in flight at the kill (all or nothing),
     * then checks every record's content, the counts, and that the indexes agree with the records.
     *
     * @param db the reopened database
     */
    void check(Vecraft db) {
        if (!ready && state.isEmpty()) {
            return; // killed before the collections surely existed
        }
        Map<String, Collection> colls = new HashMap<>();
        for (String c : KillWorkload.COLLECTIONS) {
            Optional<Collection> found = db.findCollection(c);
            assertTrue(found.isPresent(), "collection " + c + " exists after the kill");
            colls.put(c, found.get());
        }
        ReadOptions strong = ReadOptions.defaults().withConsistency(Consistency.STRONG);
        // 1. operations in flight: all of it or none of it
        for (Map.Entry<Integer, Pending> e : new TreeMap<>(pending).entrySet()) {
            Pending p = e.getValue();
            Boolean applied = null;
            for (int i = 0; i < p.ops().size(); i++) {
                KillWorkload.Op op = p.ops().get(i);
                String k = key(op.collection(), op.id());
                Expected old = state.getOrDefault(k, Expected.ABSENT);
                Expected neu = op.upsert() ? new Expected(p.tag(), i) : Expected.ABSENT;
                if (old.equals(neu)) {
                    continue;
                }
                Expected actual = observe(colls.get(op.collection()), op.id(), strong);
                boolean isNew = actual.equals(neu);
                trail(k, "in flight at the kill, found " + actual);
                if (!isNew && !actual.equals(old)) {
                    fail("record " + k + " of the operation in flight " + p.tag() + " is " + actual
                            + ", neither its old content " + old + " nor the new " + neu);
                }
                if (applied != null && applied != isNew) {
                    fail("operation " + p.tag() + " " + p.ops() + " was in flight at the kill and is only partly"
                            + " visible after reopen (" + k + " is " + (isNew ? "new" : "old") + ")");
                }
                applied = isNew;
            }
            if (Boolean.TRUE.equals(applied)) {
                apply(p);
                inFlightResolvedNew++;
            } else {
                inFlightResolvedOld++;
            }
        }
        pending.clear();
        // 2. every acknowledged write visible with the right content, deletes absent
        Map<String, Integer> live = new HashMap<>();
        for (Map.Entry<String, Expected> e : state.entrySet()) {
            String[] kc = e.getKey().split("/", 2);
            Expected actual = observe(colls.get(kc[0]), kc[1], strong);
            assertEquals(e.getValue(), actual, "record " + e.getKey() + " after reopen; what the model saw of it: "
                    + trail.get(e.getKey()));
            if (actual.live()) {
                live.merge(kc[0], 1, Integer::sum);
            }
        }
        // 3. counts
        for (String c : KillWorkload.COLLECTIONS) {
            assertEquals(live.getOrDefault(c, 0).longValue(), colls.get(c).count(strong), "count of " + c);
        }
        // 4. indexes agree with records: each live record is its own nearest neighbour (graph or exact scan at
        //    high ef, and an exact scan through a selective filter); every hit is a live record with the right
        //    distance, so nothing deleted or stale is ever returned.
        for (Map.Entry<String, Expected> e : state.entrySet()) {
            if (!e.getValue().live()) {
                continue;
            }
            String[] kc = e.getKey().split("/", 2);
            Collection c = colls.get(kc[0]);
            float[] v = KillWorkload.vector(e.getValue().tag(), e.getValue().index());
            List<SearchHit> hits = c.search(SearchRequest.of(v, 5).withEf(400).withConsistency(Consistency.STRONG))
                    .hits();
            checkHits(kc[0], v, hits);
            assertEquals(kc[1], hits.get(0).id(), "nearest neighbour of " + e.getKey() + " is itself, hits " + hits);
            List<SearchHit> filtered = c.search(SearchRequest.of(v, 1).withConsistency(Consistency.STRONG)
                    .withFilter(Filter.eq("tag", e.getValue().tag()))).hits();
            checkHits(kc[0], v, filtered);
            assertEquals(kc[1], filtered.get(0).id(), "filtered exact search finds " + e.getKey());
        }
    }

    /**
     * The check for modes that may lose acknowledged writes (BATCH, ASYNC after a power loss): whatever the
     * database serves must be data some operation wrote, whole: every record read is exactly the content of
     * the upsert named by its tag, counts agree with the records, every present record is its own nearest
     * neighbour and every search hit is a present record at the right distance.
     *
     * @param db the reopened database
     * @return the number of records present
     */
    int checkServesOnlyWrittenData(Vecraft db) {
        ReadOptions strong = ReadOptions.defaults().withConsistency(Consistency.STRONG);
        Map<String, Expected> present = new TreeMap<>();
        for (String c : KillWorkload.COLLECTIONS) {
            Optional<Collection> coll = db.findCollection(c);
            if (coll.isEmpty()) {
                continue; // its creation was lost with the power
            }
            long n = 0;
            for (String k : touched) {
                String[] kc = k.split("/", 2);
                if (kc[0].equals(c)) {
                    Expected e = observe(coll.get(), kc[1], strong);
                    if (e.live()) {
                        present.put(k, e);
                        n++;
                    }
                }
            }
            long count = coll.get().count(strong);
            if (count != n) {
                fail("count of " + c + " is " + count + " but " + n + " announced records are served; served"
                        + " without an announcing operation: " + unannounced(coll.get(), c, strong));
            }
        }
        Map<String, Expected> saved = new TreeMap<>(state);
        state.clear();
        state.putAll(present);
        try {
            for (Map.Entry<String, Expected> e : present.entrySet()) {
                String[] kc = e.getKey().split("/", 2);
                float[] v = KillWorkload.vector(e.getValue().tag(), e.getValue().index());
                List<SearchHit> hits = db.collection(kc[0]).search(SearchRequest.of(v, 5).withEf(400)
                        .withConsistency(Consistency.STRONG)).hits();
                checkHits(kc[0], v, hits);
                assertEquals(kc[1], hits.get(0).id(), "nearest neighbour of " + e.getKey() + " is itself");
            }
        } finally {
            state.clear();
            state.putAll(saved);
        }
        return present.size();
    }

    /** Records of the workload's id space (threads 0-7) served although no operation the model saw wrote them. */
    private List<String> unannounced(Collection coll, String c, ReadOptions options) {
        List<String> out = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            for (int i = 0; i < KillWorkload.IDS_PER_THREAD; i++) {
                String id = "t" + t + "-" + i;
                Expected e = observe(coll, id, options);
                if (e.live() && !touched.contains(key(c, id))) {
                    out.add(id + "=" + e);
                }
            }
        }
        return out;
    }

    private void checkHits(String collection, float[] query, List<SearchHit> hits) {
        for (SearchHit h : hits) {
            Expected exp = state.getOrDefault(key(collection, h.id()), Expected.ABSENT);
            if (!exp.live()) {
                fail("search in " + collection + " returned " + h.id() + ", which is deleted or was never acknowledged");
            }
            float[] stored = KillWorkload.vector(exp.tag(), exp.index());
            double d = 0;
            for (int i = 0; i < query.length; i++) {
                d += (query[i] - stored[i]) * (double) (query[i] - stored[i]);
            }
            assertEquals(Math.sqrt(d), h.distance(), 1e-4, "distance of hit " + h.id() + " agrees with its record");
        }
    }

    /** Reads a record and checks that its content is exactly what the upsert with its tag wrote. */
    private static Expected observe(Collection c, String id, ReadOptions options) {
        Optional<Record> r = c.get(id, options);
        if (r.isEmpty()) {
            return Expected.ABSENT;
        }
        Object tag = r.get().metadata().get("tag");
        Object index = r.get().metadata().get("i");
        if (!(tag instanceof String t) || !(index instanceof Long i)) {
            fail("record " + c.name() + "/" + id + " has foreign metadata " + r.get().metadata());
            return null;
        }
        Record want = KillWorkload.record(t, i.intValue(), id);
        if (!want.equals(r.get())) {
            fail("record " + c.name() + "/" + id + " content differs from what " + t + "/" + i + " wrote: "
                    + r.get() + " " + Arrays.toString(r.get().vector()) + " vs " + Arrays.toString(want.vector()));
        }
        return new Expected(t, i.intValue());
    }
}
