package io.vecraft.benchmarks.server;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Durability;
import io.vecraft.api.Record;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftConfig;
import io.vecraft.client.VecraftClient;
import io.vecraft.server.ApiKeys;
import io.vecraft.server.Role;
import io.vecraft.server.ServerConfig;
import io.vecraft.server.VecraftServer;
import io.vecraft.server.grpc.v1.VecraftServiceGrpc;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * Search throughput through the server against the same database in-process: siftsmall (10,000
 * x 128-d, 100 queries; generated vectors when the files are absent), k = 10, HNSW defaults.
 * For each client thread count, runs closed-loop load generators (each thread sends its next
 * query as soon as the previous answer arrived) for a warm-up and a measured interval, in-process
 * ({@code Collection.search}), over HTTP ({@link VecraftClient}, JSON, API key checked on every
 * request) and over gRPC (blocking stub, same key), and prints QPS, mean latency and the ratio to
 * in-process. Everything runs on one machine, so the load generator competes with the server for
 * the same cores: the ratio is the end-to-end overhead a co-located client sees.
 *
 * <pre>
 * java [vecraft.jvm.options] -cp benchmarks/target/benchmarks.jar io.vecraft.benchmarks.server.ServerOverheadHarness \
 *      [--data /work/shared/datasets/siftsmall] [--threads 1,4] [--seconds 10] [--warmup 5]
 * </pre>
 *
 * <p>Single-threaded driver; not for use from other code.
 */
public final class ServerOverheadHarness {

    private ServerOverheadHarness() {
    }

    static float[][] fvecs(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        List<float[]> out = new ArrayList<>();
        while (b.remaining() > 4) {
            int d = b.getInt();
            float[] v = new float[d];
            for (int i = 0; i < d; i++) {
                v[i] = b.getFloat();
            }
            out.add(v);
        }
        return out.toArray(new float[0][]);
    }

    static float[][] generated(int n, int dim, long seed) {
        Random r = new Random(seed);
        float[][] v = new float[n][dim];
        for (float[] row : v) {
            for (int i = 0; i < dim; i++) {
                row[i] = r.nextFloat() * 100;
            }
        }
        return v;
    }

