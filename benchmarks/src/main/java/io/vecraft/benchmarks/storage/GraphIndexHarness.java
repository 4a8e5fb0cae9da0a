package io.vecraft.benchmarks.storage;

import com.github.jelmerk.hnswlib.core.DistanceFunctions;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import io.vecraft.api.Metric;
import io.vecraft.storage.index.GraphVectorIndex;
import io.vecraft.storage.index.HnswVectorIndex;
import io.vecraft.storage.index.SearchResults;
import io.vecraft.storage.index.VectorIndex;
import io.vecraft.storage.vector.VectorKernel;
import io.vecraft.storage.vector.VectorKernels;
import io.vecraft.storage.vector.VectorScorer;
import io.vecraft.storage.vector.VectorStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Graph-index benchmark (BENCHMARKS.md, "Graph index"): {@link GraphVectorIndex} against
 * {@link HnswVectorIndex}, raw jelmerk hnswlib, Lucene's HNSW ({@code org.apache.lucene.util.hnsw},
 * graph and vectors on the heap) and jvector (hierarchical graph, vectors on the heap), all with
 * M=16 (jvector: max degree 32 on level 0 and 16 above, as HNSW) and efConstruction=200 over the
 * same vectors, built single-threaded in the same JVM.
 *
 * <p>Per data set: (1) recall@10 of every variant over an ef grid; (2) the headline: each variant
 * at its smallest ef reaching recall@10 >= 0.98, QPS with 1 and 2 search threads in interleaved
 * rounds (each round runs every variant for the same time, so the variants share whatever else
 * the machine does; median and best round reported); (3) QPS over part of the grid, interleaved
 * per ef. The load
 * average is printed before and after each data set. Memory: heap bytes per vector of raw hnswlib
 * (its own {@code float[]} copies included) versus {@link GraphVectorIndex} (heap) plus the vector
 * slots of its mapped store, measured after full GCs around each build.
 *
 * <p>Run: {@code java <vecraft.jvm.options> -Xmx8g -XX:+UseParallelGC -cp benchmarks/target/benchmarks.jar
 * io.vecraft.benchmarks.storage.GraphIndexHarness [--sift DIR] [--fashion DIR] [--skip-sift]
 * [--skip-fashion] [--queries N] [--efs 10,12,...] [--sweep-efs 16,32,...] [--rounds R]
 * [--headline-rounds R] [--round-ms MS]
 * [--variants graph,hnsw-index,raw,lucene,jvector] [--work DIR]}.
 */
public final class GraphIndexHarness {

    static final int M = 16;
    static final int EF_CONSTRUCTION = 200;
    static final int K = 10;
    static final double TARGET_RECALL = 0.98;
    static int headlineRounds = 15;
    static int[] sweepEfs = {16, 32, 64, 128};

    private GraphIndexHarness() {
    }

    /** A built index under test: thread-safe search returning the ids of the k nearest. */
    interface Searcher {
        int[] search(float[] query, int k, int ef);
    }

    record Variant(String name, double buildSeconds, long heapBytes, long mappedBytes, Searcher searcher,
                   long indexEstimate) {
        Variant(String name, double buildSeconds, long heapBytes, long mappedBytes, Searcher searcher) {
            this(name, buildSeconds, heapBytes, mappedBytes, searcher, -1);
        }
    }

    record Dataset(String name, float[][] base, float[][] queries, int[][] truth) {
    }

