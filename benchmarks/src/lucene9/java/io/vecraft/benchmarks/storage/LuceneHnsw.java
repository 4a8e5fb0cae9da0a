package io.vecraft.benchmarks.storage;

import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.Version;
import org.apache.lucene.util.hnsw.HnswGraph;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.NeighborArray;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Lucene 9.12 HNSW at the level of {@code org.apache.lucene.util.hnsw}: the graph Lucene's codec
 * builds ({@link HnswGraphBuilder}, single-threaded), searched with {@link HnswGraphSearcher}
 * over on-heap vectors through Lucene's default flat scorer (Panama on JDK 21+ when the vector
 * module is present, scalar on 17). No index files, no query layer: the fastest path Lucene has.
 * The beam width ef is Lucene's collector size; the first k of the ef hits are returned.
 *
 * <p>Thread-safe: {@link OnHeapHnswGraph} keeps a single neighbour cursor, so each search thread
 * reads it through its own {@link HnswGraph} view (as Lucene's off-heap readers do per thread).
 */
final class LuceneHnsw {

    private final RandomAccessVectorValues.Floats vectors;
    private final FlatVectorsScorer flat = FlatVectorScorerUtil.getLucene99FlatVectorsScorer();
    private final OnHeapHnswGraph graph;
    private final ThreadLocal<HnswGraph> views;

    private LuceneHnsw(RandomAccessVectorValues.Floats vectors, OnHeapHnswGraph graph) {
        this.vectors = vectors;
        this.graph = graph;
        this.views = ThreadLocal.withInitial(() -> new View(graph));
    }

    static String version() {
        return Version.LATEST.toString();
    }

    static LuceneHnsw build(float[][] data, int m, int efConstruction) throws IOException {
        RandomAccessVectorValues.Floats ravv = RandomAccessVectorValues.fromFloats(Arrays.asList(data), data[0].length);
        FlatVectorsScorer flat = FlatVectorScorerUtil.getLucene99FlatVectorsScorer();
        HnswGraphBuilder builder = HnswGraphBuilder.create(
                flat.getRandomVectorScorerSupplier(VectorSimilarityFunction.EUCLIDEAN, ravv), m, efConstruction, 42L);
        return new LuceneHnsw(ravv, builder.build(data.length));
    }

    int[] search(float[] query, int k, int ef) {
        try {
            RandomVectorScorer scorer = flat.getRandomVectorScorer(VectorSimilarityFunction.EUCLIDEAN, vectors, query);
            TopKnnCollector collector = new TopKnnCollector(Math.max(k, ef), Integer.MAX_VALUE);
            HnswGraphSearcher.search(scorer, collector, views.get(), null);
            ScoreDoc[] docs = collector.topDocs().scoreDocs;
            int[] ids = new int[Math.min(k, docs.length)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = docs[i].doc;
            }
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Per-thread cursor over the shared on-heap graph. Not thread-safe. */
    private static final class View extends HnswGraph {
        private final OnHeapHnswGraph graph;
        private NeighborArray current;
        private int upto;

        View(OnHeapHnswGraph graph) {
            this.graph = graph;
        }

        @Override
        public void seek(int level, int target) {
            current = graph.getNeighbors(level, target);
            upto = -1;
        }

        @Override
        public int size() {
            return graph.size();
        }

        @Override
        public int nextNeighbor() {
            if (++upto < current.size()) {
                return current.nodes()[upto];
            }
            return org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS;
        }

        @Override
        public int numLevels() throws IOException {
            return graph.numLevels();
        }

        @Override
        public int entryNode() throws IOException {
            return graph.entryNode();
        }

        @Override
        public NodesIterator getNodesOnLevel(int level) throws IOException {
            return graph.getNodesOnLevel(level);
        }
    }
}
