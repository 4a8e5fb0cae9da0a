package io.vecraft.benchmarks.storage;

import com.github.jelmerk.hnswlib.core.DistanceFunction;
import com.github.jelmerk.hnswlib.core.DistanceFunctions;
import com.github.jelmerk.hnswlib.core.Item;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.Metric;
import io.vecraft.storage.Include;
import io.vecraft.storage.MvccShard;
import io.vecraft.storage.OpStamp;
import io.vecraft.storage.Shard;
import io.vecraft.storage.ShardConfig;
import io.vecraft.storage.ShardHit;
import io.vecraft.storage.ShardSearch;
import io.vecraft.storage.ShardStats;
import io.vecraft.storage.index.HnswVectorIndex;
import io.vecraft.storage.index.SearchResults;
import io.vecraft.storage.vector.VectorKernel;
import io.vecraft.storage.vector.VectorKernels;
import io.vecraft.storage.vector.VectorScorer;
import io.vecraft.storage.vector.VectorStore;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Storage memory and search harness (BENCHMARKS.md, "Storage memory").
 *
 * <p>Part 1 (memory): 60k x 784 vectors (Fashion-MNIST train, or generated with the same shape
 * when the Debian package is absent) held by raw jelmerk hnswlib ({@code float[]} items on the
 * heap) versus a Vecraft shard (vectors in the mapped store, HNSW over ordinals, payload log,
 * Chronicle Map ids), both M=16, efConstruction=200, built single-threaded. Bytes per vector =
 * (heap used after full GCs, minus the heap before) + bytes of the mapped files, divided by the
 * vector count.
 *
 * <p>Part 2 (search): siftsmall (10k x 128, 100 queries with ground truth): recall@10 and
 * single-thread QPS of raw hnswlib, raw hnswlib with Vecraft's SIMD kernel on heap arrays,
 * {@link HnswVectorIndex} over a mapped store, and the full {@link Shard#search} path (MVCC
 * visibility, payload reads for ids), at the same M, efConstruction and ef.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector <Chronicle flags> -Xmx6g -XX:+UseParallelGC
 * -cp benchmarks/target/benchmarks.jar io.vecraft.benchmarks.storage.StorageMemoryHarness
 * [--fashion DIR] [--sift DIR] [--work DIR] [--n N] [--skip-memory] [--skip-sift]}.
 */
public final class StorageMemoryHarness {

    private static final int M = 16;
    private static final int EF_CONSTRUCTION = 200;

    private StorageMemoryHarness() {
    }

    /** Raw hnswlib item: an int id and an on-heap vector. */
    static final class RawItem implements Item<Integer, float[]> {
        private static final long serialVersionUID = 1L;
        private final int id;
        private final float[] vector;

        RawItem(int id, float[] vector) {
            this.id = id;
            this.vector = vector;
        }

        @Override
        public Integer id() {
            return id;
        }

        @Override
        public float[] vector() {
            return vector;
        }

        @Override
        public int dimensions() {
            return vector.length;
        }
    }