    /**
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path sift = Path.of("/work/shared/datasets/siftsmall");
        Path fashion = Path.of("/usr/share/datasets/fashion-mnist");
        Path work = Files.createTempDirectory("vecraft-graph-bench");
        boolean doSift = true;
        boolean doFashion = true;
        int queries = 1000;
        int[] efs = {10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 64, 96, 128};
        int rounds = 5;
        int roundMs = 500;
        Set<String> variants = new LinkedHashSet<>(List.of("graph", "hnsw-index", "raw", "lucene", "jvector"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sift" -> sift = Path.of(args[++i]);
                case "--fashion" -> fashion = Path.of(args[++i]);
                case "--work" -> work = Path.of(args[++i]);
                case "--skip-sift" -> doSift = false;
                case "--skip-fashion" -> doFashion = false;
                case "--queries" -> queries = Integer.parseInt(args[++i]);
                case "--efs" -> efs = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--headline-rounds" -> headlineRounds = Integer.parseInt(args[++i]);
                case "--sweep-efs" -> sweepEfs = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--round-ms" -> roundMs = Integer.parseInt(args[++i]);
                case "--variants" -> variants = new LinkedHashSet<>(List.of(args[++i].split(",")));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        VectorKernel kernel = VectorKernels.preferred();
        System.out.println("# Vecraft graph-index harness, " + ZonedDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")) + ", JDK " + Runtime.version() + " ("
                + System.getProperty("java.vm.vendor") + "), " + Runtime.getRuntime().availableProcessors()
                + " cores, max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB, Vecraft kernel "
                + kernel.name() + ", Lucene " + LuceneHnsw.version() + ", jvector " + JvectorGraph.version());
        System.out.println("# variants " + variants + ", recall ef grid " + Arrays.toString(efs) + ", headline "
                + headlineRounds + " rounds, sweep efs " + Arrays.toString(sweepEfs) + " x " + rounds + " rounds, "
                + roundMs + " ms per round");
        try {
            // Data sets are loaded in their own methods so that nothing but the Dataset stays
            // reachable from this frame while heap bytes are measured.
            if (doSift && Files.exists(sift.resolve("siftsmall_base.fvecs"))) {
                run(siftsmall(sift), work.resolve("sift"), kernel, variants, efs, rounds, roundMs);
            }
            if (doFashion && Files.exists(fashion.resolve("train-images-idx3-ubyte.gz"))) {
                run(fashionMnist(fashion, queries, kernel), work.resolve("fashion"), kernel, variants, efs, rounds,
                        roundMs);
            }
        } finally {
            StorageMemoryHarness.deleteTree(work);
        }
    }

    static Dataset siftsmall(Path sift) throws Exception {
        return new Dataset("siftsmall", Datasets.fvecs(sift.resolve("siftsmall_base.fvecs")),
                Datasets.fvecs(sift.resolve("siftsmall_query.fvecs")),
                Datasets.ivecs(sift.resolve("siftsmall_groundtruth.ivecs")));
    }

    static Dataset fashionMnist(Path fashion, int queries, VectorKernel kernel) throws Exception {
        Datasets.ByteVectors train = Datasets.fashionMnist(fashion, 60_000);
        Datasets.ByteVectors test = Datasets.fashionMnistTest(fashion, queries);
        float[][] base = new float[train.count()][];
        for (int i = 0; i < base.length; i++) {
            base[i] = train.vector(i);
        }
        float[][] q = new float[test.count()][];
        for (int i = 0; i < q.length; i++) {
            q[i] = test.vector(i);
        }
        long t0 = System.nanoTime();
        int[][] truth = exactTruth(base, q, K, kernel);
        System.out.printf(Locale.ROOT, "%n# Fashion-MNIST ground truth: %d queries (t10k) x %d base, exact, %.1f s%n",
                q.length, base.length, (System.nanoTime() - t0) / 1e9);
        return new Dataset("Fashion-MNIST", base, q, truth);
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (Exception e) {
            return "n/a";
        }
    }

    /** @return an empty top-k of (distance, ordinal) keys for {@link #offer} */
    static long[] newBest(int k) {
        long[] best = new long[k];
        Arrays.fill(best, Long.MAX_VALUE);
        return best;
    }

    /**
     * Keeps the k smallest (distance, ordinal) keys sorted, nearest first; distances are
     * non-negative, so their float bits order like the floats.
     */
    static void offer(long[] best, float d, int i) {
        int k = best.length;
        long key = ((long) Float.floatToIntBits(d) << 32) | i;
        if (key < best[k - 1]) {
            int j = k - 1;
            while (j > 0 && best[j - 1] > key) {
                best[j] = best[j - 1];
                j--;
            }
            best[j] = key;
        }
    }

    /** @return the ordinals of {@code best}, -1 where fewer than k were offered */
    static int[] ids(long[] best) {
        int[] ids = new int[best.length];
        for (int j = 0; j < best.length; j++) {
            ids[j] = best[j] == Long.MAX_VALUE ? -1 : (int) best[j];
        }
        return ids;
    }

