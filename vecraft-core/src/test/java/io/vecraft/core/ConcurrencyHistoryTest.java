package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vecraft.api.AckLevel;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Filter;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.SearchHit;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.SearchResult;
import io.vecraft.api.Session;
import io.vecraft.api.Vecraft;
import io.vecraft.api.WriteOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight threads run mixed upserts, deletes, multi-record upserts, transactions, searches and reads against
 * one database and record a history (every operation with its start and end time, and for writes their
 * receipt HLC, which is the order the database gives them). A checker then verifies:
 * <ul>
 *   <li>a STRONG read never misses a write that completed before it started: it returns the version of that
 *       write or of a later one (by HLC), never an older one, and never a version whose write had not started
 *       before the read ended;</li>
 *   <li>a READ_YOUR_WRITES read never misses a write of its own session that completed before it;</li>
 *   <li>no snapshot sees part of a transaction: transactions write groups of three records (two shards of one
 *       collection and another collection) that only transactions touch, and every snapshot read of a group
 *       (three reads as of one HLC, or one filtered search) shows all three from the same transaction or
 *       none.</li>
 * </ul>
 * Half the writes are acknowledged DURABLE (not yet applied), so reads must wait for them. Runs 4 s by
 * default, 30 s with {@code -Plong}.
 */
class ConcurrencyHistoryTest {
    private static final int THREADS = 8;
    private static final int KEYS = 40;
    private static final int GROUPS = 10;
    private static final String ABSENT = "-";
    /** Single-key reads to record at least (a loaded machine runs fewer operations in the same time). */
    private static final int MIN_READS = 200;

    @TempDir
    Path dir;

    /** One write: the value ("tag" or ABSENT) it gave each "collection/id", its HLC and when it ran. */
    record Write(String tag, Map<String, String> values, long hlc, long start, long end, int thread) {
    }

    /** One single-key read. */
    record Read(String key, String value, long start, long end, int thread, boolean strong) {
    }

