package io.vecraft.benchmarks.cluster;

import io.vecraft.api.AckLevel;
import io.vecraft.api.ClusterConfig;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.Vecraft;
import io.vecraft.api.WriteOptions;
import io.vecraft.cluster.raft.RaftCluster;
import io.vecraft.cluster.raft.local.LocalCluster;
import io.vecraft.cluster.spi.ClusterOptions;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Write throughput, search QPS and failover time of the raft cluster provider on this machine:
 * a 1-node cluster against a 3-node cluster (etcd + node JVMs on loopback, started with
 * {@link LocalCluster}), driven through the public API by a client in this JVM.
 *
 * <pre>
 * java [Vecraft JVM options] -cp benchmarks/target/benchmarks.jar io.vecraft.benchmarks.cluster.ClusterBenchmark \
 *     [--dir /tmp/vecraft-cluster-bench] [--seconds 20] [--sift ../shared/datasets/siftsmall] [--nodes 1,3] \
 *     [--failovers 3] [--durability SYNC]
 * </pre>
 *
 * Per cluster size, after a warm-up (default 30 s of writes and searches: fresh node JVMs spend
 * their first minutes compiling): (1) single-record upserts acknowledged DURABLE from 8 threads; (2) upserts of
 * 100-record batches acknowledged DURABLE from 2 threads; (3) after every replica applied
 * everything, EVENTUAL k=10 searches of the 100 siftsmall queries from 4 threads (a 10,000-vector
 * HNSW collection, 2 shards, 2 replicas per shard on 3 nodes, 1 on 1 node). On 3 nodes,
 * (4) failover: 3 threads write single records, the Raft leader of their partition is SIGKILLed,
 * and the time to the first acknowledged write after the kill is recorded (then the node is
 * restarted and the next round runs). Results are printed as markdown tables.
 */
public final class ClusterBenchmark {
    /** Writes acknowledged before a fault is injected (steady load). */
    private static final int WARM_ACKS = 200;
    private ClusterBenchmark() {
    }

    /** Latency sample collector (ns) per thread, merged at the end. */
    private static final class Samples {
        final ConcurrentLinkedQueue<long[]> parts = new ConcurrentLinkedQueue<>();

        long[] merged() {
            int n = parts.stream().mapToInt(a -> a.length).sum();
            long[] all = new long[n];
            int i = 0;
            for (long[] p : parts) {
                System.arraycopy(p, 0, all, i, p.length);
                i += p.length;
            }
            Arrays.sort(all);
            return all;
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }

    private interface Op {
        int run(int thread, long i) throws Exception;
    }

    /** Runs op from threads for the duration; returns {ops (units) per second, p50 ms, p99 ms}. */
    private static double[] drive(int threads, Duration d, Op op) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong units = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Samples samples = new Samples();
        List<Thread> ts = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread th = new Thread(() -> {
                long[] lat = new long[1 << 20];
                int n = 0;
                for (long i = 0; !stop.get(); i++) {
                    long s = System.nanoTime();
                    try {
                        units.addAndGet(op.run(thread, i));
                        if (n < lat.length) {
                            lat[n++] = System.nanoTime() - s;
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
                samples.parts.add(Arrays.copyOf(lat, n));
            }, "bench-" + t);
            ts.add(th);
            th.start();
        }
        Thread.sleep(d.toMillis()); // measurement window of the benchmark (not a test wait)
        stop.set(true);
        for (Thread th : ts) {
            th.join();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long[] lat = samples.merged();
        if (errors.get() > 0) {
            System.out.println("    (" + errors.get() + " operations failed)");
        }
        return new double[] {units.get() / secs, pct(lat, 0.5), pct(lat, 0.99)};
    }

    static float[][] fvecs(Path file) throws IOException {
        List<float[]> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file); DataInputStream d = new DataInputStream(in)) {
            byte[] head = new byte[4];
            while (d.read(head) == 4) {
                int dim = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
                byte[] body = new byte[dim * 4];
                d.readFully(body);
                float[] v = new float[dim];
                ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                out.add(v);
            }
        }
        return out.toArray(new float[0][]);
    }