    /**
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path fashion = Path.of("/usr/share/datasets/fashion-mnist");
        Path sift = Path.of("/work/shared/datasets/siftsmall");
        Path work = Files.createTempDirectory("vecraft-storage-bench");
        int n = 60_000;
        boolean memory = true;
        boolean search = true;
        String variants = "raw,raw-simd,index,shard";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--fashion" -> fashion = Path.of(args[++i]);
                case "--sift" -> sift = Path.of(args[++i]);
                case "--work" -> work = Path.of(args[++i]);
                case "--n" -> n = Integer.parseInt(args[++i]);
                case "--skip-memory" -> memory = false;
                case "--skip-sift" -> search = false;
                case "--variants" -> variants = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        VectorKernel kernel = VectorKernels.preferred();
        System.out.println("# Vecraft storage harness, " + LocalDate.now() + ", JDK " + Runtime.version() + " ("
                + System.getProperty("java.vm.name") + "), " + Runtime.getRuntime().availableProcessors()
                + " cores, max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB, distance kernel "
                + kernel.name());
        try {
            if (memory) {
                memory(fashion, n, work.resolve("memory"));
            }
            if (search) {
                siftsmall(sift, work.resolve("sift"), kernel, Set.of(variants.split(",")));
            }
        } finally {
            deleteTree(work);
        }
    }

    // ---------------------------------------------------------------- part 1: memory

    static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    static void memory(Path fashion, int n, Path dir) throws Exception {
        Datasets.ByteVectors data = Files.exists(fashion.resolve("train-images-idx3-ubyte.gz"))
                ? Datasets.fashionMnist(fashion, n)
                : Datasets.generated(n, 784, 42);
        n = data.count();
        int dim = data.dimension();
        System.out.println();
        System.out.println("## Memory: " + n + " x " + dim + ", " + data.source() + ", M=" + M + ", efConstruction="
                + EF_CONSTRUCTION + ", single-threaded build");

        // Each structure is built in its own method and parked in a static field while the heap is
        // measured, so no compiled frame of the build loop can keep garbage (or the other one) alive.
        long base = usedHeapAfterGc();
        long t0 = System.nanoTime();
        held = buildRaw(data);
        double rawBuild = (System.nanoTime() - t0) / 1e9;
        long rawHeap = usedHeapAfterGc() - base;
        held = null;
        System.out.printf("raw hnswlib: build %.1f s, heap %,d B%n", rawBuild, rawHeap);

        base = usedHeapAfterGc();
        ShardConfig config = ShardConfig.builder(dir, dim, Metric.L2).withIndex(IndexSpec.hnsw(M, EF_CONSTRUCTION, 64))
                .withInitialCapacity(n).withAverageIdBytes(9).build();
        long t1 = System.nanoTime();
        held = buildShard(data, config);
        double shardBuild = (System.nanoTime() - t1) / 1e9;
        long shardHeap = usedHeapAfterGc() - base;
        Shard shard = (Shard) held;
        held = null;
        ShardStats stats = shard.stats();
        long vectorsUsed = VectorStore.HEADER_BYTES + (long) n * VectorStore.slotBytes(dim);
        long vectorsFile = Files.size(dir.resolve("vectors.dat"));
        long payload = stats.payloadBytes();
        long idmap = dirSize(dir.resolve("idmap"));
        long t2 = System.nanoTime();
        var cp = shard.checkpoint();
        double checkpointSeconds = (System.nanoTime() - t2) / 1e9;
        long graphFile = Files.size(cp.directory().resolve("graph.bin"));
        long versionsFile = Files.size(cp.directory().resolve("versions.bin"));
        shard.close();
        long t3 = System.nanoTime();
        VectorStore store = VectorStore.open(dir.resolve("vectors.dat"), dim, Metric.L2, 1 << 26);
        store.ensureSlots(n);
        HnswVectorIndex.load(cp.directory().resolve("graph.bin"), new VectorScorer(store, VectorKernels.preferred()),
                M, EF_CONSTRUCTION, 64);
        double graphLoad = (System.nanoTime() - t3) / 1e9;
        store.close();
        long t4 = System.nanoTime();
        Shard reopened = Shard.open(config);
        double reopen = (System.nanoTime() - t4) / 1e9;
        if (reopened.stats().liveRecords() != n) {
            throw new IllegalStateException("reopen lost records");
        }
        reopened.close();

        long mappedUsed = vectorsUsed + payload + idmap;
        long mappedFiles = vectorsFile + Files.size(dir.resolve("payload.log")) + idmap;
        System.out.printf("shard: build %.1f s, heap %,d B, vector slots %,d B (file %,d B), payload log %,d B,"
                        + " id map file %,d B%n", shardBuild, shardHeap, vectorsUsed, vectorsFile, payload, idmap);
        System.out.printf("shard: checkpoint %.2f s (graph.bin %,d B, versions.bin %,d B); graph load %.2f s;"
                + " full reopen (graph load + rebuild of inverted index and id map from the payload log) %.2f s%n",
                checkpointSeconds, graphFile, versionsFile, graphLoad, reopen);
        double rawPer = rawHeap / (double) n;
        double shardPer = (shardHeap + mappedUsed) / (double) n;
        double shardPerFiles = (shardHeap + mappedFiles) / (double) n;
        System.out.println();
        System.out.println("| variant | heap B/vector | mapped B/vector | total B/vector | vs raw hnswlib |");
        System.out.println("|---|---:|---:|---:|---:|");
        System.out.printf("| raw hnswlib 1.2.1 (float[] items) | %.0f | 0 | %.0f | 1.00 |%n", rawPer, rawPer);
        System.out.printf("| Vecraft shard (used bytes of mapped files) | %.0f | %.0f | %.0f | %.2f |%n",
                shardHeap / (double) n, mappedUsed / (double) n, shardPer, shardPer / rawPer);
        System.out.printf("| Vecraft shard (whole mapped file lengths) | %.0f | %.0f | %.0f | %.2f |%n",
                shardHeap / (double) n, mappedFiles / (double) n, shardPerFiles, shardPerFiles / rawPer);
        System.out.printf("build time: raw hnswlib %.1f s, Vecraft shard %.1f s%n", rawBuild, shardBuild);
    }

    /** Keeps the structure under measurement reachable. */
    static volatile Object held;