    @Test
    void strongAndReadYourWritesNeverMissACompletedWriteAndSnapshotsSeeWholeTransactions() throws Exception {
        long runNanos = TimeUnit.SECONDS.toNanos(Boolean.getBoolean("vecraft.test.long") ? 30 : 4);
        SplittableRandom seeds = TestSeeds.random("ConcurrencyHistoryTest", 0);
        List<Write> writes = Collections.synchronizedList(new ArrayList<>());
        List<Read> reads = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] snapshotChecks = new long[1];
        try (Vecraft db = Vecraft.builder(dir).withMaxEntryBytes(1 << 20).withDataPartitions(2)
                .withCheckpointInterval(Duration.ofSeconds(1)).open()) {
            db.createCollection(CollectionSpec.of("a", KillWorkload.DIMENSION).withIndex(IndexSpec.hnsw(8, 64, 64))
                    .withShards(2));
            db.createCollection(CollectionSpec.of("b", KillWorkload.DIMENSION).withIndex(IndexSpec.exact()).withShards(2));
            long deadline = System.nanoTime() + runNanos;
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                SplittableRandom rnd = seeds.split();
                Thread th = new Thread(() -> {
                    try {
                        work(db, thread, rnd, deadline, writes, reads, snapshotChecks);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "history-" + t);
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) {
                th.join(8 * runNanos / 1_000_000 + TimeUnit.SECONDS.toMillis(120));
                assertTrue(!th.isAlive(), "worker finished");
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("a worker failed: " + failure.get(), failure.get());
        }
        int checked = check(writes, reads);
        System.out.printf("concurrency history: %d writes, %d single-key reads checked (%d STRONG/RYW), %d group"
                + " snapshot reads all-or-nothing%n", writes.size(), reads.size(), checked, snapshotChecks[0]);
        assertTrue(checked > 100, "enough reads were checked: " + checked);
    }

    private static Record record(String tag, int index, String id, int group) {
        Map<String, Object> md = new HashMap<>();
        md.put("tag", tag);
        md.put("group", (long) group);
        return Record.of(id, KillWorkload.vector(tag, index), md, null);
    }

    private static String valueOf(Optional<Record> r) {
        return r.map(x -> (String) x.metadata().get("tag")).orElse(ABSENT);
    }

    private static void work(Vecraft db, int thread, SplittableRandom rnd, long deadline, List<Write> writes,
                             List<Read> reads, long[] snapshotChecks) {
        Session session = db.newSession();
        Collection a = db.collection("a");
        Collection b = db.collection("b");
        List<String> mine = new ArrayList<>();
        // Run for the time, and on a loaded machine on until enough operations were recorded (bounded:
        // a hard stop at 8x the time), so the checker always has material.
        long hardStop = System.nanoTime() + 8 * (deadline - System.nanoTime());
        for (long n = 0; System.nanoTime() < hardStop
                && (System.nanoTime() < deadline || reads.size() < MIN_READS); n++) {
            String tag = thread + "." + n;
            WriteOptions options = WriteOptions.defaults().withSession(session)
                    .withAckLevel(rnd.nextBoolean() ? AckLevel.DURABLE : AckLevel.APPLIED);
            int op = rnd.nextInt(100);
            long start = System.nanoTime();
            if (op < 25) {
                String coll = rnd.nextBoolean() ? "a" : "b";
                String id = "k" + rnd.nextInt(KEYS);
                Receipt r = db.collection(coll).upsert(record(tag, 0, id, -1), options);
                writes.add(new Write(tag, Map.of(coll + "/" + id, tag), r.hlc(), start, System.nanoTime(), thread));
                mine.add(coll + "/" + id);
            } else if (op < 33) {
                String coll = rnd.nextBoolean() ? "a" : "b";
                String id = "k" + rnd.nextInt(KEYS);
                Receipt r = db.collection(coll).delete(List.of(id), options);
                writes.add(new Write(tag, Map.of(coll + "/" + id, ABSENT), r.hlc(), start, System.nanoTime(), thread));
                mine.add(coll + "/" + id);
            } else if (op < 40) {
                String coll = rnd.nextBoolean() ? "a" : "b";
                Map<String, String> values = new HashMap<>();
                List<Record> batch = new ArrayList<>();
                while (batch.size() < 3) {
                    String id = "k" + rnd.nextInt(KEYS);
                    if (values.put(coll + "/" + id, tag) == null) {
                        batch.add(record(tag, batch.size(), id, -1));
                    }
                }
                Receipt r = db.collection(coll).upsert(batch, options);
                writes.add(new Write(tag, values, r.hlc(), start, System.nanoTime(), thread));
                mine.addAll(values.keySet());
            } else if (op < 55) {
                int g = rnd.nextInt(GROUPS);
                boolean delete = rnd.nextInt(4) == 0;
                Receipt r = db.transaction(tx -> {
                    if (delete) {
                        tx.delete("a", "p" + g).delete("a", "q" + g).delete("b", "p" + g);
                    } else {
                        tx.upsert("a", record(tag, 0, "p" + g, g)).upsert("a", record(tag, 1, "q" + g, g))
                                .upsert("b", record(tag, 2, "p" + g, g));
                    }
                }, options);
                String v = delete ? ABSENT : tag;
                writes.add(new Write(tag, Map.of("a/p" + g, v, "a/q" + g, v, "b/p" + g, v), r.hlc(), start,
                        System.nanoTime(), thread));
            } else if (op < 72) {
                String coll = rnd.nextBoolean() ? "a" : "b";
                String id = "k" + rnd.nextInt(KEYS);
                String value = valueOf(db.collection(coll).get(id,
                        ReadOptions.defaults().withConsistency(Consistency.STRONG)));
                reads.add(new Read(coll + "/" + id, value, start, System.nanoTime(), thread, true));
            } else if (op < 85 && !mine.isEmpty()) {
                String key = mine.get(rnd.nextInt(mine.size()));
                String[] kc = key.split("/", 2);
                String value = valueOf(db.collection(kc[0]).get(kc[1],
                        ReadOptions.defaults().withConsistency(Consistency.readYourWrites(session))));
                reads.add(new Read(key, value, start, System.nanoTime(), thread, false));
            } else if (op < 93) {
                // three reads at one snapshot: all from one transaction or all absent
                int g = rnd.nextInt(GROUPS);
                long t = db.now();
                ReadOptions asOf = ReadOptions.defaults().asOf(t);
                String pa = valueOf(a.get("p" + g, asOf));
                String qa = valueOf(a.get("q" + g, asOf));
                String pb = valueOf(b.get("p" + g, asOf));
                if (!pa.equals(qa) || !pa.equals(pb)) {
                    fail("snapshot at " + t + " sees part of a transaction on group " + g + ": a/p=" + pa + " a/q="
                            + qa + " b/p=" + pb);
                }
                synchronized (snapshotChecks) {
                    snapshotChecks[0]++;
                }
            } else {
                // one search is one snapshot: both records of a group in collection a, same transaction
                int g = rnd.nextInt(GROUPS);
                SearchResult res = a.search(SearchRequest.of(KillWorkload.vector("q", g), 10)
                        .withFilter(Filter.eq("group", (long) g)).withConsistency(Consistency.STRONG));
                List<String> tags = new ArrayList<>();
                for (SearchHit h : res.hits()) {
                    tags.add((String) h.metadata().get("tag"));
                }
                if (!(tags.isEmpty() || (tags.size() == 2 && tags.get(0).equals(tags.get(1))))) {
                    fail("search snapshot " + res.snapshotHlc() + " sees part of a transaction on group " + g + ": "
                            + res.hits());
                }
                synchronized (snapshotChecks) {
                    snapshotChecks[0]++;
                }
            }
        }
    }

    @Test
    void theCheckerCatchesStaleReadsAndReadsFromTheFuture() {
        Write w1 = new Write("0.1", Map.of("a/k1", "0.1"), 100, 10, 20, 0);
        Write w2 = new Write("1.1", Map.of("a/k1", "1.1"), 200, 30, 40, 1);
        Write del = new Write("1.2", Map.of("a/k1", ABSENT), 300, 50, 60, 1);
        // fine: newest completed write, or a concurrent newer one
        check(List.of(w1, w2), List.of(new Read("a/k1", "1.1", 45, 46, 2, true)));
        check(List.of(w1, w2), List.of(new Read("a/k1", "1.1", 25, 35, 2, true)));
        check(List.of(w1, w2, del), List.of(new Read("a/k1", ABSENT, 61, 62, 2, true)));
        // READ_YOUR_WRITES only promises the session's own writes
        check(List.of(w1, w2), List.of(new Read("a/k1", "0.1", 45, 46, 0, false)));
        assertMisses(List.of(w1, w2), new Read("a/k1", "0.1", 45, 46, 2, true)); // stale STRONG
        assertMisses(List.of(w1, w2), new Read("a/k1", "0.1", 45, 46, 1, false)); // missed own write
        assertMisses(List.of(w1, w2, del), new Read("a/k1", "1.1", 61, 62, 2, true)); // missed a delete
        assertMisses(List.of(w1, w2), new Read("a/k1", ABSENT, 45, 46, 2, true)); // lost both
        assertMisses(List.of(w1, w2), new Read("a/k1", "1.1", 21, 25, 2, true)); // from the future
        assertMisses(List.of(w1), new Read("a/k1", "9.9", 21, 25, 2, true)); // never written
    }

    private static void assertMisses(List<Write> writes, Read read) {
        try {
            check(writes, List.of(read));
        } catch (AssertionError expected) {
            return;
        }
        fail("the checker accepted " + read + " after " + writes);
    }

    /** @return the number of reads checked */
    private static int check(List<Write> writes, List<Read> reads) {
        Map<String, Write> byTag = new HashMap<>();
        Map<String, List<Write>> byKey = new HashMap<>();
        for (Write w : writes) {
            byTag.put(w.tag(), w);
            for (String k : w.values().keySet()) {
                byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(w);
            }
        }
        int checked = 0;
        for (Read r : reads) {
            long mustCover = Long.MIN_VALUE; // HLC of the newest write the read must not miss
            Write missed = null;
            for (Write w : byKey.getOrDefault(r.key(), List.of())) {
                boolean counts = w.end() < r.start() && (r.strong() || w.thread() == r.thread());
                if (counts && w.hlc() > mustCover) {
                    mustCover = w.hlc();
                    missed = w;
                }
            }
            String what = (r.strong() ? "STRONG" : "READ_YOUR_WRITES") + " read of " + r.key() + " by thread "
                    + r.thread() + " returned " + r.value();
            if (!r.value().equals(ABSENT)) {
                Write source = byTag.get(r.value());
                if (source == null || !source.values().containsKey(r.key())) {
                    fail(what + ", which no write of that key produced");
                }
                if (source.start() > r.end()) {
                    fail(what + ", written by an operation that started after the read ended");
                }
                if (source.hlc() < mustCover) {
                    fail(what + " (HLC " + source.hlc() + ") but missed the completed write " + missed);
                }
            } else if (mustCover != Long.MIN_VALUE) {
                boolean explained = false;
                for (Write w : byKey.get(r.key())) {
                    if (ABSENT.equals(w.values().get(r.key())) && w.hlc() >= mustCover && w.start() < r.end()) {
                        explained = true;
                        break;
                    }
                }
                if (!explained) {
                    fail(what + " but missed the completed write " + missed);
                }
            }
            checked++;
        }
        return checked;
    }
}
