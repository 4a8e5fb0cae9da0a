package io.vecraft.storage.index;

import com.github.jelmerk.hnswlib.core.ObjectSerializer;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.storage.internal.AtomicBitSet;
import io.vecraft.storage.internal.ReaderEpochs;
import io.vecraft.storage.vector.VectorScorer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.StampedLock;
import java.util.function.IntPredicate;

/**
 * HNSW index over jelmerk hnswlib 1.2.1 whose nodes are {@link VectorRef ordinal references}:
 * hnswlib keeps the graph on the heap, the vectors stay in the mapped store and the distance
 * function reads them there through the SIMD kernel.
 *
 * <p>Filtering: hnswlib has no filter during traversal and one {@code ef} for the whole index,
 * so a search asks hnswlib for {@code want = max(k, ef)} nearest nodes (its beam is
 * {@code max(ef, want)}), keeps the accepted ones, and if fewer than {@code k} were accepted
 * asks again with a larger {@code want} (estimated from the acceptance rate seen, at least
 * doubled). When {@code want} would reach half the graph, or hnswlib returns fewer nodes than
 * asked (the graph is exhausted), it scans every held ordinal exactly instead. So a search
 * returns exactly {@code min(k, accepted ordinals held)} hits.
 *
 * <p>Growth: hnswlib has a fixed capacity; when it is reached the writer doubles it with
 * {@code resize}, which swaps arrays readers may be traversing. Searches therefore run under a
 * {@link StampedLock} optimistic read and retry if a resize happened meanwhile. A resize copies
 * one reference per node (microseconds to milliseconds, never a rebuild) and then waits for
 * searches that started before it to leave, because they return their visited sets to
 * hnswlib's new pool; only searches that arrive during that short window wait for it. No lock
 * is taken by a search otherwise. hnswlib itself synchronises on
 * graph nodes while traversing and borrows a visited-set from a pool sized to the core count;
 * those are hnswlib's and cannot be removed without replacing it.
 *
 * <p>Removal marks the hnswlib node deleted: it is still traversed (for connectivity) but never
 * returned. A removed ordinal may be re-added (after purge and slot reuse); hnswlib then adds a
 * new node, and the old deleted node is scored against whatever vector the slot now holds,
 * which only affects routing quality. Nodes are never reclaimed by hnswlib, so heavy churn
 * grows the graph until the index is rebuilt.
 *
 * <p>Thread-safety: one writer ({@link #add}, {@link #remove}, {@link #save}, {@link #close}),
 * any number of concurrent searchers.
 */
public final class HnswVectorIndex implements VectorIndex {

    /** Graph file magic, ASCII "VCRFHNS1" as a little-endian long. */
    public static final long MAGIC = 0x31534e4846524356L;
    /** Graph file format version. */
    public static final int FORMAT_VERSION = 1;
    /** Rough heap bytes per hnswlib node (node, item, neighbour lists, lookup and lock entries). */
    static final int HEAP_BYTES_PER_NODE = 360;

    private final VectorScorer scorer;
    private final HnswIndex<Integer, VectorRef, VectorRef, Float> hnsw;
    private final StampedLock resizeLock = new StampedLock();
    private final AtomicBitSet members = new AtomicBitSet();
    private final ReaderEpochs searchers = new ReaderEpochs();
    private final int dimension;
    private final int defaultEf;
    private volatile int size;
    private volatile int nodeCount;
    private boolean closed;

    private HnswVectorIndex(VectorScorer scorer, HnswIndex<Integer, VectorRef, VectorRef, Float> hnsw, int defaultEf) {
        this.scorer = scorer;
        this.hnsw = hnsw;
        this.dimension = scorer.store().dimension();
        this.defaultEf = defaultEf;
    }

    /**
     * Creates an empty index.
     *
     * @param scorer          scores the store's vectors
     * @param m               graph degree
     * @param efConstruction  construction beam width
     * @param ef              default search beam width
     * @param initialCapacity initial node capacity (grows by doubling)
     * @return the index
     */
    public static HnswVectorIndex create(VectorScorer scorer, int m, int efConstruction, int ef, int initialCapacity) {
        HnswIndex<Integer, VectorRef, VectorRef, Float> hnsw = HnswIndex
                .newBuilder(scorer.store().dimension(), new OrdinalDistance(scorer), Math.max(16, initialCapacity))
                .withM(m)
                .withEfConstruction(efConstruction)
                .withEf(ef)
                .withRemoveEnabled()
                .withCustomSerializers(new IdSerializer(), new RefSerializer(scorer.store().dimension()))
                .build();
        return new HnswVectorIndex(scorer, hnsw, ef);
    }

