package io.vecraft.examples;

import io.vecraft.api.AckLevel;
import io.vecraft.api.ClusterConfig;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Filter;
import io.vecraft.api.Hlc;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.RecordVersion;
import io.vecraft.api.SearchHit;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.SearchResult;
import io.vecraft.api.Session;
import io.vecraft.api.Vecraft;
import io.vecraft.api.WriteOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * The quickstart: a tour of Vecraft on a real data set when one is available.
 *
 * <ol>
 *   <li>opens a database (default configuration: SYNC durability, APPLIED acknowledgements),</li>
 *   <li>creates a collection and ingests the data set in batches, with a progress bar,</li>
 *   <li>searches at several consistency levels and prints recall@10 against exact search,</li>
 *   <li>runs filtered searches and checks them against exact filtered search,</li>
 *   <li>moves a record between collections in a transaction,</li>
 *   <li>shows a record's history (lineage) and the journal audit stream,</li>
 *   <li>closes, reopens (recovery from checkpoint + journal) and checks nothing was lost.</li>
 * </ol>
 *
 * <p>Run it with the README's first command; the data directory is given as the first argument
 * (default {@code target/quickstart-data}, wiped at start). With the system property
 * {@code vecraft.cluster.etcd} (e.g. {@code http://127.0.0.1:2379}) it runs the same tour against a
 * raft cluster ({@code vecraft-cluster-raft/scripts/cluster.sh start}): the directory then only holds
 * the client's state, and the collections it creates (dropped first if a previous run left them)
 * live in the cluster.
 */
public final class Quickstart {
    private static final PrintStream OUT = System.out;

    private Quickstart() {
    }

    /**
     * @param args optional data directory
     * @throws IOException if the data set cannot be read
     */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/quickstart-data");
        deleteRecursively(dir);
        Datasets.Dataset data = Datasets.load();
        int dim = data.base()[0].length;
        int n = data.base().length;
        section("Vecraft quickstart");
        OUT.printf("  data set   : %s%n  vectors    : %,d x %d, %d queries%n  directory  : %s%n", data.name(), n, dim,
                data.queries().length, dir.toAbsolutePath());

        long ingestNanos;
        long countBefore;
        String etcd = System.getProperty("vecraft.cluster.etcd", "");
        if (!etcd.isBlank()) {
            OUT.printf("  cluster    : raft provider, etcd %s%n", etcd);
        }
        try (Vecraft db = open(dir, etcd)) {
            for (String leftover : List.of("items", "archive")) {
                if (db.listCollections().contains(leftover)) {
                    db.dropCollection(leftover); // a previous run against the same cluster
                }
            }
            OUT.printf("  durability : %s, acknowledgements: %s%n", db.config().durability(), db.config().ackLevel());

            // ------------------------------------------------------------ create + ingest
            section("1. Create a collection and ingest");
            Collection items = db.createCollection(CollectionSpec.of("items", dim).withShards(2));
            OUT.println("  created " + items.spec());
            ProgressBar bar = new ProgressBar(OUT, "ingest", n);
            long t0 = System.nanoTime();
            List<Record> batch = new ArrayList<>();
            WriteOptions bulk = WriteOptions.defaults().withAckLevel(AckLevel.DURABLE);
            for (int i = 0; i < n; i++) {
                batch.add(Record.of(Integer.toString(i), data.base()[i])
                        .withMetadata(Map.of("category", data.labels()[i], "rank", (long) (i % 100)))
                        .withDocument("item " + i + " in " + data.labels()[i]));
                if (batch.size() == 500 || i == n - 1) {
                    items.upsert(batch, bulk);
                    batch.clear();
                    bar.update(i + 1);
                }
            }
            // DURABLE writes return before the shards apply them; a STRONG read waits until they have.
            countBefore = items.count(ReadOptions.defaults().withConsistency(Consistency.STRONG));
            ingestNanos = System.nanoTime() - t0;
            OUT.printf("  %,d records durable and indexed in %.1f s (%,.0f records/s)%n", countBefore,
                    ingestNanos / 1e9, countBefore / (ingestNanos / 1e9));

            // ------------------------------------------------------------ search + consistency
            section("2. Search at several consistency levels (recall@10 against exact search)");
            int[][] exact = exactTopK(data, 10, i -> true);
            Session session = db.newSession();
            items.upsert(Record.of("fresh", data.queries()[0]).withMetadata(Map.of("category", "new")),
                    WriteOptions.defaults().withSession(session).withAckLevel(AckLevel.DURABLE));
            List<Consistency> levels = List.of(Consistency.EVENTUAL, Consistency.bounded(java.time.Duration.ofSeconds(1)),
                    Consistency.readYourWrites(session), Consistency.STRONG);
            for (Consistency level : levels) {
                long s0 = System.nanoTime();
                double recall = recall(items, data, exact, level, null, i -> true);
                double ms = (System.nanoTime() - s0) / 1e6 / data.queries().length;
                OUT.printf("  %-28s recall@10 = %.3f   %.2f ms/query%n", level, recall, ms);
            }
            SearchResult top = items.search(SearchRequest.of(data.queries()[0], 3).withConsistency(Consistency.STRONG));
            OUT.println("  nearest to query 0 (STRONG, sees the session's fresh record):");
            for (SearchHit h : top.hits()) {
                OUT.printf("    %-8s distance %10.3f  %s%n", h.id(), h.distance(), h.metadata());
            }
            items.delete("fresh");

            // ------------------------------------------------------------ filtered search
            section("3. Filtered search (inverted metadata index; exact fallback when selective)");
            String category = data.labels()[0];
            Filter byCategory = Filter.eq("category", category);
            IntPredicate inCategory = i -> data.labels()[i].equals(category);
            double r1 = recall(items, data, exactTopK(data, 10, inCategory), Consistency.EVENTUAL, byCategory, inCategory);
            OUT.printf("  %-40s recall@10 = %.3f%n", "category = " + category, r1);
            Filter selective = Filter.and(Filter.eq("category", category), Filter.lt("rank", 2));
            IntPredicate inSelective = i -> data.labels()[i].equals(category) && (i % 100) < 2;
            double r2 = recall(items, data, exactTopK(data, 10, inSelective), Consistency.EVENTUAL, selective, inSelective);
            OUT.printf("  %-40s recall@10 = %.3f (matches %d records)%n", "category = " + category + " and rank < 2", r2,
                    IntStream.range(0, n).filter(inSelective).count());
            Filter docs = Filter.and(Filter.documentContains("item 1"), Filter.not(Filter.eq("category", category)));
            OUT.printf("  %-40s %d hits%n", "document contains 'item 1' and not " + category,
                    items.search(SearchRequest.of(data.queries()[1], 10).withFilter(docs)).size());

            // ------------------------------------------------------------ transaction
            section("4. A transaction across collections (all or nothing)");
            Collection archive = db.createCollection(CollectionSpec.of("archive", dim).withShards(1));
            Record moved = items.get("42").orElseThrow();
            Receipt tx = db.transaction(t -> t.delete("items", "42").upsert("archive", moved));
            OUT.printf("  moved record 42 to 'archive' in transaction %d (partition %s, sequence %d, HLC %s)%n",
                    tx.transactionId(), tx.partition(), tx.sequence(), Hlc.format(tx.hlc()));
            OUT.printf("  items has 42: %s, archive has 42: %s%n", items.get("42").isPresent(),
                    archive.get("42").isPresent());
            OUT.printf("  as of just before the transaction, items had 42: %s%n",
                    items.get("42", ReadOptions.defaults().asOf(tx.hlc() - 1)).isPresent());

            // ------------------------------------------------------------ history + audit
            section("5. Lineage: a record's history and the journal audit stream");
            items.upsert(Record.of("7", data.base()[7]).withMetadata(Map.of("category", "relabelled")),
                    WriteOptions.defaults().withRequestId("relabel-7"));
            for (RecordVersion v : items.history("7")) {
                OUT.printf("  %-6s at %s  %s#%d  request %-12s category=%s%s%n", v.operation(), Hlc.format(v.hlc()),
                        v.partition(), v.sequence(), v.requestId(),
                        v.record().map(r -> r.metadata().get("category")).orElse("-"),
                        v.isCurrent() ? "  (current)" : "");
            }
            for (RecordVersion v : archive.history("42")) {
                OUT.printf("  archive/42: %s in transaction %d%n", v.operation(), v.transactionId());
            }
            try (var cursor = db.journal().readFromHlc(tx.hlc())) {
                OUT.println("  journal from the transaction on:");
                cursor.forEachRemaining(r -> OUT.printf("    %s#%d  %-10s %s%n", r.partition(), r.sequence(),
                        r.requestId(), r.operations().stream().map(op -> op.getClass().getSimpleName()).toList()));
            }
            countBefore = items.count(ReadOptions.defaults().withConsistency(Consistency.STRONG));
        }

        // ------------------------------------------------------------ reopen
        section("6. Close and reopen (checkpoint + journal replay)");
        long r0 = System.nanoTime();
        try (Vecraft db = open(dir, etcd)) {
            double openMs = (System.nanoTime() - r0) / 1e6;
            Collection items = db.collection("items");
            long countAfter = items.count();
            OUT.printf("  reopened in %.0f ms: %,d records (before close: %,d) %s%n", openMs, countAfter, countBefore,
                    countAfter == countBefore ? "- nothing lost" : "- MISMATCH");
            OUT.printf("  recall@10 after reopen: %.3f%n", recall(items, data, exactTopK(data, 10, i -> i != 42),
                    Consistency.EVENTUAL, null, i -> i != 42));
            if (countAfter != countBefore) {
                System.exit(1);
            }
        }
        section("Done");
        OUT.println("  Next: see README.md for the API, consistency levels and durability modes.");
    }

    /** Opens the embedded database in {@code dir}, or a client of the raft cluster whose etcd is given. */
    private static Vecraft open(Path dir, String etcd) {
        if (etcd.isBlank()) {
            return Vecraft.open(dir);
        }
        return Vecraft.builder(dir).withCluster(ClusterConfig.of("raft").with("etcd", etcd)).open();
    }

    private static double recall(Collection c, Datasets.Dataset data, int[][] exact, Consistency level, Filter filter,
                                 IntPredicate allowed) {
        int found = 0;
        int wanted = 0;
        for (int q = 0; q < data.queries().length; q++) {
            SearchRequest req = SearchRequest.of(data.queries()[q], 10).withConsistency(level)
                    .includeMetadata(false).includeDocument(false);
            if (filter != null) {
                req = req.withFilter(filter);
            }
            Set<String> want = new HashSet<>();
            for (int id : exact[q]) {
                want.add(Integer.toString(id));
            }
            wanted += want.size();
            for (SearchHit h : c.search(req).hits()) {
                if (want.contains(h.id())) {
                    found++;
                }
            }
        }
        return wanted == 0 ? 1.0 : (double) found / wanted;
    }

    /** Exact top-k by brute force (the ground truth file only covers unfiltered search of the full set). */
    private static int[][] exactTopK(Datasets.Dataset data, int k, IntPredicate allowed) {
        int[][] out = new int[data.queries().length][];
        for (int q = 0; q < data.queries().length; q++) {
            float[] qv = data.queries()[q];
            // max-heap of the k best so far, by distance
            java.util.PriorityQueue<double[]> heap = new java.util.PriorityQueue<>((a, b) -> Double.compare(b[0], a[0]));
            for (int i = 0; i < data.base().length; i++) {
                if (!allowed.test(i)) {
                    continue;
                }
                double d = l2(data.base()[i], qv);
                if (heap.size() < k) {
                    heap.add(new double[] {d, i});
                } else if (d < heap.peek()[0]) {
                    heap.poll();
                    heap.add(new double[] {d, i});
                }
            }
            out[q] = heap.stream().mapToInt(e -> (int) e[1]).toArray();
        }
        return out;
    }

    private static double l2(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    private static void section(String title) {
        OUT.println();
        OUT.println("== " + title + " " + "=".repeat(Math.max(0, 70 - title.length())));
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