    /** Runs {@code threads} closed-loop callers of {@code query(i)}; returns {qps, meanMicros}. */
    static double[] load(int threads, double warmupSeconds, double seconds, int queries, IntConsumer query) throws Exception {
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        long[] counts = new long[threads];
        long[] nanos = new long[threads];
        CountDownLatch done = new CountDownLatch(threads);
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads; t++) {
            int tn = t;
            Thread th = new Thread(() -> {
                int i = tn * 7;
                try {
                    while (!stop.get()) {
                        long s = System.nanoTime();
                        query.accept(i++ % queries);
                        if (measuring.get()) {
                            counts[tn]++;
                            nanos[tn] += System.nanoTime() - s;
                        }
                    }
                } catch (Throwable e) {
                    failure[0] = e;
                    stop.set(true);
                } finally {
                    done.countDown();
                }
            }, "load-" + t);
            th.setDaemon(true);
            th.start();
        }
        done.await((long) (warmupSeconds * 1000), TimeUnit.MILLISECONDS);
        long start = System.nanoTime();
        measuring.set(true);
        done.await((long) (seconds * 1000), TimeUnit.MILLISECONDS);
        measuring.set(false);
        double elapsed = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        done.await(60, TimeUnit.SECONDS);
        if (failure[0] != null) {
            throw new IllegalStateException("load generator failed", failure[0]);
        }
        long n = Arrays.stream(counts).sum();
        long ns = Arrays.stream(nanos).sum();
        return new double[] {n / elapsed, n == 0 ? 0 : ns / 1e3 / n};
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of("/work/shared/datasets/siftsmall");
        int[] threadCounts = {1, 4};
        double seconds = 10;
        double warmup = 5;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[i + 1]);
                case "--threads" -> threadCounts = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                case "--warmup" -> warmup = Double.parseDouble(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        float[][] base;
        float[][] queries;
        String dataset;
        if (Files.exists(data.resolve("siftsmall_base.fvecs"))) {
            base = fvecs(data.resolve("siftsmall_base.fvecs"));
            queries = fvecs(data.resolve("siftsmall_query.fvecs"));
            dataset = "siftsmall " + base.length + " x " + base[0].length;
        } else {
            base = generated(10_000, 128, 1);
            queries = generated(100, 128, 2);
            dataset = "generated " + base.length + " x 128 (siftsmall not found at " + data + ")";
        }
        int k = 10;
        Path dir = Files.createTempDirectory("vecraft-server-bench");
        String key = ApiKeys.generateKey();
        Path keys = dir.resolve("keys.txt");
        ApiKeys.append(keys, ApiKeys.line("bench", Role.ADMIN, key));
        System.out.printf("dataset %s, %d queries, k=%d, JDK %s, %d cores%n", dataset, queries.length, k,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        try (Vecraft db = Vecraft.open(VecraftConfig.builder(dir.resolve("db")).withDurability(Durability.ASYNC).build())) {
            Collection c = db.createCollection(CollectionSpec.of("sift", base[0].length).withShards(1));
            List<Record> batch = new ArrayList<>();
            for (int i = 0; i < base.length; i++) {
                batch.add(Record.of(Integer.toString(i), base[i]));
                if (batch.size() == 1000) {
                    c.upsert(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                c.upsert(batch);
            }
            try (VecraftServer server = VecraftServer.start(ServerConfig.builder().withHttpPort(0).withGrpcPort(0)
                    .withKeys(ApiKeys.load(keys)).build(), db);
                 VecraftClient client = VecraftClient.connect(URI.create(server.uri()), key)) {
                Collection remote = client.collection("sift");
                ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
                Metadata h = new Metadata();
                h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
                VecraftServiceGrpc.VecraftServiceBlockingStub stub = VecraftServiceGrpc.newBlockingStub(ch)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
                io.vecraft.server.grpc.v1.SearchRequest[] grpcQueries = new io.vecraft.server.grpc.v1.SearchRequest[queries.length];
                SearchRequest[] apiQueries = new SearchRequest[queries.length];
                for (int q = 0; q < queries.length; q++) {
                    apiQueries[q] = SearchRequest.of(queries[q], k).includeMetadata(false).includeDocument(false);
                    io.vecraft.server.grpc.v1.SearchRequest.Builder b = io.vecraft.server.grpc.v1.SearchRequest.newBuilder()
                            .setCollection("sift").setK(k).setIncludeMetadata(false).setIncludeDocument(false);
                    for (float f : queries[q]) {
                        b.addVector(f);
                    }
                    grpcQueries[q] = b.build();
                }
                // Same answers through every path (same snapshot, same index).
                for (int q = 0; q < 5; q++) {
                    List<String> local = c.search(apiQueries[q]).hits().stream().map(x -> x.id()).toList();
                    List<String> http = remote.search(apiQueries[q]).hits().stream().map(x -> x.id()).toList();
                    List<String> grpc = stub.search(grpcQueries[q]).getHitsList().stream().map(x -> x.getId()).toList();
                    if (!local.equals(http) || !local.equals(grpc)) {
                        throw new IllegalStateException("answers differ for query " + q + ": " + local + " / " + http + " / " + grpc);
                    }
                }
                System.out.println("| client threads | path | QPS | mean latency (us) | QPS / in-process |");
                System.out.println("|---:|---|---:|---:|---:|");
                for (int threads : threadCounts) {
                    double[] local = load(threads, warmup, seconds, queries.length, q -> c.search(apiQueries[q]));
                    double[] http = load(threads, warmup, seconds, queries.length, q -> remote.search(apiQueries[q]));
                    double[] grpc = load(threads, warmup, seconds, queries.length, q -> stub.search(grpcQueries[q]));
                    System.out.printf("| %d | in-process | %,.0f | %,.0f | 1.00 |%n", threads, local[0], local[1]);
                    System.out.printf("| %d | HTTP/JSON | %,.0f | %,.0f | %.2f |%n", threads, http[0], http[1], http[0] / local[0]);
                    System.out.printf("| %d | gRPC | %,.0f | %,.0f | %.2f |%n", threads, grpc[0], grpc[1], grpc[0] / local[0]);
                }
                ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