    /**
     * Loads a graph written by {@link #save}.
     *
     * @param file           the graph file
     * @param scorer         scores the store's vectors
     * @param m              expected graph degree
     * @param efConstruction expected construction beam width
     * @param ef             default search beam width to use from now on
     * @return the index
     * @throws CorruptedDataException   if the file is not a graph file
     * @throws InvalidArgumentException if the graph was built with other parameters
     */
    @SuppressWarnings("unchecked")
    public static HnswVectorIndex load(Path file, VectorScorer scorer, int m, int efConstruction, int ef) {
        HnswIndex<Integer, VectorRef, VectorRef, Float> hnsw;
        int nodes;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            DataInputStream data = new DataInputStream(in);
            long magic = Long.reverseBytes(data.readLong());
            if (magic != MAGIC) {
                throw new CorruptedDataException(file.toString(), 0, "bad graph magic 0x" + Long.toHexString(magic));
            }
            int version = Integer.reverseBytes(data.readInt());
            if (version != FORMAT_VERSION) {
                throw new CorruptedDataException(file.toString(), 8, "unsupported graph format version " + version);
            }
            nodes = Integer.reverseBytes(data.readInt());
            hnsw = HnswIndex.load(in, HnswVectorIndex.class.getClassLoader());
        } catch (IOException | RuntimeException e) {
            if (e instanceof CorruptedDataException c) {
                throw c;
            }
            throw new CorruptedDataException(file.toString(), -1, "cannot load HNSW graph: " + e, e);
        }
        if (hnsw.getM() != m || hnsw.getEfConstruction() != Math.max(efConstruction, m)) {
            throw new InvalidArgumentException("config.index", "graph " + file + " was built with m=" + hnsw.getM()
                    + ", efConstruction=" + hnsw.getEfConstruction() + "; configuration says m=" + m
                    + ", efConstruction=" + efConstruction);
        }
        ((OrdinalDistance) hnsw.getDistanceFunction()).bind(scorer);
        hnsw.setEf(ef);
        HnswVectorIndex index = new HnswVectorIndex(scorer, hnsw, ef);
        int n = 0;
        for (VectorRef r : hnsw.items()) {
            index.members.set(r.ordinal);
            n++;
        }
        index.size = n;
        index.nodeCount = Math.max(n, nodes);
        return index;
    }

    @Override
    public void add(int ordinal) {
        if (members.get(ordinal)) {
            throw new IllegalStateException("ordinal " + ordinal + " is already indexed");
        }
        ensureRoom();
        hnsw.add(VectorRef.item(ordinal, dimension));
        nodeCount = nodeCount + 1;
        members.set(ordinal);
        size = size + 1;
    }

    private void ensureRoom() {
        if (nodeCount >= hnsw.getMaxItemCount()) {
            grow();
        }
    }

    private void grow() {
        long stamp = resizeLock.writeLock();
        try {
            int capacity = Math.max(16, hnsw.getMaxItemCount() * 2);
            hnsw.resize(capacity);
            // Searches that started before the resize may still return their (too small)
            // visited sets into the pool resize() just created. Wait until they have left, then
            // resize again to get a clean pool; new searches wait on the lock meanwhile.
            long epoch = searchers.retire();
            while (!searchers.quiescent(epoch)) {
                Thread.onSpinWait();
            }
            hnsw.resize(capacity);
        } finally {
            resizeLock.unlockWrite(stamp);
        }
    }

    @Override
    public void remove(int ordinal) {
        if (!members.get(ordinal)) {
            return;
        }
        hnsw.remove(ordinal, 0);
        members.clear(ordinal);
        size = size - 1;
    }

    @Override
    public boolean contains(int ordinal) {
        return members.get(ordinal);
    }

    @Override
    public int size() {
        return size;
    }

    /** @return nodes in the hnswlib graph, removed ones included */
    public int nodeCount() {
        return nodeCount;
    }

    @Override
    public SearchResults search(float[] query, int k, int ef, IntPredicate accept) {
        int live = size;
        if (live == 0) {
            return SearchResults.EMPTY;
        }
        int want = Math.max(k, ef <= 0 ? defaultEf : ef);
        VectorRef ref = VectorRef.query(query);
        while (true) {
            if ((long) want * 2 > live) {
                return ExactVectorIndex.scanMembers(scorer, members, query, k, accept);
            }
            List<SearchResult<VectorRef, Float>> found = findNearest(ref, want);
            TopK top = new TopK(k);
            int accepted = 0;
            for (SearchResult<VectorRef, Float> r : found) {
                int o = r.item().ordinal;
                if (accept == null || accept.test(o)) {
                    top.offer(o, r.distance());
                    accepted++;
                }
            }
            if (accepted >= k) {
                return top.toResults(scorer);
            }
            if (found.size() < want) {
                return ExactVectorIndex.scanMembers(scorer, members, query, k, accept);
            }
            long estimate = accepted == 0 ? (long) want * 8 : (long) Math.ceil(want * (double) k / accepted * 1.25);
            want = (int) Math.min(Integer.MAX_VALUE, Math.max((long) want * 2, estimate));
        }
    }

    private List<SearchResult<VectorRef, Float>> findNearest(VectorRef ref, int want) {
        while (true) {
            // Enter before taking the stamp: then either grow() sees this search in its
            // quiescence scan, or this search sees grow()'s write lock (stamp 0) and waits.
            searchers.enter();
            long stamp = resizeLock.tryOptimisticRead();
            if (stamp == 0) {
                searchers.exit(); // never wait for the lock while counted as inside
                stamp = resizeLock.readLock();
                try {
                    return hnsw.findNearest(ref, want);
                } finally {
                    resizeLock.unlockRead(stamp);
                }
            }
            try {
                List<SearchResult<VectorRef, Float>> r = hnsw.findNearest(ref, want);
                if (resizeLock.validate(stamp)) {
                    return r;
                }
            } catch (RuntimeException e) {
                if (resizeLock.validate(stamp)) {
                    throw e;
                }
                // a resize swapped hnswlib's arrays under us: retry
            } finally {
                searchers.exit();
            }
        }
    }

    @Override
    public long save(Path file) {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            DataOutputStream data = new DataOutputStream(out);
            data.writeLong(Long.reverseBytes(MAGIC));
            data.writeInt(Integer.reverseBytes(FORMAT_VERSION));
            data.writeInt(Integer.reverseBytes(nodeCount));
            data.flush();
            hnsw.save(new NonClosing(out));
        } catch (IOException e) {
            throw new VecraftIOException("cannot write HNSW graph " + file, e);
        }
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new VecraftIOException("cannot stat " + file, e);
        }
    }

    @Override
    public long heapBytesEstimate() {
        return (long) nodeCount * HEAP_BYTES_PER_NODE + members.heapBytes();
    }

    @Override
    public void close() {
        closed = true;
    }

    /** @return whether {@link #close()} was called */
    boolean closed() {
        return closed;
    }

    /** Lets hnswlib close its ObjectOutputStream without closing our stream. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /** Writes node ids (ordinals) as 4-byte ints. */
    static final class IdSerializer implements ObjectSerializer<Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public void write(Integer id, ObjectOutput out) throws IOException {
            out.writeInt(id);
        }

        @Override
        public Integer read(ObjectInput in) throws IOException {
            return in.readInt();
        }
    }

    /** Writes items as their 4-byte ordinal; the dimension travels once, in this serializer. */
    static final class RefSerializer implements ObjectSerializer<VectorRef> {
        private static final long serialVersionUID = 1L;
        private final int dimension;

        RefSerializer(int dimension) {
            this.dimension = dimension;
        }

        @Override
        public void write(VectorRef item, ObjectOutput out) throws IOException {
            out.writeInt(item.ordinal);
        }

        @Override
        public VectorRef read(ObjectInput in) throws IOException {
            return VectorRef.item(in.readInt(), dimension);
        }
    }
}
