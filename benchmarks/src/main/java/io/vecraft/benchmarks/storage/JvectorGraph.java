package io.vecraft.benchmarks.storage;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * DataStax jvector with its hierarchy enabled (HNSW-like levels over a Vamana-style graph):
 * max degree {@code degree0} on level 0 and {@code degree} above, beam {@code efConstruction},
 * jvector's recommended neighbour overflow 1.2 and alpha 1.2, vectors on the heap, built on one
 * thread. Searched with exact scores; ef is jvector's {@code rerankK} (the beam), the first k
 * returned. Thread-safe: one {@link GraphSearcher} per thread.
 */
final class JvectorGraph {

    private static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();

    private final ListRandomAccessVectorValues vectors;
    private final ThreadLocal<GraphSearcher> searchers;

    private JvectorGraph(ListRandomAccessVectorValues vectors, ImmutableGraphIndex graph) {
        this.vectors = vectors;
        this.searchers = ThreadLocal.withInitial(() -> new GraphSearcher(graph));
    }

    static String version() {
        Package p = GraphIndexBuilder.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return (v == null ? "4.0.0-rc.5" : v) + " (" + VectorizationProvider.getInstance().getClass().getSimpleName() + ")";
    }

    static JvectorGraph build(float[][] data, int degree0, int degree, int efConstruction) throws Exception {
        List<VectorFloat<?>> list = new ArrayList<>(data.length);
        for (float[] v : data) {
            list.add(VTS.createFloatVector(v));
        }
        ListRandomAccessVectorValues ravv = new ListRandomAccessVectorValues(list, data[0].length);
        BuildScoreProvider bsp = BuildScoreProvider.randomAccessScoreProvider(ravv, VectorSimilarityFunction.EUCLIDEAN);
        ForkJoinPool one = new ForkJoinPool(1);
        try (GraphIndexBuilder builder = new GraphIndexBuilder(bsp, data[0].length, List.of(degree0, degree),
                efConstruction, 1.2f, 1.2f, true, true, one, one)) {
            ImmutableGraphIndex graph = builder.build(ravv);
            return new JvectorGraph(ravv, graph);
        } finally {
            one.shutdown();
        }
    }

    int[] search(float[] query, int k, int ef) {
        DefaultSearchScoreProvider ssp = DefaultSearchScoreProvider.exact(VTS.createFloatVector(query),
                VectorSimilarityFunction.EUCLIDEAN, vectors);
        SearchResult r = searchers.get().search(ssp, k, Math.max(k, ef), 0.0f, 0.0f, Bits.ALL);
        SearchResult.NodeScore[] nodes = r.getNodes();
        int[] ids = new int[Math.min(k, nodes.length)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = nodes[i].node;
        }
        return ids;
    }
}