    static HnswIndex<Integer, float[], RawItem, Float> buildRaw(Datasets.ByteVectors data) {
        HnswIndex<Integer, float[], RawItem, Float> raw = HnswIndex
                .newBuilder(data.dimension(), DistanceFunctions.FLOAT_EUCLIDEAN_DISTANCE, data.count())
                .withM(M).withEfConstruction(EF_CONSTRUCTION).withEf(64).build();
        for (int i = 0; i < data.count(); i++) {
            raw.add(new RawItem(i, data.vector(i)));
        }
        if (raw.size() != data.count()) {
            throw new IllegalStateException("raw index lost items");
        }
        return raw;
    }

    static Shard buildShard(Datasets.ByteVectors data, ShardConfig config) {
        Shard shard = Shard.open(config);
        for (int i = 0; i < data.count(); i++) {
            shard.upsert("img-" + i, data.vector(i), Map.of("label", (long) data.labels()[i]), null,
                    new OpStamp(i + 1, i + 1, 0, "bench", 0));
        }
        shard.markApplied(0, data.count());
        return shard;
    }

    static long dirSize(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            long sum = 0;
            for (Path p : (Iterable<Path>) s::iterator) {
                sum += Files.size(p);
            }
            return sum;
        }
    }

    // ---------------------------------------------------------------- part 2: siftsmall

    /** A search variant: answers query q with the ids of its k nearest at beam width ef. */
    interface Searcher {
        int[] search(int q, int ef);
    }

    record Variant(String name, double buildSeconds, Searcher searcher) {
    }

    static void siftsmall(Path dir, Path work, VectorKernel kernel, Set<String> variants) throws Exception {
        Path base = dir.resolve("siftsmall_base.fvecs");
        if (!Files.exists(base)) {
            System.out.println("siftsmall not found in " + dir + ": search part skipped");
            return;
        }
        float[][] data = Datasets.fvecs(base);
        float[][] queries = Datasets.fvecs(dir.resolve("siftsmall_query.fvecs"));
        int[][] truth = Datasets.ivecs(dir.resolve("siftsmall_groundtruth.ivecs"));
        int n = data.length;
        int dim = data[0].length;
        int k = 10;
        int[] efs = {16, 32, 64, 128};
        QUERIES.set(queries);
        System.out.println();
        System.out.println("## Search: siftsmall " + n + " x " + dim + ", " + queries.length + " queries, k=" + k
                + ", M=" + M + ", efConstruction=" + EF_CONSTRUCTION + ", 1 thread, variants measured in"
                + " interleaved 1 s rounds");
        List<Variant> list = new ArrayList<>();
        if (variants.contains("raw")) {
            list.add(rawVariant("raw hnswlib 1.2.1 (float[] items, its FLOAT_EUCLIDEAN)",
                    DistanceFunctions.FLOAT_EUCLIDEAN_DISTANCE, data, k));
        }
        if (variants.contains("raw-simd")) {
            DistanceFunction<float[], Float> simd = (a, b) -> kernel.squareDistance(a, b);
            list.add(rawVariant("raw hnswlib + Vecraft " + kernel.name() + " kernel (float[] on heap)", simd, data, k));
        }
        Files.createDirectories(work);
        List<AutoCloseable> open = new ArrayList<>();
        try {
            if (variants.contains("index")) {
                VectorStore store = VectorStore.open(work.resolve("vectors.dat"), dim, Metric.L2, 1 << 26);
                open.add(store);
                VectorScorer scorer = new VectorScorer(store, kernel);
                HnswVectorIndex index = HnswVectorIndex.create(scorer, M, EF_CONSTRUCTION, 1, n);
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    store.write(i, data[i]);
                    index.add(i);
                }
                double build = (System.nanoTime() - t0) / 1e9;
                list.add(new Variant("HnswVectorIndex (mapped store, " + kernel.name() + ")", build, (q, ef) -> {
                    SearchResults r = index.search(queries[q], k, ef, null);
                    int[] ids = new int[r.size()];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = r.ordinal(i);
                    }
                    return ids;
                }));
            }
            if (variants.contains("shard")) {
                ShardConfig config = ShardConfig.builder(work.resolve("shard"), dim, Metric.L2)
                        .withIndex(IndexSpec.hnsw(M, EF_CONSTRUCTION, 1)).withInitialCapacity(n).build();
                Shard shard = MvccShard.open(config, kernel);
                open.add(shard);
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    shard.upsert(Integer.toString(i), data[i], Map.of(), null, new OpStamp(i + 1, i + 1, 0, "b", 0));
                }
                double build = (System.nanoTime() - t0) / 1e9;
                list.add(new Variant("Shard.search (MVCC visibility, ids from the payload log)", build, (q, ef) -> {
                    List<ShardHit> hits = shard.search(new ShardSearch(queries[q], k, null, n + 1, ef, Include.NONE));
                    int[] ids = new int[hits.size()];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = Integer.parseInt(hits.get(i).id());
                    }
                    return ids;
                }));
            }
            List<String> rows = new ArrayList<>();
            for (int ef : efs) {
                double[][] rounds = new double[list.size()][7];
                for (Variant v : list) { // warm-up
                    long until = System.nanoTime() + 1_000_000_000L;
                    while (System.nanoTime() < until) {
                        for (int q = 0; q < queries.length; q++) {
                            v.searcher().search(q, ef);
                        }
                    }
                }
                for (int r = 0; r < 7; r++) {
                    for (int vi = 0; vi < list.size(); vi++) {
                        Searcher s = list.get(vi).searcher();
                        long start = System.nanoTime();
                        long done = 0;
                        while (System.nanoTime() - start < 1_000_000_000L) {
                            for (int q = 0; q < queries.length; q++) {
                                s.search(q, ef);
                            }
                            done += queries.length;
                        }
                        rounds[vi][r] = done / ((System.nanoTime() - start) / 1e9);
                    }
                }
                for (int vi = 0; vi < list.size(); vi++) {
                    Variant v = list.get(vi);
                    int[][] got = new int[queries.length][];
                    for (int q = 0; q < queries.length; q++) {
                        got[q] = v.searcher().search(q, ef);
                    }
                    java.util.Arrays.sort(rounds[vi]);
                    rows.add(row(v.name(), ef, recall(got, truth, k), new double[] {rounds[vi][3], rounds[vi][6]},
                            v.buildSeconds()));
                }
            }
            printRows(rows);
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
        }
    }

    static Variant rawVariant(String name, DistanceFunction<float[], Float> df, float[][] data, int k) {
        HnswIndex<Integer, float[], RawItem, Float> raw = HnswIndex.newBuilder(data[0].length, df, data.length)
                .withM(M).withEfConstruction(EF_CONSTRUCTION).withEf(16).build();
        long t0 = System.nanoTime();
        for (int i = 0; i < data.length; i++) {
            raw.add(new RawItem(i, data[i]));
        }
        double build = (System.nanoTime() - t0) / 1e9;
        float[][] queries = QUERIES.get();
        return new Variant(name, build, (q, ef) -> {
            raw.setEf(ef); // index-wide in hnswlib; cheap field write
            List<SearchResult<RawItem, Float>> r = raw.findNearest(queries[q], k);
            int[] ids = new int[r.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.get(i).item().id();
            }
            return ids;
        });
    }

    private static final ThreadLocal<float[][]> QUERIES = new ThreadLocal<>();

    static void printRows(List<String> rows) {
        System.out.println();
        System.out.println("| variant | ef | recall@10 | QPS median | QPS best | build s |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    static double recall(int[][] got, int[][] truth, int k) {
        int hit = 0;
        for (int q = 0; q < got.length; q++) {
            Set<Integer> t = new HashSet<>();
            for (int i = 0; i < k; i++) {
                t.add(truth[q][i]);
            }
            for (int id : got[q]) {
                if (t.contains(id)) {
                    hit++;
                }
            }
        }
        return hit / (double) (got.length * k);
    }

    static String row(String name, int ef, double recall, double[] qps, double build) {
        return String.format("| %s | %d | %.3f | %,.0f | %,.0f | %.1f |", name, ef, recall, qps[0], qps[1], build);
    }

    static void deleteTree(Path root) throws Exception {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
