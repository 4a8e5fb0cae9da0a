package io.vecraft.benchmarks.storage;

import io.vecraft.api.AckLevel;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Durability;
import io.vecraft.api.Filter;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.Metric;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.SearchHit;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.SearchResult;
import io.vecraft.api.Vecraft;
import io.vecraft.storage.vector.VectorKernel;
import io.vecraft.storage.vector.VectorKernels;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The database benchmark (BENCHMARKS.md, "Database (through the API)"): everything Vecraft does is
 * driven through the public API ({@code io.vecraft.api}: {@link Vecraft#open}, {@link Collection#upsert},
 * {@link Collection#search}) and measured side by side with its baseline in the same JVM. It lives in
 * this package beside {@link GraphIndexHarness} because it reuses that harness's baselines (raw
 * hnswlib, Lucene, jvector), its interleaved measuring pool and the data-set readers.
 *
 * <p>Sections: (1) search: recall@10 and QPS (1 and 2 threads) over an ef sweep, Vecraft HNSW
 * ({@code IndexSpec.hnsw(16, 200, ef)}, per-query {@link SearchRequest#withEf}) against raw hnswlib,
 * Lucene's HNSW and jvector with the same M / efConstruction / ef, and Vecraft's exact index against
 * a scalar loop; headline QPS with every variant at its smallest ef reaching recall@10 >= 0.98;
 * filtered search at 1 %, 10 % and 50 % selectivity against exact filtered ground truth; one
 * recall-against-QPS PNG per data set (XChart). (2) ingest: journaled upserts (batches, ack
 * {@link AckLevel#DURABLE}, then a STRONG count that waits until every shard applied them) under
 * ASYNC and SYNC durability against a raw hnswlib build of the same vectors. (3) recovery: reopen of
 * a crash image (no checkpoint: full journal replay) and of a checkpointed directory. (4) memory:
 * heap after GC plus the database's files per vector against raw hnswlib. (5) consistency cost:
 * STRONG against EVENTUAL search latency while a writer upserts. Journal append against raw
 * Chronicle Queue is the JMH benchmark {@code io.vecraft.benchmarks.journal.JournalAppendBenchmark}.
 *
 * <p>Run (see BENCHMARKS.md): {@code java <vecraft.jvm.options> -Xmx6g -XX:+UseParallelGC -cp
 * benchmarks.jar io.vecraft.benchmarks.storage.VecraftHarness [--quick] [--sift DIR] [--fashion DIR]
 * [--fashion-n N] [--queries N] [--scale-n N] [--gen-n N] [--results DIR] [--append FILE]
 * [--work DIR] [--cache DIR] [--skip-search] [--skip-scale]}. Output: markdown on stdout, PNGs
 * under {@code --results}, the markdown appended to {@code --append} when given.
 *
 * <p>Not thread-safe; a command-line tool.
 */
public final class VecraftHarness {

    static final int M = 16;
    static final int EF_CONSTRUCTION = 200;
    static final int K = 10;
    static final double TARGET_RECALL = 0.98;
    static final int BUCKETS = 100;

    private VecraftHarness() {
    }

    /** Command-line settings. */
    static final class Options {
        boolean quick;
        Path sift = Path.of("/work/shared/datasets/siftsmall");
        Path fashion = Path.of("/usr/share/datasets/fashion-mnist");
        Path results = Path.of("benchmarks/results");
        Path cache = Path.of("target/vecraft-bench-cache");
        Path append;
        Path work;
        int fashionN = 20_000;
        int queries = 500;
        int scaleN = 100_000;
        int genN = 5_000;
        int batch = 1_000;
        int[] efs = {10, 12, 16, 20, 24, 32, 48, 64, 96, 128};
        int[] sweepEfs = {10, 16, 24, 32, 64, 128};
        int rounds = 3;
        int headlineRounds = 7;
        int roundMs = 400;
        boolean search = true;
        boolean scale = true;
        String command = "";

        static Options parse(String[] args) {
            Options o = new Options();
            o.command = String.join(" ", args);
            for (String a : args) {
                if (a.equals("--quick")) {
                    o.quick = true;
                    o.fashionN = 0;
                    o.queries = 100;
                    o.scaleN = 10_000;
                    o.genN = 3_000;
                    o.efs = new int[] {10, 16, 24, 32, 64};
                    o.sweepEfs = new int[] {16, 32, 64};
                    o.rounds = 1;
                    o.headlineRounds = 3;
                    o.roundMs = 200;
                }
            }
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> { }
                    case "--sift" -> o.sift = Path.of(args[++i]);
                    case "--fashion" -> o.fashion = Path.of(args[++i]);
                    case "--fashion-n" -> o.fashionN = Integer.parseInt(args[++i]);
                    case "--queries" -> o.queries = Integer.parseInt(args[++i]);
                    case "--scale-n" -> o.scaleN = Integer.parseInt(args[++i]);
                    case "--gen-n" -> o.genN = Integer.parseInt(args[++i]);
                    case "--results" -> o.results = Path.of(args[++i]);
                    case "--append" -> o.append = Path.of(args[++i]);
                    case "--cache" -> o.cache = Path.of(args[++i]);
                    case "--work" -> o.work = Path.of(args[++i]);
                    case "--rounds" -> o.rounds = Integer.parseInt(args[++i]);
                    case "--headline-rounds" -> o.headlineRounds = Integer.parseInt(args[++i]);
                    case "--round-ms" -> o.roundMs = Integer.parseInt(args[++i]);
                    case "--skip-search" -> o.search = false;
                    case "--skip-scale" -> o.scale = false;
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]
                            + " (see the class comment of VecraftHarness)");
                }
            }
            if (o.scaleN < 2 * o.batch && o.scale) {
                throw new IllegalArgumentException("--scale-n must be at least " + 2 * o.batch + ", was " + o.scaleN);
            }
            return o;
        }
    }

    /** Markdown collected for stdout and BENCHMARKS.md. */
    private static final StringBuilder MD = new StringBuilder();

    static void out(String line) {
        System.out.println(line);
        MD.append(line).append('\n');
    }

    static void outf(String format, Object... args) {
        out(String.format(Locale.ROOT, format, args));
    }

    /**
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        run(Options.parse(args));
    }

    /** Runs the harness; returns the markdown it produced (also printed). */
    static String run(Options o) throws Exception {
        MD.setLength(0);
        long start = System.nanoTime();
        Path work = o.work != null ? Files.createDirectories(o.work) : Files.createTempDirectory("vecraft-db-bench");
        Files.createDirectories(o.results);
        VectorKernel kernel = VectorKernels.preferred();
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        String jdk = Runtime.version().feature() + "";
        out("");
        out("### Run " + date + ", JDK " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + ")"
                + (o.quick ? ", --quick" : ""));
        out("");
        out("Command: `VecraftHarness " + o.command + "` (see \"How to run\" above); "
                + Runtime.getRuntime().availableProcessors() + " cores, max heap "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB, Vecraft kernel " + kernel.name()
                + ", Lucene " + LuceneHnsw.version() + ", jvector " + JvectorGraph.version()
                + ", load average at start " + GraphIndexHarness.loadAverage() + ".");
        try {
            if (o.search) {
                List<GraphIndexHarness.Dataset> sets = new ArrayList<>();
                if (Files.exists(o.sift.resolve("siftsmall_base.fvecs"))) {
                    sets.add(GraphIndexHarness.siftsmall(o.sift));
                }
                if (o.fashionN > 0 && Files.exists(o.fashion.resolve("train-images-idx3-ubyte.gz"))) {
                    sets.add(fashion(o, kernel));
                }
                if (sets.isEmpty()) {
                    sets.add(clustered("generated clustered", o.genN, Math.max(10, o.genN / 50), 64, 7, kernel));
                }
                for (GraphIndexHarness.Dataset d : sets) {
                    search(o, d, work.resolve("search-" + sets.indexOf(d)), kernel, jdk);
                    GraphIndexHarness.HELD.clear();
                }
            }
            if (o.scale) {
                scale(o, work.resolve("scale"), kernel);
            }
        } finally {
            StorageMemoryHarness.deleteTree(work);
        }
        outf("%nWhole run: %.1f s; load average at the end %s.", (System.nanoTime() - start) / 1e9,
                GraphIndexHarness.loadAverage());
        if (o.append != null) {
            Files.writeString(o.append, MD.toString(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            System.out.println("(appended to " + o.append + ")");
        }
        return MD.toString();
    }

    // ------------------------------------------------------------------ data

    static GraphIndexHarness.Dataset fashion(Options o, VectorKernel kernel) throws Exception {
        Datasets.ByteVectors train = Datasets.fashionMnist(o.fashion, o.fashionN);
        Datasets.ByteVectors test = Datasets.fashionMnistTest(o.fashion, o.queries);
        float[][] base = new float[train.count()][];
        for (int i = 0; i < base.length; i++) {
            base[i] = train.vector(i);
        }
        float[][] q = new float[test.count()][];
        for (int i = 0; i < q.length; i++) {
            q[i] = test.vector(i);
        }
        Path cached = o.cache.resolve("fashion-mnist-truth-" + base.length + "x" + q.length + "-k" + K + ".bin");
        int[][] truth = readTruth(cached, q.length);
        if (truth == null) {
            long t0 = System.nanoTime();
            truth = GraphIndexHarness.exactTruth(base, q, K, kernel);
            System.out.printf(Locale.ROOT, "Fashion-MNIST ground truth computed in %.1f s, cached in %s%n",
                    (System.nanoTime() - t0) / 1e9, cached);
            writeTruth(cached, truth);
        }
        return new GraphIndexHarness.Dataset("Fashion-MNIST " + base.length + " x 784", base, q, truth);
    }

    static int[][] readTruth(Path file, int queries) {
        if (!Files.exists(file)) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            int n = in.readInt();
            if (n != queries) {
                return null;
            }
            int[][] t = new int[n][K];
            for (int[] row : t) {
                for (int j = 0; j < K; j++) {
                    row[j] = in.readInt();
                }
            }
            return t;
        } catch (IOException e) {
            return null;
        }
    }

    static void writeTruth(Path file, int[][] truth) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(tmp))) {
            out.writeInt(truth.length);
            for (int[] row : truth) {
                for (int v : row) {
                    out.writeInt(v);
                }
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Gaussian clusters (sigma 0.3 around centres in [-1, 1]^dim), queries drawn from the same clusters. */
    static GraphIndexHarness.Dataset clustered(String name, int n, int clusters, int dim, long seed,
                                               VectorKernel kernel) throws Exception {
        float[][] base = clusteredVectors(n, clusters, dim, seed);
        float[][] queries = clusteredVectors(Math.min(200, Math.max(20, n / 50)), clusters, dim, seed);
        // queries: same centres (same seed), fresh points
        Random r = new Random(seed ^ 0x5DEECE66DL);
        for (float[] q : queries) {
            for (int j = 0; j < dim; j++) {
                q[j] += (float) (r.nextGaussian() * 0.3);
            }
        }
        return new GraphIndexHarness.Dataset(name + " " + n + " x " + dim, base, queries,
                GraphIndexHarness.exactTruth(base, queries, K, kernel));
    }

    static float[][] clusteredVectors(int n, int clusters, int dim, long seed) {
        Random r = new Random(seed);
        float[][] centres = new float[clusters][dim];
        for (float[] c : centres) {
            for (int j = 0; j < dim; j++) {
                c[j] = r.nextFloat() * 2 - 1;
            }
        }
        float[][] v = new float[n][dim];
        for (int i = 0; i < n; i++) {
            float[] c = centres[r.nextInt(clusters)];
            for (int j = 0; j < dim; j++) {
                v[i][j] = c[j] + (float) (r.nextGaussian() * 0.3);
            }
        }
        return v;
    }

    /** A metadata bucket 0..99 per record (seeded), so that {@code bucket < s} selects s %. */
    static int[] buckets(int n) {
        Random r = new Random(99);
        int[] b = new int[n];
        for (int i = 0; i < n; i++) {
            b[i] = r.nextInt(BUCKETS);
        }
        return b;
    }

    // ------------------------------------------------------------------ the API side

    static Vecraft open(Path dir, Durability durability) {
        return Vecraft.builder(dir).withDurability(durability).withWaitTimeout(Duration.ofMinutes(30))
                .withCheckpointInterval(Duration.ofHours(1)).open();
    }

    static Collection create(Vecraft db, String name, int dim, IndexSpec index) {
        return db.createCollection(CollectionSpec.of(name, dim).withMetric(Metric.L2).withIndex(index).withShards(1));
    }

    /**
     * Upserts every vector as record {@code "<i>"} with metadata {@code bucket}, in batches acknowledged
     * once durable in the journal, then waits (a STRONG count) until the shard applied all of them.
     *
     * @return number of upsert calls (= journal entries, one receipt each)
     */
    static int ingest(Collection c, float[][] data, int[] buckets, int batch) {
        io.vecraft.api.WriteOptions w = io.vecraft.api.WriteOptions.defaults().withAckLevel(AckLevel.DURABLE);
        int calls = 0;
        List<Record> recs = new ArrayList<>(batch);
        for (int i = 0; i < data.length; i++) {
            recs.add(Record.of(Integer.toString(i), data[i]).withMetadata(Map.of("bucket", buckets[i])));
            if (recs.size() == batch || i == data.length - 1) {
                Receipt r = c.upsert(recs, w);
                if (r.sequence() < 0) {
                    throw new IllegalStateException("no receipt");
                }
                calls++;
                recs = new ArrayList<>(batch);
            }
        }
        long count = c.count(ReadOptions.defaults().withConsistency(Consistency.STRONG));
        if (count != data.length) {
            throw new IllegalStateException("count after ingest " + count + " != " + data.length);
        }
        return calls;
    }

    static GraphIndexHarness.Searcher apiSearcher(Collection c, Filter filter, Consistency consistency) {
        return (q, k, ef) -> {
            SearchRequest req = SearchRequest.of(q, k).includeMetadata(false).includeDocument(false)
                    .withConsistency(consistency);
            if (ef > 0) { // the exact index takes no ef
                req = req.withEf(ef);
            }
            if (filter != null) {
                req = req.withFilter(filter);
            }
            SearchResult r = c.search(req);
            int[] ids = new int[r.size()];
            int i = 0;
            for (SearchHit h : r.hits()) {
                ids[i++] = Integer.parseInt(h.id());
            }
            return ids;
        };
    }

    /** Raw hnswlib over its own copies of the vectors; ef set index-wide before each search if it differs. */
    static GraphIndexHarness.Searcher rawHnswlib(float[][] data) throws InterruptedException {
        com.github.jelmerk.hnswlib.core.hnsw.HnswIndex<Integer, float[], StorageMemoryHarness.RawItem, Float> raw =
                com.github.jelmerk.hnswlib.core.hnsw.HnswIndex.newBuilder(data[0].length,
                        com.github.jelmerk.hnswlib.core.DistanceFunctions.FLOAT_EUCLIDEAN_DISTANCE, data.length)
                        .withM(M).withEfConstruction(EF_CONSTRUCTION).withEf(16).build();
        for (int i = 0; i < data.length; i++) {
            raw.add(new StorageMemoryHarness.RawItem(i, data[i].clone()));
        }
        // Every measurement runs one ef at a time, so the index-wide setEf does not race.
        return (q, k, ef) -> {
            if (raw.getEf() != ef) {
                raw.setEf(ef);
            }
            var r = raw.findNearest(q, k);
            int[] ids = new int[r.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.get(i).item().id();
            }
            return ids;
        };
    }

    /** Exact search in a plain scalar loop over {@code float[][]} (the "scalar loop" baseline). */
    static GraphIndexHarness.Searcher scalarLoop(float[][] base) {
        return (q, k, ef) -> {
            long[] best = GraphIndexHarness.newBest(k);
            for (int i = 0; i < base.length; i++) {
                float[] v = base[i];
                float d = 0;
                for (int j = 0; j < v.length; j++) {
                    float x = q[j] - v[j];
                    d += x * x;
                }
                GraphIndexHarness.offer(best, d, i);
            }
            return GraphIndexHarness.ids(best);
        };
    }

    /**
     * Exact search over {@code float[][]} with Vecraft's distance kernel and nothing around it (no
     * database, no mapped store, no visibility check): the floor the exact index can approach on
     * this machine, reported next to it so its ratio to the scalar loop can be read against the
     * best SIMD can do here.
     */
    static GraphIndexHarness.Searcher simdLoop(float[][] base, VectorKernel kernel) {
        return (q, k, ef) -> {
            long[] best = GraphIndexHarness.newBest(k);
            for (int i = 0; i < base.length; i++) {
                GraphIndexHarness.offer(best, kernel.squareDistance(q, base[i]), i);
            }
            return GraphIndexHarness.ids(best);
        };
    }

    // ------------------------------------------------------------------ (1) search

    record Entry(String name, GraphIndexHarness.Searcher searcher, double buildSeconds, boolean usesEf) {
    }

    static void search(Options o, GraphIndexHarness.Dataset d, Path dir, VectorKernel kernel, String jdk)
            throws Exception {
        Files.createDirectories(dir);
        int n = d.base().length;
        int dim = d.base()[0].length;
        out("");
        outf("#### Search: %s, %d queries, k=%d, M=%d, efConstruction=%d (load %s)", d.name(), d.queries().length, K,
                M, EF_CONSTRUCTION, GraphIndexHarness.loadAverage());
        int[] buckets = buckets(n);
        List<Entry> list = new ArrayList<>();
        try (Vecraft db = open(dir.resolve("db"), Durability.ASYNC)) {
            long t0 = System.nanoTime();
            Collection hnsw = create(db, "hnsw", dim, IndexSpec.hnsw(M, EF_CONSTRUCTION, 64));
            ingest(hnsw, d.base(), buckets, o.batch);
            double vecraftBuild = (System.nanoTime() - t0) / 1e9;
            list.add(new Entry("Vecraft API, HNSW", apiSearcher(hnsw, null, Consistency.EVENTUAL), vecraftBuild, true));
            // Baselines built here without the heap measurements of GraphIndexHarness (full GCs and sleeps).
            t0 = System.nanoTime();
            GraphIndexHarness.Searcher raw = rawHnswlib(d.base());
            list.add(new Entry("raw hnswlib 1.2.1", raw, (System.nanoTime() - t0) / 1e9, true));
            t0 = System.nanoTime();
            LuceneHnsw lucene = LuceneHnsw.build(d.base(), M, EF_CONSTRUCTION);
            list.add(new Entry("Lucene " + LuceneHnsw.version() + " HNSW", lucene::search,
                    (System.nanoTime() - t0) / 1e9, true));
            t0 = System.nanoTime();
            JvectorGraph jv = JvectorGraph.build(d.base(), 2 * M, M, EF_CONSTRUCTION);
            list.add(new Entry("jvector " + JvectorGraph.version(), jv::search, (System.nanoTime() - t0) / 1e9,
                    true));
            t0 = System.nanoTime();
            Collection exact = create(db, "exact", dim, IndexSpec.exact());
            ingest(exact, d.base(), buckets, o.batch);
            double exactBuild = (System.nanoTime() - t0) / 1e9;
            Entry exactApi = new Entry("Vecraft API, exact index", apiSearcher(exact, null, Consistency.EVENTUAL),
                    exactBuild, false);
            Entry loop = new Entry("scalar loop (float[][], no SIMD)", scalarLoop(d.base()), 0, false);
            System.out.printf(Locale.ROOT, "built: %s%n", list.stream()
                    .map(e -> e.name() + " " + String.format(Locale.ROOT, "%.1f s", e.buildSeconds())).toList());

            GraphIndexHarness.Pool pool = new GraphIndexHarness.Pool(2);
            try {
                int[] efs = o.efs;
                double[][] recall = new double[list.size()][efs.length];
                int[] at98 = new int[list.size()];
                for (int vi = 0; vi < list.size(); vi++) {
                    at98[vi] = -1;
                    for (int e = 0; e < efs.length; e++) {
                        recall[vi][e] = GraphIndexHarness.recall(list.get(vi).searcher(), d, efs[e]);
                        if (at98[vi] < 0 && recall[vi][e] >= TARGET_RECALL) {
                            at98[vi] = e;
                        }
                    }
                }
                // Headline: each HNSW variant at its smallest ef reaching the target, interleaved rounds.
                double[][] head = new double[list.size()][2];
                for (int threads = 1; threads <= 2; threads++) {
                    double[][] r = new double[list.size()][o.headlineRounds];
                    for (int round = -1; round < o.headlineRounds; round++) { // round -1: warm-up
                        for (int vi = 0; vi < list.size(); vi++) {
                            if (at98[vi] >= 0) {
                                double q = pool.measure(list.get(vi).searcher(), d.queries(), efs[at98[vi]], threads,
                                        o.roundMs);
                                if (round >= 0) {
                                    r[vi][round] = q;
                                }
                            }
                        }
                    }
                    for (int vi = 0; vi < list.size(); vi++) {
                        Arrays.sort(r[vi]);
                        head[vi][threads - 1] = GraphIndexHarness.median(r[vi]);
                    }
                }
                out("");
                outf("Build (Vecraft: journaled ingest through the API until applied, 1 shard): %s.", String.join(", ",
                        list.stream().map(e -> String.format(Locale.ROOT, "%s %.1f s", e.name(), e.buildSeconds()))
                                .toList()));
                out("");
                outf("QPS at recall@10 >= %.2f, each variant at its smallest ef reaching it (%d interleaved rounds of"
                        + " %d ms, medians):", TARGET_RECALL, o.headlineRounds, o.roundMs);
                out("");
                out("| variant | ef | recall@10 | QPS 1 thread | QPS 2 threads |");
                out("|---|---:|---:|---:|---:|");
                for (int vi = 0; vi < list.size(); vi++) {
                    if (at98[vi] < 0) {
                        outf("| %s | - | < %.2f at every ef | - | - |", list.get(vi).name(), TARGET_RECALL);
                    } else {
                        outf("| %s | %d | %.3f | %,.0f | %,.0f |", list.get(vi).name(), efs[at98[vi]],
                                recall[vi][at98[vi]], head[vi][0], head[vi][1]);
                    }
                }
                for (int t = 0; t < 2; t++) {
                    double top = 0;
                    String who = "-";
                    for (int vi = 1; vi < list.size(); vi++) {
                        if (at98[vi] >= 0 && head[vi][t] > top) {
                            top = head[vi][t];
                            who = list.get(vi).name();
                        }
                    }
                    if (at98[0] >= 0 && top > 0) {
                        double ratio = head[0][t] / top;
                        outf("%n%d thread(s): Vecraft API / best baseline (%s) = **%.2fx** (target >= 1.2x: %s).",
                                t + 1, who, ratio, ratio >= 1.2 ? "met" : "not met");
                    }
                }
                // Sweep: QPS per ef, interleaved per ef, for the table and the plot.
                int[] sweep = Arrays.stream(o.sweepEfs).filter(x -> Arrays.stream(efs).anyMatch(y -> y == x))
                        .toArray();
                double[][][] sq = new double[list.size()][sweep.length][2];
                for (int s = 0; s < sweep.length; s++) {
                    int ef = sweep[s];
                    for (int threads = 1; threads <= 2; threads++) {
                        double[][] r = new double[list.size()][o.rounds];
                        for (int round = -1; round < o.rounds; round++) {
                            for (int vi = 0; vi < list.size(); vi++) {
                                double q = pool.measure(list.get(vi).searcher(), d.queries(), ef, threads,
                                        round < 0 ? o.roundMs / 2 : o.roundMs);
                                if (round >= 0) {
                                    r[vi][round] = q;
                                }
                            }
                        }
                        for (int vi = 0; vi < list.size(); vi++) {
                            Arrays.sort(r[vi]);
                            sq[vi][s][threads - 1] = GraphIndexHarness.median(r[vi]);
                        }
                    }
                }
                // Exact: API exact index against the scalar loop (and the SIMD floor), interleaved, 1 thread.
                Entry floor = new Entry("SIMD loop (float[][], " + kernel.name() + ", no database)",
                        simdLoop(d.base(), kernel), 0, false);
                List<Entry> exacts = List.of(exactApi, loop, floor);
                double[][] ex = new double[exacts.size()][Math.max(1, o.rounds)];
                for (int round = -1; round < ex[0].length; round++) {
                    for (int i = 0; i < exacts.size(); i++) { // round -1: warm-up, twice as long (few queries per round)
                        double q = pool.measure(exacts.get(i).searcher(), d.queries(), 0, 1,
                                round < 0 ? 2 * o.roundMs : o.roundMs);
                        if (round >= 0) {
                            ex[i][round] = q;
                        }
                    }
                }
                double exactRecall = GraphIndexHarness.recall(exactApi.searcher(), d, 0);
                double loopRecall = GraphIndexHarness.recall(loop.searcher(), d, 0);
                for (double[] e : ex) {
                    Arrays.sort(e);
                }
                double exactQps = GraphIndexHarness.median(ex[0]);
                double loopQps = GraphIndexHarness.median(ex[1]);
                double floorQps = GraphIndexHarness.median(ex[2]);
                out("");
                outf("ef sweep (%d interleaved rounds of %d ms per ef, medians; QPS 1 / 2 threads):", o.rounds,
                        o.roundMs);
                out("");
                StringBuilder h = new StringBuilder("| variant |");
                StringBuilder sep = new StringBuilder("|---|");
                for (int ef : sweep) {
                    h.append(" ef ").append(ef).append(": recall, QPS 1/2 thr |");
                    sep.append("---|");
                }
                out(h.toString());
                out(sep.toString());
                for (int vi = 0; vi < list.size(); vi++) {
                    StringBuilder row = new StringBuilder("| " + list.get(vi).name() + " |");
                    for (int s = 0; s < sweep.length; s++) {
                        int e = indexOf(efs, sweep[s]);
                        row.append(String.format(Locale.ROOT, " %.3f, %,.0f / %,.0f |", recall[vi][e], sq[vi][s][0],
                                sq[vi][s][1]));
                    }
                    out(row.toString());
                }
                out("");
                outf("Exact search, 1 thread (%d interleaved rounds): Vecraft API exact index %,.0f QPS (recall %.3f)"
                                + " vs scalar loop %,.0f QPS (recall %.3f): **%.2fx** (target >= 4x: %s).", ex[0].length,
                        exactQps, exactRecall, loopQps, loopRecall, exactQps / loopQps,
                        exactQps / loopQps >= 4 ? "met" : "not met");
                outf("Floor, same rounds: a SIMD loop over the same vectors on the heap, without the database, %,.0f QPS"
                        + " = %.2fx the scalar loop; the exact index reaches %.0f %% of it.", floorQps,
                        floorQps / loopQps, 100 * exactQps / floorQps);

                // Filtered search.
                filtered(o, d, hnsw, exact, buckets, pool, at98[0] >= 0 ? efs[at98[0]] : 64, kernel);

                // Plot.
                Path png = o.results.resolve("recall-qps-" + slug(d.name()) + "-jdk" + jdk + ".png");
                plot(d.name() + " (JDK " + Runtime.version().feature() + ", 1 thread)", list, recall, efs, sweep, sq,
                        exactApi.name(), exactQps, exactRecall, png);
                out("");
                out("Plot: [" + png.getFileName() + "](benchmarks/results/" + png.getFileName() + ")");
                outf("%nRecall@10 over the ef grid %s:", Arrays.toString(efs));
                out("");
                for (int vi = 0; vi < list.size(); vi++) {
                    StringBuilder row = new StringBuilder("- " + list.get(vi).name() + ":");
                    for (double x : recall[vi]) {
                        row.append(String.format(Locale.ROOT, " %.3f", x));
                    }
                    out(row.toString());
                }
            } finally {
                pool.close();
            }
        }
    }

    static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    static String slug(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    static void filtered(Options o, GraphIndexHarness.Dataset d, Collection hnsw, Collection exact, int[] buckets,
                         GraphIndexHarness.Pool pool, int ef, VectorKernel kernel) throws Exception {
        out("");
        outf("Filtered search (`Filter.lt(\"bucket\", s)`, bucket uniform in 0..99; exact filtered ground truth;"
                + " HNSW at ef=%d and at ef=64; %d interleaved rounds, 1 thread):", ef, Math.max(1, o.rounds));
        out("");
        out("| selectivity | Vecraft HNSW ef=" + ef + " recall / QPS | Vecraft HNSW ef=64 recall / QPS"
                + " | Vecraft exact index recall / QPS | HNSW(ef=" + ef + ") / exact QPS |");
        out("|---:|---|---|---|---:|");
        for (int pct : new int[] {1, 10, 50}) {
            Filter f = Filter.lt("bucket", pct);
            int[][] truth = filteredTruth(d, buckets, pct, kernel);
            GraphIndexHarness.Dataset fd = new GraphIndexHarness.Dataset(d.name(), d.base(), d.queries(), truth);
            GraphIndexHarness.Searcher h = apiSearcher(hnsw, f, Consistency.EVENTUAL);
            GraphIndexHarness.Searcher e = apiSearcher(exact, f, Consistency.EVENTUAL);
            double rh = GraphIndexHarness.recall(h, fd, ef);
            double rh64 = GraphIndexHarness.recall(h, fd, 64);
            double re = GraphIndexHarness.recall(e, fd, 0);
            int rounds = Math.max(1, o.rounds);
            double[][] q = new double[3][rounds];
            for (int round = -1; round < rounds; round++) {
                double a = pool.measure(h, d.queries(), ef, 1, o.roundMs);
                double b = pool.measure(h, d.queries(), 64, 1, o.roundMs);
                double c = pool.measure(e, d.queries(), 0, 1, o.roundMs);
                if (round >= 0) {
                    q[0][round] = a;
                    q[1][round] = b;
                    q[2][round] = c;
                }
            }
            for (double[] x : q) {
                Arrays.sort(x);
            }
            double m0 = GraphIndexHarness.median(q[0]);
            outf("| %d %% | %.3f / %,.0f | %.3f / %,.0f | %.3f / %,.0f | %.2fx |", pct, rh, m0, rh64,
                    GraphIndexHarness.median(q[1]), re, GraphIndexHarness.median(q[2]),
                    m0 / GraphIndexHarness.median(q[2]));
        }
    }

    /** Exact top-k among the base vectors whose bucket is below {@code pct}; -1 pads short lists. */
    static int[][] filteredTruth(GraphIndexHarness.Dataset d, int[] buckets, int pct, VectorKernel kernel) {
        int[][] t = new int[d.queries().length][];
        for (int qi = 0; qi < t.length; qi++) {
            float[] q = d.queries()[qi];
            long[] best = GraphIndexHarness.newBest(K);
            for (int i = 0; i < d.base().length; i++) {
                if (buckets[i] < pct) {
                    GraphIndexHarness.offer(best, kernel.squareDistance(q, d.base()[i]), i);
                }
            }
            t[qi] = GraphIndexHarness.ids(best);
        }
        return t;
    }

    static void plot(String title, List<Entry> list, double[][] recall, int[] efs, int[] sweep, double[][][] sq,
                     String exactName, double exactQps, double exactRecall, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(600).title("recall@10 vs QPS: " + title)
                .xAxisTitle("recall@10").yAxisTitle("queries per second (median, log scale)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        for (int vi = 0; vi < list.size(); vi++) {
            double[] xs = new double[sweep.length];
            double[] ys = new double[sweep.length];
            for (int s = 0; s < sweep.length; s++) {
                xs[s] = recall[vi][indexOf(efs, sweep[s])];
                ys[s] = Math.max(1, sq[vi][s][0]);
            }
            chart.addSeries(list.get(vi).name(), xs, ys);
        }
        XYSeries ex = chart.addSeries(exactName, new double[] {exactRecall}, new double[] {Math.max(1, exactQps)});
        ex.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        ex.setMarker(SeriesMarkers.DIAMOND);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    // ------------------------------------------------------------------ (2)-(5) at scale

    static long filesBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    /** @return bytes the file system allocated under {@code dir} ({@code du -s -B1}; files are sparse), or -1 */
    static long allocatedBytes(Path dir) {
        try {
            Process p = new ProcessBuilder("du", "-s", "-B1", dir.toString()).redirectErrorStream(true).start();
            String outText = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Long.parseLong(outText.split("\\s+")[0]);
        } catch (Exception e) {
            return -1;
        }
    }

    static Map<String, Long> filesByTop(Path dir) throws IOException {
        Map<String, Long> m = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).sorted().forEach(p -> {
                Path rel = dir.relativize(p);
                String top = rel.getNameCount() > 1 ? rel.getName(0).toString() : "(top-level files)";
                try {
                    m.merge(top, Files.size(p), Long::sum);
                } catch (IOException e) {
                    // vanished (e.g. a temporary file): not counted
                }
            });
        }
        return m;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path dst = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else if (!p.getFileName().toString().endsWith(".lock")) {
                    Files.copy(p, dst, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void scale(Options o, Path dir, VectorKernel kernel) throws Exception {
        int n = o.scaleN;
        int dim = 128;
        Files.createDirectories(dir);
        float[][] data = clusteredVectors(n, 100, dim, 11);
        int[] buckets = buckets(n);
        out("");
        outf("#### Ingest, recovery, memory, consistency: generated clustered %,d x %d (100 Gaussian clusters),"
                + " M=%d, efConstruction=%d, 1 shard, batches of %,d records (load %s)", n, dim, M, EF_CONSTRUCTION,
                o.batch, GraphIndexHarness.loadAverage());

        // Raw hnswlib: build time and heap (its own float[] copies counted).
        GraphIndexHarness.Variant raw = GraphIndexHarness.raw(data);
        GraphIndexHarness.HELD.clear();
        double rawRate = n / raw.buildSeconds();

        // Vecraft ASYNC, HNSW.
        Path asyncDir = dir.resolve("async");
        long heap0 = StorageMemoryHarness.usedHeapAfterGc();
        Vecraft db = open(asyncDir, Durability.ASYNC);
        long t0 = System.nanoTime();
        Collection c = create(db, "v", dim, IndexSpec.hnsw(M, EF_CONSTRUCTION, 64));
        int calls = ingest(c, data, buckets, o.batch);
        double asyncS = (System.nanoTime() - t0) / 1e9;
        long heapOpen = StorageMemoryHarness.usedHeapAfterGc();
        Map<String, Long> files = filesByTop(asyncDir);
        long fileBytes = filesBytes(asyncDir);
        long allocated = allocatedBytes(asyncDir);
        long journalAllocated = allocatedBytes(asyncDir.resolve("journal"));
        Path crash = dir.resolve("async-crash-image");
        copyTree(asyncDir, crash); // quiescent copy of an open database: a crash image without a checkpoint
        long c0 = System.nanoTime();
        db.checkpoint();
        double checkpointS = (System.nanoTime() - c0) / 1e9;
        db.close();
        // The heap the database held, two ways: growth from before open to after ingest, and what
        // closing it freed (locals cleared first: this method runs interpreted, where a dead local
        // still pins its object). A collection between the first two readings that frees garbage
        // of earlier sections makes the first one too low (it went negative in a run); the larger
        // of the two is reported, so the error can only overstate Vecraft's memory.
        c = null;
        db = null;
        long heapClosed = StorageMemoryHarness.usedHeapAfterGc();
        long heapGrowth = heapOpen - heap0;
        long heapFreed = heapOpen - heapClosed;
        long heap = Math.max(heapGrowth, heapFreed);

        // Vecraft SYNC, HNSW.
        Path syncDir = dir.resolve("sync");
        double syncS;
        try (Vecraft sdb = open(syncDir, Durability.SYNC)) {
            t0 = System.nanoTime();
            ingest(create(sdb, "v", dim, IndexSpec.hnsw(M, EF_CONSTRUCTION, 64)), data, buckets, o.batch);
            syncS = (System.nanoTime() - t0) / 1e9;
        }
        StorageMemoryHarness.deleteTree(syncDir);

        // Exact index (journal + storage apply without graph work), for the replay rate.
        Path exactDir = dir.resolve("exact");
        Path exactCrash = dir.resolve("exact-crash-image");
        double exactIngestS;
        try (Vecraft edb = open(exactDir, Durability.ASYNC)) {
            t0 = System.nanoTime();
            ingest(create(edb, "v", dim, IndexSpec.exact()), data, buckets, o.batch);
            exactIngestS = (System.nanoTime() - t0) / 1e9;
            copyTree(exactDir, exactCrash);
        }

        double reopenCheckpoint = reopen(asyncDir, n);
        double replayHnsw = reopen(crash, n);
        double replayExact = reopen(exactCrash, n);
        double reopenExactCheckpoint = reopen(exactDir, n);
        StorageMemoryHarness.deleteTree(crash);
        StorageMemoryHarness.deleteTree(exactCrash);
        StorageMemoryHarness.deleteTree(exactDir);

        out("");
        out("Ingest (upsert calls acknowledged DURABLE, then a STRONG count waits until applied; the rate counts"
                + " from the first upsert to the end of that wait):");
        out("");
        out("| variant | seconds | records/s | vs raw hnswlib build |");
        out("|---|---:|---:|---:|");
        outf("| raw hnswlib 1.2.1 build (single thread, `add`) | %.1f | %,.0f | 1.00 |", raw.buildSeconds(), rawRate);
        outf("| Vecraft API, ASYNC durability, HNSW | %.1f | %,.0f | **%.2f** |", asyncS, n / asyncS,
                (n / asyncS) / rawRate);
        outf("| Vecraft API, SYNC durability, HNSW | %.1f | %,.0f | %.2f |", syncS, n / syncS, (n / syncS) / rawRate);
        outf("| Vecraft API, ASYNC, exact index (no graph) | %.1f | %,.0f | %.2f |", exactIngestS, n / exactIngestS,
                (n / exactIngestS) / rawRate);
        out("");
        outf("ASYNC ingest target >= 0.8x raw hnswlib: %s.", (n / asyncS) / rawRate >= 0.8 ? "met" : "not met");
        out("");
        outf("Recovery (%,d records in %,d journal entries = upsert calls of %,d records; reopen = `Vecraft.open` until"
                + " a STRONG count returns all records):", n, calls, o.batch);
        out("");
        out("| case | reopen s | records/s | journal entries/s |");
        out("|---|---:|---:|---:|");
        outf("| HNSW, crash image without checkpoint (full journal replay, graph rebuilt) | %.2f | %,.0f | %,.0f |",
                replayHnsw, n / replayHnsw, calls / replayHnsw);
        outf("| exact index, crash image without checkpoint (full journal replay) | %.2f | %,.0f | %,.0f |",
                replayExact, n / replayExact, calls / replayExact);
        outf("| HNSW, after `checkpoint()` + close (checkpoint took %.2f s) | %.2f | - | - |", checkpointS,
                reopenCheckpoint);
        outf("| exact index, after close (close checkpoints) | %.2f | - | - |", reopenExactCheckpoint);
        out("");
        outf("Memory after ingest: heap = used heap after GC held by the database (the larger of its growth from"
                + " before opening to after the ingest and of what closing it freed);"
                + " files = bytes the file system allocated under the database directory (`du`: Vecraft's shard files"
                + " are mapped, the journal is Chronicle Queue's mapped cycle files), file lengths in brackets (sparse,"
                + " preallocated in chunks):");
        out("");
        out("| variant | heap B/vector | files B/vector | total B/vector | vs raw hnswlib |");
        out("|---|---:|---:|---:|---:|");
        double rawPer = raw.heapBytes() / (double) n;
        outf("| raw hnswlib 1.2.1 (its own float[] copies) | %.0f | 0 | %.0f | 1.00 |", rawPer, rawPer);
        long journalBytes = files.entrySet().stream().filter(e -> e.getKey().contains("journal"))
                .mapToLong(Map.Entry::getValue).sum();
        double noJournal = (heap + allocated - journalAllocated) / (double) n;
        outf("| Vecraft API, shard files (without the journal) | %.0f | %.0f (%.0f) | %.0f | **%.2f** |",
                heap / (double) n, (allocated - journalAllocated) / (double) n, (fileBytes - journalBytes) / (double) n,
                noJournal, noJournal / rawPer);
        double total = (heap + allocated) / (double) n;
        outf("| Vecraft API, all files (journal included) | %.0f | %.0f (%.0f) | %.0f | %.2f |", heap / (double) n,
                allocated / (double) n, fileBytes / (double) n, total, total / rawPer);
        out("");
        out("File lengths by top-level directory: " + files.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %,d B", e.getKey(), e.getValue())).toList()
                + "; allocated: journal " + String.format(Locale.ROOT, "%,d B", journalAllocated) + ", all "
                + String.format(Locale.ROOT, "%,d B", allocated) + ". Heap: growth from open to after ingest "
                + String.format(Locale.ROOT, "%,d B", heapGrowth) + ", freed by close "
                + String.format(Locale.ROOT, "%,d B", heapFreed) + " (the larger is used). Memory target <= 1.3x"
                + " raw hnswlib: "
                + (heap <= 0 ? "undecided: both heap readings are non-positive, so this run's heap column is invalid"
                        : (noJournal / rawPer <= 1.3 ? "met" : "not met") + " for the shard files, "
                        + (total / rawPer <= 1.3 ? "met" : "not met") + " with the journal counted") + ".");

        consistency(o, asyncDir, data);
        StorageMemoryHarness.deleteTree(asyncDir);
    }

    /** @return seconds from {@code Vecraft.open} until a STRONG count sees all {@code n} records */
    static double reopen(Path dir, int n) {
        long t0 = System.nanoTime();
        try (Vecraft db = open(dir, Durability.ASYNC)) {
            long count = db.collection("v").count(ReadOptions.defaults().withConsistency(Consistency.STRONG));
            double s = (System.nanoTime() - t0) / 1e9;
            if (count != n) {
                throw new IllegalStateException("reopened " + dir + " with " + count + " records, expected " + n);
            }
            return s;
        }
    }

    static void consistency(Options o, Path dir, float[][] data) throws Exception {
        try (Vecraft db = open(dir, Durability.ASYNC)) {
            Collection c = db.collection("v");
            int queries = o.quick ? 300 : 2_000;
            Random r = new Random(5);
            float[][] qs = new float[64][];
            for (int i = 0; i < qs.length; i++) {
                qs[i] = data[r.nextInt(data.length)];
            }
            GraphIndexHarness.Searcher strong = apiSearcher(c, null, Consistency.STRONG);
            GraphIndexHarness.Searcher eventual = apiSearcher(c, null, Consistency.EVENTUAL);
            // Idle first (no writer), then under a writer upserting single records (ack APPLIED).
            long[][] idle = latencies(List.of(strong, eventual), qs, queries);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong();
            Thread writer = new Thread(() -> {
                Random wr = new Random(6);
                int id = data.length;
                while (!stop.get()) {
                    float[] v = data[wr.nextInt(data.length)].clone();
                    v[0] += 0.01f;
                    c.upsert(Record.of(Integer.toString(id++), v).withMetadata(Map.of("bucket", 0)));
                    writes.incrementAndGet();
                }
            }, "vecraft-bench-writer");
            writer.start();
            long w0 = System.nanoTime();
            long[][] loaded;
            try {
                loaded = latencies(List.of(strong, eventual), qs, queries);
            } finally {
                stop.set(true);
                writer.join();
            }
            double writeRate = writes.get() / ((System.nanoTime() - w0) / 1e9);
            out("");
            outf("Consistency cost: search latency (k=10, ef=64, %,d queries per level, STRONG and EVENTUAL"
                    + " alternating in blocks of 50), idle and while one writer thread upserts single records"
                    + " (ack APPLIED, %,.0f writes/s during the measurement):", queries, writeRate);
            out("");
            out("| load | level | p50 us | p99 us | mean us |");
            out("|---|---|---:|---:|---:|");
            String[] names = {"STRONG", "EVENTUAL"};
            for (int i = 0; i < 2; i++) {
                outf("| idle | %s | %s |", names[i], stats(idle[i]));
            }
            for (int i = 0; i < 2; i++) {
                outf("| writer | %s | %s |", names[i], stats(loaded[i]));
            }
            outf("%nUnder the write load STRONG / EVENTUAL: p50 %.2fx, mean %.2fx.",
                    pct(loaded[0], 0.5) / pct(loaded[1], 0.5), mean(loaded[0]) / mean(loaded[1]));
        }
    }

    static long[][] latencies(List<GraphIndexHarness.Searcher> s, float[][] qs, int queries) {
        long[][] lat = new long[s.size()][queries];
        for (int warm = 0; warm < 200; warm++) {
            for (GraphIndexHarness.Searcher x : s) {
                x.search(qs[warm % qs.length], K, 64);
            }
        }
        int block = 50;
        int[] filled = new int[s.size()];
        int q = 0;
        while (filled[0] < queries) {
            for (int i = 0; i < s.size(); i++) {
                for (int b = 0; b < block && filled[i] < queries; b++) {
                    long t0 = System.nanoTime();
                    s.get(i).search(qs[q++ % qs.length], K, 64);
                    lat[i][filled[i]++] = System.nanoTime() - t0;
                }
            }
        }
        for (long[] l : lat) {
            Arrays.sort(l);
        }
        return lat;
    }

    static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e3;
    }

    static double mean(long[] a) {
        return Arrays.stream(a).average().orElse(0) / 1e3;
    }

    static String stats(long[] sorted) {
        return String.format(Locale.ROOT, "%,.0f | %,.0f | %,.0f", pct(sorted, 0.5), pct(sorted, 0.99), mean(sorted));
    }
}