    static int[][] exactTruth(float[][] base, float[][] queries, int k, VectorKernel kernel) throws Exception {
        int[][] truth = new int[queries.length][];
        int threads = Runtime.getRuntime().availableProcessors();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            Thread th = new Thread(() -> {
                for (int q = first; q < queries.length; q += threads) {
                    long[] best = newBest(k);
                    for (int i = 0; i < base.length; i++) {
                        offer(best, kernel.squareDistance(queries[q], base[i]), i);
                    }
                    truth[q] = ids(best);
                }
            });
            th.start();
            ts.add(th);
        }
        for (Thread th : ts) {
            th.join();
        }
        return truth;
    }

    // ------------------------------------------------------------------ builds

    static long usedHeap() throws InterruptedException {
        return StorageMemoryHarness.usedHeapAfterGc();
    }

    /** Keeps whatever is being measured reachable. */
    static final List<Object> HELD = new ArrayList<>();

    static Variant graph(float[][] data, Path dir, VectorKernel kernel) throws Exception {
        int dim = data[0].length;
        VectorStore store = VectorStore.open(dir.resolve("graph-vectors.dat"), dim, Metric.L2, 64 << 20);
        VectorScorer scorer = new VectorScorer(store, kernel);
        for (int i = 0; i < data.length; i++) {
            store.write(i, data[i]);
        }
        long base = usedHeap();
        long t0 = System.nanoTime();
        GraphVectorIndex index = GraphVectorIndex.create(scorer, M, EF_CONSTRUCTION, 16);
        for (int i = 0; i < data.length; i++) {
            index.add(i);
        }
        double build = (System.nanoTime() - t0) / 1e9;
        HELD.add(index);
        long heap = usedHeap() - base;
        long mapped = VectorStore.HEADER_BYTES + (long) data.length * VectorStore.slotBytes(dim);
        HELD.add(store);
        return new Variant("GraphVectorIndex (mapped store, " + kernel.name() + ")", build, heap, mapped,
                ordinalSearcher(index), index.heapBytesEstimate());
    }

    static Variant hnswIndex(float[][] data, Path dir, VectorKernel kernel) throws Exception {
        int dim = data[0].length;
        VectorStore store = VectorStore.open(dir.resolve("hnsw-vectors.dat"), dim, Metric.L2, 64 << 20);
        VectorScorer scorer = new VectorScorer(store, kernel);
        for (int i = 0; i < data.length; i++) {
            store.write(i, data[i]);
        }
        long base = usedHeap();
        long t0 = System.nanoTime();
        HnswVectorIndex index = HnswVectorIndex.create(scorer, M, EF_CONSTRUCTION, 16, data.length);
        for (int i = 0; i < data.length; i++) {
            index.add(i);
        }
        double build = (System.nanoTime() - t0) / 1e9;
        HELD.add(index);
        long heap = usedHeap() - base;
        HELD.add(store);
        return new Variant("HnswVectorIndex (hnswlib over the mapped store)", build, heap,
                VectorStore.HEADER_BYTES + (long) data.length * VectorStore.slotBytes(dim), ordinalSearcher(index),
                index.heapBytesEstimate());
    }

    static Searcher ordinalSearcher(VectorIndex index) {
        return (q, k, ef) -> {
            SearchResults r = index.search(q, k, ef, null);
            int[] ids = new int[r.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.ordinal(i);
            }
            return ids;
        };
    }

    static Variant raw(float[][] data) throws Exception {
        long base = usedHeap();
        long t0 = System.nanoTime();
        HnswIndex<Integer, float[], StorageMemoryHarness.RawItem, Float> raw = HnswIndex
                .newBuilder(data[0].length, DistanceFunctions.FLOAT_EUCLIDEAN_DISTANCE, data.length)
                .withM(M).withEfConstruction(EF_CONSTRUCTION).withEf(16).build();
        for (int i = 0; i < data.length; i++) {
            raw.add(new StorageMemoryHarness.RawItem(i, data[i].clone())); // hnswlib holds its own copy
        }
        double build = (System.nanoTime() - t0) / 1e9;
        HELD.add(raw);
        long heap = usedHeap() - base;
        // ef is index-wide in hnswlib: concurrent searches at different ef would race, but every
        // measurement here runs one ef at a time, and setEf is a plain field write.
        return new Variant("raw hnswlib 1.2.1 (float[] items, FLOAT_EUCLIDEAN)", build, heap, 0, (q, k, ef) -> {
            if (raw.getEf() != ef) {
                raw.setEf(ef);
            }
            List<SearchResult<StorageMemoryHarness.RawItem, Float>> r = raw.findNearest(q, k);
            int[] ids = new int[r.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.get(i).item().id();
            }
            return ids;
        });
    }

    static Variant lucene(float[][] data) throws Exception {
        long base = usedHeap();
        long t0 = System.nanoTime();
        LuceneHnsw index = LuceneHnsw.build(data, M, EF_CONSTRUCTION);
        double build = (System.nanoTime() - t0) / 1e9;
        HELD.add(index);
        long heap = usedHeap() - base;
        return new Variant("Lucene " + LuceneHnsw.version() + " HNSW (util.hnsw, heap vectors)", build, heap, 0,
                index::search);
    }

    static Variant jvector(float[][] data) throws Exception {
        long base = usedHeap();
        long t0 = System.nanoTime();
        JvectorGraph index = JvectorGraph.build(data, 2 * M, M, EF_CONSTRUCTION);
        double build = (System.nanoTime() - t0) / 1e9;
        HELD.add(index);
        long heap = usedHeap() - base;
        return new Variant("jvector " + JvectorGraph.version() + " (hierarchy, degree 32/16, heap vectors)", build,
                heap, 0, index::search);
    }

    // ------------------------------------------------------------------ measurement

    static void run(Dataset d, Path work, VectorKernel kernel, Set<String> names, int[] efs, int rounds, int roundMs)
            throws Exception {
        Files.createDirectories(work);
        int n = d.base().length;
        int dim = d.base()[0].length;
        System.out.println();
        System.out.println("## " + d.name() + ": " + n + " x " + dim + ", " + d.queries().length + " queries, k=" + K
                + ", M=" + M + ", efConstruction=" + EF_CONSTRUCTION + "; load average before: " + loadAverage());
        List<Variant> list = new ArrayList<>();
        for (String name : names) {
            Variant v = switch (name) {
                case "graph" -> graph(d.base(), work, kernel);
                case "hnsw-index" -> hnswIndex(d.base(), work, kernel);
                case "raw" -> raw(d.base());
                case "lucene" -> lucene(d.base());
                case "jvector" -> jvector(d.base());
                default -> throw new IllegalArgumentException("unknown variant " + name);
            };
            System.out.printf(Locale.ROOT, "built %s in %.1f s (load %s); heap %,d B = %.0f B/vector, mapped vector"
                            + " slots %,d B = %.0f B/vector, total %.0f B/vector%n", v.name(), v.buildSeconds(),
                    loadAverage(), v.heapBytes(), v.heapBytes() / (double) n, v.mappedBytes(),
                    v.mappedBytes() / (double) n, (v.heapBytes() + v.mappedBytes()) / (double) n);
            if (v.indexEstimate() >= 0) {
                System.out.printf(Locale.ROOT, "  (the index's own heapBytesEstimate(): %,d B = %.0f B/vector)%n",
                        v.indexEstimate(), v.indexEstimate() / (double) n);
            }
            list.add(v);
        }
        Pool pool = new Pool(2);
        try {
            // Phase 1: recall of every variant over the ef grid (no timing).
            double[][] recall = new double[list.size()][efs.length];
            int[] ef98 = new int[list.size()];
            for (int vi = 0; vi < list.size(); vi++) {
                ef98[vi] = -1;
                for (int e = 0; e < efs.length; e++) {
                    recall[vi][e] = recall(list.get(vi).searcher(), d, efs[e]);
                    if (ef98[vi] < 0 && recall[vi][e] >= TARGET_RECALL) {
                        ef98[vi] = e;
                    }
                }
            }
            // Phase 2 (headline): every variant at its own smallest ef reaching the target recall,
            // all measured in the same interleaved rounds.
            System.out.println();
            System.out.println("### " + d.name() + ": QPS at recall@10 >= " + TARGET_RECALL + " (each variant at its"
                    + " smallest ef reaching it; " + headlineRounds + " interleaved rounds of " + roundMs
                    + " ms; load before " + loadAverage() + ")");
            double[][][] head = new double[list.size()][2][];
            for (int threads = 1; threads <= 2; threads++) {
                double[][] r = new double[list.size()][headlineRounds];
                for (int vi = 0; vi < list.size(); vi++) {
                    if (ef98[vi] >= 0) {
                        pool.measure(list.get(vi).searcher(), d.queries(), efs[ef98[vi]], threads, roundMs);
                    }
                }
                for (int round = 0; round < headlineRounds; round++) {
                    for (int vi = 0; vi < list.size(); vi++) {
                        if (ef98[vi] >= 0) {
                            r[vi][round] = pool.measure(list.get(vi).searcher(), d.queries(), efs[ef98[vi]], threads,
                                    roundMs);
                        }
                    }
                }
                for (int vi = 0; vi < list.size(); vi++) {
                    Arrays.sort(r[vi]);
                    head[vi][threads - 1] = r[vi];
                }
            }
            System.out.println();
            System.out.println("| variant | build s | ef | recall@10 | QPS 1 thr median | 1 thr best | QPS 2 thr median | 2 thr best |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
            for (int vi = 0; vi < list.size(); vi++) {
                Variant v = list.get(vi);
                if (ef98[vi] < 0) {
                    System.out.printf(Locale.ROOT, "| %s | %.1f | - | < %.2f at every ef | - | - | - | - |%n", v.name(),
                            v.buildSeconds(), TARGET_RECALL);
                    continue;
                }
                double[] one = head[vi][0];
                double[] two = head[vi][1];
                System.out.printf(Locale.ROOT, "| %s | %.1f | %d | %.3f | %,.0f | %,.0f | %,.0f | %,.0f |%n", v.name(),
                        v.buildSeconds(), efs[ef98[vi]], recall[vi][ef98[vi]], median(one), one[one.length - 1],
                        median(two), two[two.length - 1]);
            }
            int ours = -1;
            for (int vi = 0; vi < list.size(); vi++) {
                if (list.get(vi).name().startsWith("GraphVectorIndex")) {
                    ours = vi;
                }
            }
            if (ours >= 0 && ef98[ours] >= 0) {
                for (int t = 0; t < 2; t++) {
                    for (boolean best : new boolean[] {false, true}) {
                        double top = 0;
                        String who = "-";
                        for (int vi = 0; vi < list.size(); vi++) {
                            String name = list.get(vi).name();
                            if (vi == ours || name.startsWith("HnswVectorIndex") || ef98[vi] < 0) {
                                continue;
                            }
                            double q = best ? head[vi][t][head[vi][t].length - 1] : median(head[vi][t]);
                            if (q > top) {
                                top = q;
                                who = name;
                            }
                        }
                        double mine = best ? head[ours][t][head[ours][t].length - 1] : median(head[ours][t]);
                        System.out.printf(Locale.ROOT, "%d thread(s), %s: GraphVectorIndex %,.0f QPS vs best baseline %s"
                                + " %,.0f QPS: ratio %.2f%n", t + 1, best ? "best rounds" : "medians", mine, who, top,
                                top == 0 ? 0 : mine / top);
                    }
                }
            }
            // Phase 3: QPS over part of the ef grid, interleaved per ef.
            System.out.println();
            System.out.println("### " + d.name() + ": ef sweep (" + rounds + " interleaved rounds of " + roundMs + " ms)");
            List<String> rows = new ArrayList<>();
            for (int e = 0; e < efs.length; e++) {
                int ef = efs[e];
                if (Arrays.stream(sweepEfs).noneMatch(x -> x == ef)) {
                    continue;
                }
                double[][][] q = new double[list.size()][2][];
                for (int threads = 1; threads <= 2; threads++) {
                    double[][] r = new double[list.size()][rounds];
                    for (Variant v : list) { // warm-up
                        pool.measure(v.searcher(), d.queries(), ef, threads, roundMs / 2);
                    }
                    for (int round = 0; round < rounds; round++) {
                        for (int vi = 0; vi < list.size(); vi++) {
                            r[vi][round] = pool.measure(list.get(vi).searcher(), d.queries(), ef, threads, roundMs);
                        }
                    }
                    for (int vi = 0; vi < list.size(); vi++) {
                        Arrays.sort(r[vi]);
                        q[vi][threads - 1] = r[vi];
                    }
                }
                for (int vi = 0; vi < list.size(); vi++) {
                    rows.add(String.format(Locale.ROOT, "| %s | %d | %.3f | %,.0f | %,.0f | %,.0f | %,.0f |",
                            list.get(vi).name(), ef, recall[vi][e], median(q[vi][0]), q[vi][0][rounds - 1],
                            median(q[vi][1]), q[vi][1][rounds - 1]));
                }
                System.out.printf(Locale.ROOT, "ef=%d measured (load %s)%n", ef, loadAverage());
            }
            System.out.println();
            System.out.println("| variant | ef | recall@10 | QPS 1 thr median | 1 thr best | QPS 2 thr median | 2 thr best |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|");
            rows.forEach(System.out::println);
            System.out.println();
            System.out.println("recall@10 over the whole ef grid:");
            System.out.println();
            StringBuilder h = new StringBuilder("| variant |");
            StringBuilder sep = new StringBuilder("|---|");
            for (int ef : efs) {
                h.append(" ef ").append(ef).append(" |");
                sep.append("---:|");
            }
            System.out.println(h);
            System.out.println(sep);
            for (int vi = 0; vi < list.size(); vi++) {
                StringBuilder row = new StringBuilder("| " + list.get(vi).name() + " |");
                for (int e = 0; e < efs.length; e++) {
                    row.append(String.format(Locale.ROOT, " %.3f |", recall[vi][e]));
                }
                System.out.println(row);
            }
            System.out.println("load average after " + d.name() + ": " + loadAverage());
        } finally {
            pool.close();
            HELD.clear();
        }
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static double recall(Searcher s, Dataset d, int ef) {
        int hit = 0;
        for (int q = 0; q < d.queries().length; q++) {
            int[] got = s.search(d.queries()[q], K, ef);
            Set<Integer> truth = new HashSet<>();
            for (int i = 0; i < K; i++) {
                truth.add(d.truth()[q][i]);
            }
            for (int id : got) {
                if (truth.contains(id)) {
                    hit++;
                }
            }
        }
        return hit / (double) (d.queries().length * K);
    }

    /**
     * Two long-lived search threads (named, daemon) so per-thread state (visited sets, searchers)
     * stays warm across rounds; {@link #measure} runs one or both for a fixed time.
     */
    static final class Pool implements AutoCloseable {
        private final Thread[] threads;
        private final AtomicReference<Task> task = new AtomicReference<>();
        private volatile boolean closed;

        record Task(Searcher searcher, float[][] queries, int ef, int threads, CountDownLatch start,
                    CountDownLatch done, java.util.concurrent.atomic.DoubleAdder qps, long deadline, long generation) {
        }

        Pool(int n) {
            threads = new Thread[n];
            for (int i = 0; i < n; i++) {
                int id = i;
                threads[i] = new Thread(() -> loop(id), "vecraft-bench-search-" + i);
                threads[i].setDaemon(true);
                threads[i].start();
            }
        }

        private void loop(int id) {
            long seen = 0;
            while (!closed) {
                Task t = task.get();
                if (t == null || t.generation() == seen) {
                    Thread.onSpinWait();
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                    continue;
                }
                seen = t.generation();
                if (id >= t.threads()) {
                    continue;
                }
                t.start().countDown();
                try {
                    t.start().await();
                } catch (InterruptedException e) {
                    return;
                }
                long done = 0;
                int q = id * 7919 % t.queries().length;
                float[][] qs = t.queries();
                long s0 = System.nanoTime();
                long now = s0;
                while (now < t.deadline()) {
                    t.searcher().search(qs[q], K, t.ef());
                    done++;
                    if (++q == qs.length) {
                        q = 0;
                    }
                    now = System.nanoTime();
                }
                t.qps().add(done / ((now - s0) / 1e9));
                t.done().countDown();
            }
        }

        private long generation;

        /** @return queries per second summed over the {@code n} threads, each timed over its own run */
        double measure(Searcher s, float[][] queries, int ef, int n, int millis) throws InterruptedException {
            CountDownLatch start = new CountDownLatch(n);
            CountDownLatch done = new CountDownLatch(n);
            java.util.concurrent.atomic.DoubleAdder qps = new java.util.concurrent.atomic.DoubleAdder();
            long deadline = System.nanoTime() + 1_000_000L + millis * 1_000_000L;
            task.set(new Task(s, queries, ef, n, start, done, qps, deadline, ++generation));
            done.await();
            return qps.sum();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
