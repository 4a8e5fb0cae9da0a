package io.vecraft.cli;

import io.vecraft.api.Collection;
import io.vecraft.api.Consistency;
import io.vecraft.api.Filter;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.SearchHit;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.SearchResult;
import io.vecraft.api.Vecraft;
import io.vecraft.cli.io.VectorFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vecraft search}: one query vector given on the command line (prints the hits), or a file of
 * queries (fvecs or IDX; prints throughput and latency, and recall@k against an ivecs ground truth whose
 * ids are positions in the imported base file). Not thread-safe.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Search a collection with one vector, or run a query file and report QPS and recall@k.")
final class SearchCommand implements Callable<Integer> {
    @Mixin
    DataDirectory data;

    @Option(names = {"-c", "--collection"}, required = true, description = "collection name")
    String collection;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Query query;

    /** Exactly one of the two query sources. */
    static final class Query {
        @Option(names = "--vector", paramLabel = "V1,V2,...", description = "the query vector, comma-separated")
        String vector;

        @Option(names = "--queries", paramLabel = "FILE", description = "query file (fvecs or IDX)")
        Path queries;
    }

    @Option(names = "--truth", paramLabel = "FILE", description = "ivecs ground truth for --queries: prints recall@k")
    Path truth;

    @Option(names = {"-k", "--k"}, defaultValue = "10", description = "neighbours per query (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--ef", description = "HNSW search breadth (default: the index's)")
    Integer ef;

    @Option(names = "--limit", description = "run at most this many queries from the file")
    Integer limit;

    @Option(names = "--scale", defaultValue = "1", description = "factor on IDX byte values (default ${DEFAULT-VALUE})")
    float scale;

    @Option(names = "--where", paramLabel = "FIELD=VALUE", description = "metadata equality filter (repeatable; integers are compared as numbers)")
    Map<String, String> where;

    @Option(names = "--strong", description = "STRONG consistency (default EVENTUAL)")
    boolean strong;

    @Option(names = "--no-progress", description = "do not draw a progress bar")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (truth != null && query.queries == null) {
            throw new InvalidArgumentException("truth", "needs --queries");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Vecraft db = data.openExisting()) {
            Collection c = db.collection(collection);
            if (query.vector != null) {
                SearchResult r = c.search(request(parseVector(query.vector)));
                out.printf("%d hit(s) at snapshot %s%n", r.hits().size(), io.vecraft.api.Hlc.format(r.snapshotHlc()));
                for (SearchHit h : r.hits()) {
                    out.printf("  %-20s distance %.6f  %s%n", h.id(), h.distance(), h.metadata());
                }
            } else {
                runQueryFile(c, out);
            }
        }
        out.flush();
        return 0;
    }

    private SearchRequest request(float[] v) {
        SearchRequest r = SearchRequest.of(v, k);
        if (ef != null) {
            r = r.withEf(ef);
        }
        if (where != null && !where.isEmpty()) {
            List<Filter> parts = new ArrayList<>();
            where.forEach((field, value) -> parts.add(Filter.eq(field, parseValue(value))));
            r = r.withFilter(parts.size() == 1 ? parts.get(0) : Filter.and(parts.toArray(new Filter[0])));
        }
        if (strong) {
            r = r.withConsistency(Consistency.STRONG);
        }
        return r;
    }

    private void runQueryFile(Collection c, PrintWriter out) {
        VectorFiles.Format f = VectorFiles.Format.of(query.queries);
        int[][] gt = truth == null ? null : VectorFiles.readIvecs(truth);
        List<float[]> qs = new ArrayList<>();
        try (VectorFiles.VectorReader r = VectorFiles.open(query.queries, f, scale)) {
            float[] v;
            while ((limit == null || qs.size() < limit) && (v = r.next()) != null) {
                qs.add(v);
            }
        }
        if (gt != null && gt.length < qs.size()) {
            throw new InvalidArgumentException("truth", truth + " has " + gt.length + " rows for " + qs.size() + " queries");
        }
        if (gt != null && gt.length > 0 && gt[0].length < k) {
            throw new InvalidArgumentException("k", "ground truth " + truth + " has only " + gt[0].length
                    + " neighbours per query, fewer than k = " + k);
        }
        long[] nanos = new long[qs.size()];
        long found = 0;
        long t0 = System.nanoTime();
        try (Progress progress = Progress.start(!noProgress, spec.commandLine().getErr(), "search", qs.size(), "queries")) {
            for (int i = 0; i < qs.size(); i++) {
                long s = System.nanoTime();
                SearchResult r = c.search(request(qs.get(i)));
                nanos[i] = System.nanoTime() - s;
                if (gt != null) {
                    Set<String> expected = new HashSet<>();
                    for (int j = 0; j < k; j++) {
                        expected.add(Integer.toString(gt[i][j]));
                    }
                    for (SearchHit h : r.hits()) {
                        if (expected.contains(h.id())) {
                            found++;
                        }
                    }
                }
                progress.stepBy(1);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Arrays.sort(nanos);
        out.printf(Locale.ROOT, "%d queries, k=%d: %.0f queries/s, latency p50 %.3f ms, p99 %.3f ms%n", qs.size(), k,
                qs.size() / Math.max(seconds, 1e-9), percentile(nanos, 0.5) / 1e6, percentile(nanos, 0.99) / 1e6);
        if (gt != null) {
            out.printf(Locale.ROOT, "recall@%d = %.4f%n", k, qs.isEmpty() ? 0.0 : (double) found / ((long) qs.size() * k));
        }
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    static float[] parseVector(String text) {
        String[] parts = text.split(",");
        float[] v = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new InvalidArgumentException("vector", "component " + i + " is not a number: '" + parts[i] + "'");
            }
        }
        return v;
    }

    private static Object parseValue(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return s;
        }
    }
}