    /**
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of("/tmp/vecraft-cluster-bench");
        int seconds = 20;
        Path sift = Path.of("../shared/datasets/siftsmall");
        List<Integer> sizes = List.of(1, 3);
        int failovers = 3;
        int warmup = 30;
        String durability = "SYNC";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--sift" -> sift = Path.of(args[++i]);
                case "--nodes" -> sizes = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--failovers" -> failovers = Integer.parseInt(args[++i]);
                case "--durability" -> durability = args[++i];
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        float[][] base;
        float[][] queries;
        if (Files.exists(sift.resolve("siftsmall_base.fvecs"))) {
            base = fvecs(sift.resolve("siftsmall_base.fvecs"));
            queries = fvecs(sift.resolve("siftsmall_query.fvecs"));
        } else {
            SplittableRandom rnd = new SplittableRandom(42);
            base = new float[10_000][128];
            queries = new float[100][128];
            for (float[][] m : List.of(base, queries)) {
                for (float[] v : m) {
                    for (int j = 0; j < v.length; j++) {
                        v[j] = (float) rnd.nextDouble(0, 100);
                    }
                }
            }
        }
        Duration window = Duration.ofSeconds(seconds);
        System.out.printf("# cluster benchmark: %s, JDK %s, %d cores, window %d s, durability %s, data %s%n",
                java.time.Instant.now(), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                seconds, durability, Files.exists(sift) ? sift : "generated");
        List<String> rows = new ArrayList<>();
        List<String> failoverRows = new ArrayList<>();
        for (int n : sizes) {
            Path cdir = dir.resolve(n + "-nodes-" + System.nanoTime());
            try (LocalCluster cluster = LocalCluster.builder(cdir).withNodes(n).with("durability", durability).start()) {
                try (RaftCluster admin = new RaftCluster(new ClusterOptions(cdir.resolve("admin"), cluster.clientSettings()))) {
                    admin.awaitLeaders(Duration.ofSeconds(60));
                }
                ClusterConfig cc = ClusterConfig.of("raft").with("replicas", Integer.toString(Math.min(2, n)));
                for (Map.Entry<String, String> e : cluster.clientSettings().entrySet()) {
                    cc = cc.with(e.getKey(), e.getValue());
                }
                try (Vecraft db = Vecraft.builder(cdir.resolve("client")).withWaitTimeout(Duration.ofSeconds(120))
                        .withCluster(cc).open()) {
                    System.out.printf("## %d node(s) up (load average %.1f)%n", n, loadAverage());
                    WriteOptions durable = WriteOptions.defaults().withAckLevel(AckLevel.DURABLE);
                    float[] v16 = new float[16];
                    // Warm-up: freshly started node JVMs spend their first minutes compiling (JIT).
                    Collection warm = db.createCollection(CollectionSpec.of("warmup", 16).withShards(2));
                    double[] w = drive(8, Duration.ofSeconds(warmup), (t, i) -> {
                        warm.upsert(Record.of("w" + t + "-" + (i % 500), v16), i % 2 == 0
                                ? durable : WriteOptions.defaults());
                        if (i % 10 == 0) {
                            warm.search(SearchRequest.of(new float[16], 5));
                        }
                        return 1;
                    });
                    System.out.printf("  warm-up %d s: %.0f writes/s (load average %.1f)%n", warmup, w[0], loadAverage());
                    Collection small = db.createCollection(CollectionSpec.of("writes", 16).withShards(2));
                    double[] single = drive(8, window, (t, i) -> {
                        small.upsert(Record.of("s" + t + "-" + i, v16), durable);
                        return 1;
                    });
                    System.out.printf("  single upserts (8 threads, DURABLE): %.0f/s p50 %.1f ms p99 %.1f ms%n",
                            single[0], single[1], single[2]);
                    Collection batched = db.createCollection(CollectionSpec.of("batches", 16).withShards(2));
                    double[] batches = drive(2, window, (t, i) -> {
                        List<Record> b = new ArrayList<>(100);
                        for (int j = 0; j < 100; j++) {
                            b.add(Record.of("b" + t + "-" + i + "-" + j, v16));
                        }
                        batched.upsert(b, durable);
                        return 100;
                    });
                    System.out.printf("  100-record batches (2 threads, DURABLE): %.0f records/s p50 %.1f ms p99 %.1f ms%n",
                            batches[0], batches[1], batches[2]);

                    Collection items = db.createCollection(CollectionSpec.of("items", base[0].length).withShards(2));
                    long l0 = System.nanoTime();
                    Receipt last = null;
                    for (int i = 0; i < base.length; i += 500) {
                        List<Record> b = new ArrayList<>();
                        for (int j = i; j < Math.min(base.length, i + 500); j++) {
                            b.add(Record.of(Integer.toString(j), base[j]));
                        }
                        last = items.upsert(b, durable);
                    }
                    long count = items.count(ReadOptions.defaults().withConsistency(Consistency.STRONG));
                    double loadSecs = (System.nanoTime() - l0) / 1e9;
                    System.out.printf("  loaded %d vectors (%d-d, HNSW) durable+applied in %.1f s (%.0f/s), last %s#%d%n",
                            count, base[0].length, loadSecs, count / loadSecs, last.partition(), last.sequence());
                    double[] search = drive(4, window, (t, i) -> {
                        items.search(SearchRequest.of(queries[(int) ((i * 7 + t) % queries.length)], 10));
                        return 1;
                    });
                    System.out.printf("  EVENTUAL k=10 search (4 threads): %.0f QPS p50 %.1f ms p99 %.1f ms%n",
                            search[0], search[1], search[2]);
                    rows.add(String.format("| %d | %.0f (p50 %.1f / p99 %.1f ms) | %.0f (p50 %.1f / p99 %.1f ms) | %.0f | %.0f (p50 %.1f / p99 %.1f ms) | %.1f |",
                            n, single[0], single[1], single[2], batches[0], batches[1], batches[2], count / loadSecs,
                            search[0], search[1], search[2], loadAverage()));

                    if (n >= 3) {
                        for (int f = 0; f < failovers; f++) {
                            failoverRows.add(failover(cluster, db, small, f));
                        }
                    }
                }
            }
        }
        System.out.println();
        System.out.println("| nodes | single upserts/s, 8 threads, DURABLE | batched records/s, 2 threads x 100, DURABLE "
                + "| siftsmall load, records/s (durable + applied) | EVENTUAL k=10 QPS, 4 threads | load avg after |");
        System.out.println("|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        if (!failoverRows.isEmpty()) {
            System.out.println();
            System.out.println("| round | killed leader of | new leader | first write acknowledged after SIGKILL | "
                    + "write errors surfaced |");
            System.out.println("|---|---|---|---|---|");
            failoverRows.forEach(System.out::println);
        }
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static String failover(LocalCluster cluster, Vecraft db, Collection c, int round) throws Exception {
        WriteOptions durable = WriteOptions.defaults().withAckLevel(AckLevel.DURABLE);
        String partition = c.upsert(Record.of("f-probe", new float[16]), durable).partition();
        AtomicLong mark = new AtomicLong(Long.MAX_VALUE);
        AtomicLong first = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        java.util.concurrent.CountDownLatch warm = new java.util.concurrent.CountDownLatch(WARM_ACKS);
        java.util.concurrent.CountDownLatch resumed = new java.util.concurrent.CountDownLatch(1);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int thread = t;
            Thread th = new Thread(() -> {
                for (long i = 0; !stop.get(); i++) {
                    try {
                        c.upsert(Record.of("f" + round + "-" + thread + "-" + i, new float[16]), durable);
                        long now = System.nanoTime();
                        warm.countDown();
                        if (now - mark.get() > 0 && first.compareAndSet(0, now)) {
                            resumed.countDown();
                        }
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                    }
                }
            });
            ts.add(th);
            th.start();
        }
        // steady load before the fault: the writers have had WARM_ACKS writes acknowledged
        if (!warm.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
            System.out.println("  only " + (WARM_ACKS - warm.getCount()) + " writes acknowledged in 60 s before the fault");
        }
        try (RaftCluster admin = new RaftCluster(new ClusterOptions(Path.of("/tmp"), cluster.clientSettings()))) {
            String leader = admin.leaderOf(partition).orElseThrow();
            long t0 = System.nanoTime();
            cluster.kill(leader);
            mark.set(System.nanoTime());
            resumed.await(60, java.util.concurrent.TimeUnit.SECONDS); // the first acknowledgement after the kill
            stop.set(true);
            for (Thread th : ts) {
                th.join();
            }
            long ms = first.get() == 0 ? -1 : (first.get() - t0) / 1_000_000;
            String newLeader = admin.leaderOf(partition).orElse("none");
            try {
                cluster.restart(leader);
                admin.awaitLeaders(Duration.ofSeconds(60));
            } catch (RuntimeException e) {
                System.out.println("  restarting " + leader + " failed: " + e.getMessage().lines().findFirst().orElse(""));
            }
            System.out.printf("  failover %d: SIGKILL %s (leader of %s) -> first write acknowledged %d ms later%n", round,
                    leader, partition, ms);
            return String.format("| %d | %s (%s) | %s | %d ms | %d |", round + 1, partition, leader, newLeader, ms,
                    errors.get());
        }
    }
}
