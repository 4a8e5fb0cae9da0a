package io.vecraft.storage;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.Filter;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Metric;
import io.vecraft.api.Record;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.storage.index.ExactVectorIndex;
import io.vecraft.storage.index.GraphVectorIndex;
import io.vecraft.storage.index.HnswVectorIndex;
import io.vecraft.storage.index.SearchResults;
import io.vecraft.storage.index.VectorIndex;
import io.vecraft.storage.internal.CheckpointStore;
import io.vecraft.storage.internal.Files2;
import io.vecraft.storage.internal.FilterPlan;
import io.vecraft.storage.internal.IdIndex;
import io.vecraft.storage.internal.InvertedIndex;
import io.vecraft.storage.internal.PayloadCodec;
import io.vecraft.storage.internal.PayloadLog;
import io.vecraft.storage.internal.PayloadRecord;
import io.vecraft.storage.internal.ReaderEpochs;
import io.vecraft.storage.internal.VersionTable;
import io.vecraft.storage.internal.VersionsFile;
import io.vecraft.storage.vector.VectorKernel;
import io.vecraft.storage.vector.VectorKernels;
import io.vecraft.storage.vector.VectorScorer;
import io.vecraft.storage.vector.VectorStore;
import io.vecraft.storage.vector.Vectors;
import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.PrimitiveIterator;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;
import java.util.zip.CRC32C;

/**
 * The {@link Shard} implementation: MVCC versions in a {@link VersionTable}, vectors in a
 * mapped {@link VectorStore}, metadata and documents in a {@link PayloadLog}, ids in a Chronicle
 * Map ({@link IdIndex}), a {@link VectorIndex} over ordinals ({@link GraphVectorIndex} or
 * {@link HnswVectorIndex} for HNSW, per {@link ShardConfig#hnswImplementation()}, or exact), an
 * {@link InvertedIndex} for metadata filters, and checkpoints ({@link CheckpointStore}).
 *
 * <p>Apply order of an upsert (single writer): allocate an ordinal (a fresh one, or one freed by
 * {@link #purge} once no retained checkpoint references it and no reader can still hold it),
 * write the vector slot, append the payload record, publish the version (created HLC stored
 * last, with release), add it to the vector and inverted indexes, end the previous version
 * (deleted HLC, release), then point the id map at the new ordinal. Readers check visibility
 * through the version table (acquire), so a version is seen whole or not at all; a reader at a
 * snapshot time at or below the shard's applied time (what core guarantees) sees every
 * operation whole.
 *
 * <p>Restore at open: newest valid checkpoint's version table and HNSW graph (loaded when the
 * checkpoint was written by the configured {@link HnswImplementation}, rebuilt from the stored
 * vectors otherwise); the payload log
 * and vector store are cut back to the lengths it records; the inverted index, the exact index
 * membership and the id map are rebuilt in one pass over the payload records of the stored
 * versions (cheaper than persisting them: see BENCHMARKS.md).
 *
 * <p>Thread-safety: as {@link Shard} says: one writer thread, concurrent lock-free readers.
 */
public final class MvccShard implements Shard {

    private static final Logger LOG = LoggerFactory.getLogger(MvccShard.class);

    /** Largest k a search accepts. */
    public static final int MAX_K = 10_000;
    /** Longest time {@link #close()} waits for readers still inside. */
    static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    static final String LOCK_FILE = "LOCK";
    static final String VECTORS_FILE = "vectors.dat";
    static final String PAYLOAD_FILE = "payload.log";
    static final String IDMAP_DIR = "idmap";
    static final String CHECKPOINTS_DIR = "checkpoints";
    static final String VERSIONS_FILE = "versions.bin";
    static final String GRAPH_FILE = "graph.bin";
    static final String LAYERED_GRAPH_FILE = "hnsw-graph.bin";

    private final ShardConfig config;
    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final VectorStore vectors;
    private final VectorScorer scorer;
    private final PayloadLog payloads;
    private final VersionTable versions = new VersionTable();
    private final InvertedIndex inverted = new InvertedIndex();
    private final ReaderEpochs epochs = new ReaderEpochs();
    private final CheckpointStore checkpoints;
    private final ConcurrentHashMap<Integer, Long> applied = new ConcurrentHashMap<>();
    private final PayloadCodec.Encoder encoder = new PayloadCodec.Encoder();
    private final Deque<VersionsFile.FreeSlot> pendingFree = new ArrayDeque<>();
    private final Deque<long[]> reusable = new ArrayDeque<>(); // {ordinal, retire epoch}
    private final Deque<Long> kept = new ArrayDeque<>();
    private IdIndex ids;
    private VectorIndex index;
    private long lastPublished;
    private long nextCheckpoint;
    private volatile long liveRecords;
    private volatile long versionCount;
    private volatile long tombstones;
    private volatile boolean closed;
    private volatile String failure;

    private MvccShard(ShardConfig config, FileChannel lockChannel, FileLock lock, VectorStore vectors,
                      VectorKernel kernel, PayloadLog payloads, CheckpointStore checkpoints) {
        this.config = config;
        this.dir = config.directory();
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.vectors = vectors;
        this.scorer = new VectorScorer(vectors, kernel);
        this.payloads = payloads;
        this.checkpoints = checkpoints;
    }

    /**
     * Opens (creating or restoring) a shard; see {@link Shard#open(ShardConfig)}.
     *
     * @param config the configuration
     * @return the open shard
     */
    static MvccShard open(ShardConfig config) {
        return open(config, VectorKernels.preferred());
    }

    /**
     * Opens a shard with an explicit distance kernel (benchmarks compare kernels).
     *
     * @param config the configuration
     * @param kernel the distance kernel
     * @return the open shard
     */
    public static MvccShard open(ShardConfig config, VectorKernel kernel) {
        if (config == null) {
            throw new InvalidArgumentException("config", "must not be null");
        }
        long start = System.nanoTime();
        Path dir = config.directory();
        FileChannel lockChannel;
        FileLock lock;
        try {
            Files2.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException | VecraftIOException e) {
            throw new VecraftIOException("cannot open shard directory " + dir, e);
        }
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            closeQuietly(lockChannel);
            throw new VecraftIOException("shard directory " + dir + " is already open in this JVM", e);
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new VecraftIOException("cannot lock shard directory " + dir, e);
        }
        if (lock == null) {
            closeQuietly(lockChannel);
            throw new VecraftIOException("shard directory " + dir + " is locked by another process ("
                    + dir.resolve(LOCK_FILE) + ")", null);
        }
        VectorStore vectors = null;
        PayloadLog payloads = null;
        MvccShard shard = null;
        try {
            boolean fresh = !Files.exists(dir.resolve(VECTORS_FILE)) || !Files.exists(dir.resolve(PAYLOAD_FILE))
                    || !Files.isDirectory(dir.resolve(CHECKPOINTS_DIR));
            vectors = VectorStore.open(dir.resolve(VECTORS_FILE), config.dimension(), config.metric(),
                    config.vectorChunkBytes());
            payloads = PayloadLog.open(dir.resolve(PAYLOAD_FILE), config.payloadChunkBytes());
            CheckpointStore checkpoints = new CheckpointStore(dir.resolve(CHECKPOINTS_DIR));
            if (fresh) {
                // make the new files' directory entries durable: a checkpoint relies on them
                Files2.fsyncDirectory(dir);
            }
            shard = new MvccShard(config, lockChannel, lock, vectors, kernel, payloads, checkpoints);
            shard.restore();
            LOG.info("opened shard {} ({} versions, {} live records, kernel {}) in {} ms", dir, shard.versionCount,
                    shard.liveRecords, kernel.name(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            return shard;
        } catch (RuntimeException e) {
            if (shard != null) {
                // restore may have created the id map and an index before failing (e.g. a damaged payload record)
                for (AutoCloseable c : new AutoCloseable[] {shard.index, shard.ids}) {
                    try {
                        if (c != null) {
                            c.close();
                        }
                    } catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
            if (vectors != null) {
                vectors.close();
            }
            if (payloads != null) {
                payloads.close();
            }
            try {
                lock.release();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            closeQuietly(lockChannel);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do: we are already failing
        }
    }

    // ------------------------------------------------------------------ restore

    private void restore() {
        CheckpointStore.Manifest manifest = null;
        CorruptedDataException firstError = null;
        List<Long> numbers = checkpoints.manifestNumbers();
        for (long n : numbers) {
            try {
                CheckpointStore.Manifest m = checkpoints.readVerified(n);
                checkCompatible(m);
                checkFileLengths(m);
                manifest = m;
                break;
            } catch (CorruptedDataException e) {
                LOG.warn("ignoring checkpoint {} of {}: {}", n, dir, e.getMessage());
                if (firstError == null) {
                    firstError = e;
                }
            }
        }
        if (manifest == null && firstError != null) {
            throw firstError;
        }
        int highWater = manifest == null ? 0 : manifest.highWater();
        long payloadLength = manifest == null ? PayloadLog.HEADER_BYTES : manifest.payloadLength();
        payloads.truncate(payloadLength);
        payloads.mapValid();
        vectors.truncate(highWater);
        vectors.ensureSlots(Math.max(1, highWater));
        List<VersionsFile.FreeSlot> free = List.of();
        if (manifest != null) {
            Path cdir = checkpoints.directory(manifest.number());
            free = VersionsFile.read(cdir.resolve(VERSIONS_FILE), versions, highWater, payloadLength);
            applied.putAll(manifest.applied());
            lastPublished = manifest.number();
            for (long n : numbers) {
                if (n <= manifest.number() && kept.size() < config.checkpointsToKeep()) {
                    kept.addFirst(n);
                }
            }
        }
        nextCheckpoint = checkpoints.highestNumber() + 1; // before cleanup: numbers are never reused
        checkpoints.retainOnly(new HashSet<>(kept));
        long oldestKept = kept.isEmpty() ? Long.MAX_VALUE : kept.peekFirst();
        for (VersionsFile.FreeSlot f : free) {
            if (f.freedAfter() < oldestKept) {
                reusable.add(new long[] {f.ordinal(), 0});
            } else {
                pendingFree.add(f);
            }
        }
        if (config.index() instanceof IndexSpec.Hnsw h) {
            boolean sameKind = manifest != null && manifest.indexKind() == indexKind();
            if (manifest != null && !sameKind) {
                LOG.warn("checkpoint {} of {} holds a graph built by {}, configuration says {}: rebuilding the graph"
                        + " from the stored vectors", manifest.number(), dir, kindName(manifest.indexKind()),
                        config.hnswImplementation());
            }
            Path graph = sameKind ? checkpoints.directory(manifest.number()).resolve(graphFile()) : null;
            boolean load = graph != null && Files.exists(graph);
            if (config.hnswImplementation() == HnswImplementation.GRAPH) {
                index = load ? GraphVectorIndex.load(graph, scorer, h.m(), h.efConstruction(), h.ef())
                        : GraphVectorIndex.create(scorer, h.m(), h.efConstruction(), h.ef());
            } else {
                index = load ? HnswVectorIndex.load(graph, scorer, h.m(), h.efConstruction(), h.ef())
                        : HnswVectorIndex.create(scorer, h.m(), h.efConstruction(), h.ef(),
                        Math.max(config.initialCapacity(), highWater));
            }
        } else {
            index = new ExactVectorIndex(scorer);
        }
        rebuildDerived(highWater);
    }

    private void checkCompatible(CheckpointStore.Manifest m) {
        String loc = checkpoints.dir().resolve("manifest-" + m.number()).toString();
        if (m.dimension() != config.dimension()) {
            throw new InvalidArgumentException("config.dimension", "checkpoint " + loc + " holds dimension "
                    + m.dimension() + ", configuration says " + config.dimension());
        }
        Metric metric = VectorStore.metricOf(m.metricCode(), loc);
        if (metric != config.metric()) {
            throw new InvalidArgumentException("config.metric", "checkpoint " + loc + " holds " + metric
                    + ", configuration says " + config.metric());
        }
        boolean hnsw = config.index() instanceof IndexSpec.Hnsw;
        boolean storedHnsw = m.indexKind() != CheckpointStore.INDEX_EXACT;
        if (hnsw != storedHnsw) {
            throw new InvalidArgumentException("config.index", "checkpoint " + loc + " holds " + kindName(m.indexKind())
                    + " index, configuration says " + config.index());
        }
        if (config.index() instanceof IndexSpec.Hnsw h && (h.m() != m.m() || h.efConstruction() != m.efConstruction())) {
            throw new InvalidArgumentException("config.index", "checkpoint " + loc + " was built with m=" + m.m()
                    + ", efConstruction=" + m.efConstruction() + "; configuration says " + h);
        }
    }

    /** @return the manifest index kind of this shard's configuration */
    private int indexKind() {
        if (!(config.index() instanceof IndexSpec.Hnsw)) {
            return CheckpointStore.INDEX_EXACT;
        }
        return config.hnswImplementation() == HnswImplementation.GRAPH ? CheckpointStore.INDEX_GRAPH
                : CheckpointStore.INDEX_HNSW;
    }

    private static String kindName(int kind) {
        switch (kind) {
            case CheckpointStore.INDEX_EXACT:
                return "an exact";
            case CheckpointStore.INDEX_HNSW:
                return "an HNSW (" + HnswImplementation.HNSWLIB + ")";
            default:
                return "an HNSW (" + HnswImplementation.GRAPH + ")";
        }
    }

    /** @return the checkpoint file name of this shard's graph */
    private String graphFile() {
        return config.hnswImplementation() == HnswImplementation.GRAPH ? LAYERED_GRAPH_FILE : GRAPH_FILE;
    }

    private void checkFileLengths(CheckpointStore.Manifest m) {
        long needVectors = VectorStore.HEADER_BYTES + (long) m.highWater() * vectors.slotBytes();
        if (vectors.fileBytes() < needVectors) {
            throw new CorruptedDataException(vectors.path().toString(), vectors.fileBytes(), "checkpoint "
                    + m.number() + " needs " + needVectors + " bytes of vector slots");
        }
        if (payloads.fileBytes() < m.payloadLength()) {
            throw new CorruptedDataException(payloads.path().toString(), payloads.fileBytes(), "checkpoint "
                    + m.number() + " needs " + m.payloadLength() + " bytes of payload log");
        }
    }

    /** Rebuilds the inverted index, exact-index membership and id map from the version table. */
    private void rebuildDerived(int highWater) {
        RoaringBitmap referenced = new RoaringBitmap();
        long heads = 0;
        for (int o = 0; o < highWater; o++) {
            if (!versions.isFree(o) && versions.prev(o) != VersionTable.NONE) {
                referenced.add(versions.prev(o));
            }
        }
        for (int o = 0; o < highWater; o++) {
            if (!versions.isFree(o) && !referenced.contains(o)) {
                heads++;
            }
        }
        ids = IdIndex.create(dir.resolve(IDMAP_DIR), Math.max(config.initialCapacity(), heads * 2),
                config.averageIdBytes(), epochs);
        long live = 0;
        long count = 0;
        long tombs = 0;
        for (int o = 0; o < highWater; o++) {
            if (versions.isFree(o)) {
                continue;
            }
            long off = versions.payload(o);
            PayloadRecord r = payloads.read(off, true, false);
            if (r.kind() != PayloadRecord.UPSERT || r.ordinal() != o) {
                throw new CorruptedDataException(payloads.path().toString(), off, "record is a "
                        + (r.kind() == PayloadRecord.UPSERT ? "version of ordinal " + r.ordinal() : "tombstone")
                        + ", version table expects the version of ordinal " + o);
            }
            long tomb = versions.tombstone(o);
            if (tomb >= 0) {
                PayloadRecord t = payloads.read(tomb, false, false);
                if (t.kind() != PayloadRecord.DELETE || t.ordinal() != o) {
                    throw new CorruptedDataException(payloads.path().toString(), tomb,
                            "expected the tombstone of ordinal " + o);
                }
                tombs++;
            }
            inverted.add(o, r.metadata());
            if (!index.contains(o)) {
                index.add(o);
            }
            if (!referenced.contains(o)) {
                ids.put(r.id(), o);
                if (versions.deleted(o) == VersionTable.LIVE) {
                    live++;
                }
            }
            count++;
        }
        liveRecords = live;
        versionCount = count;
        tombstones = tombs;
    }

    // ------------------------------------------------------------------ writer

    @Override
    public ShardConfig config() {
        return config;
    }

    private void checkWritable() {
        if (closed) {
            throw new VecraftClosedException("shard " + dir);
        }
        if (failure != null) {
            throw new VecraftException("shard " + dir + " failed while applying (" + failure
                    + "); reopen it to restore the last checkpoint and replay the journal");
        }
    }

    private static void checkStamp(OpStamp stamp) {
        if (stamp == null) {
            throw new InvalidArgumentException("stamp", "must not be null");
        }
        if (stamp.hlc() < 0 || stamp.hlc() == Long.MAX_VALUE) {
            throw new InvalidArgumentException("stamp.hlc", "must be 0 to " + (Long.MAX_VALUE - 1) + ", was " + stamp.hlc());
        }
    }

    private <T> T failOnError(RuntimeException e) {
        failure = e.toString();
        throw e;
    }

    @Override
    public void upsert(String id, float[] vector, Map<String, Object> metadata, String document, OpStamp stamp) {
        checkWritable();
        Record.checkId(id);
        checkStamp(stamp);
        Vectors.check("vector", vector, config.dimension());
        float[] stored = config.metric() == Metric.COSINE ? Vectors.normalised("vector", vector) : vector;
        Map<String, Object> md = Record.checkMetadata(metadata);
        if (document != null) {
            Record.of(id, new float[] {0f}, Map.of(), document); // validates the document's length
        }
        int ordinal = peekOrdinal();
        encoder.upsert(ordinal, stamp.hlc(), stamp.sequence(), stamp.partitionId(), stamp.transactionId(),
                stamp.requestId(), id, md, document);
        if (encoder.length() > PayloadLog.MAX_BODY_BYTES) {
            throw new InvalidArgumentException("record", "metadata and document take " + encoder.length()
                    + " bytes encoded, at most " + PayloadLog.MAX_BODY_BYTES + " are accepted");
        }
        try {
            int previous = ids.get(id);
            takeOrdinal(ordinal);
            // Map the slot's chunk before the version table's high-water mark covers the ordinal: an exact
            // scan over every slot below the mark (a negated filter) must find each one mapped.
            vectors.ensureSlots(ordinal + 1);
            versions.ensure(ordinal);
            vectors.write(ordinal, stored);
            long offset = payloads.append(encoder.bytes(), encoder.length());
            versions.publish(ordinal, stamp.hlc(), previous, offset);
            index.add(ordinal);
            inverted.add(ordinal, md);
            if (previous >= 0 && versions.deleted(previous) == VersionTable.LIVE) {
                versions.markDeleted(previous, stamp.hlc(), -1);
            } else {
                liveRecords = liveRecords + 1;
            }
            ids.put(id, ordinal);
            versionCount = versionCount + 1;
        } catch (RuntimeException e) {
            failOnError(e);
        }
    }

    @Override
    public boolean delete(String id, OpStamp stamp) {
        checkWritable();
        Record.checkId(id);
        checkStamp(stamp);
        try {
            int head = ids.get(id);
            if (head < 0 || versions.deleted(head) != VersionTable.LIVE) {
                return false;
            }
            encoder.delete(head, stamp.hlc(), stamp.sequence(), stamp.partitionId(), stamp.transactionId(),
                    stamp.requestId(), id);
            long offset = payloads.append(encoder.bytes(), encoder.length());
            versions.markDeleted(head, stamp.hlc(), offset);
            liveRecords = liveRecords - 1;
            tombstones = tombstones + 1;
            return true;
        } catch (RuntimeException e) {
            return failOnError(e);
        }
    }

    /** @return the ordinal the next upsert will use (not yet taken) */
    private int peekOrdinal() {
        long[] head = reusable.peekFirst();
        if (head != null && epochs.quiescent(head[1])) {
            return (int) head[0];
        }
        int hw = versions.highWater();
        if (hw == Integer.MAX_VALUE) {
            throw new io.vecraft.api.CapacityException("shard " + dir + " has used all " + Integer.MAX_VALUE + " ordinals");
        }
        return hw;
    }

    private void takeOrdinal(int ordinal) {
        long[] head = reusable.peekFirst();
        if (head != null && head[0] == ordinal) {
            reusable.pollFirst();
        }
    }

    @Override
    public void markApplied(int partitionId, long sequence) {
        checkWritable();
        applied.merge(partitionId, sequence, Math::max);
    }

    @Override
    public Map<Integer, Long> appliedSequences() {
        return Collections.unmodifiableMap(new TreeMap<>(applied));
    }

    @Override
    public CheckpointInfo checkpoint() {
        checkWritable();
        long start = System.nanoTime();
        try {
            long n = nextCheckpoint++;
            vectors.force();
            payloads.force();
            int highWater = versions.highWater();
            long payloadLength = payloads.end();
            Path tmp = checkpoints.begin(n);
            List<CheckpointStore.FileEntry> files = new ArrayList<>();
            List<VersionsFile.FreeSlot> free = new ArrayList<>(pendingFree);
            for (long[] r : reusable) {
                free.add(new VersionsFile.FreeSlot((int) r[0], 0));
            }
            files.add(VersionsFile.write(tmp.resolve(VERSIONS_FILE), versions, highWater, free));
            int kind = indexKind();
            int m = 0;
            int efc = 0;
            if (config.index() instanceof IndexSpec.Hnsw h) {
                m = h.m();
                efc = h.efConstruction();
                Path graph = tmp.resolve(graphFile());
                index.save(graph);
                files.add(entryOf(graph));
            }
            CheckpointStore.Manifest manifest = new CheckpointStore.Manifest(n, System.currentTimeMillis(),
                    config.dimension(), VectorStore.metricCode(config.metric()), kind, m, efc, highWater, payloadLength,
                    new TreeMap<>(applied), files);
            Path published = checkpoints.publish(manifest);
            lastPublished = n;
            kept.addLast(n);
            while (kept.size() > config.checkpointsToKeep()) {
                kept.pollFirst();
            }
            checkpoints.retainOnly(new HashSet<>(kept));
            long oldestKept = kept.peekFirst();
            for (Iterator<VersionsFile.FreeSlot> it = pendingFree.iterator(); it.hasNext(); ) {
                VersionsFile.FreeSlot f = it.next();
                if (f.freedAfter() < oldestKept) {
                    reusable.add(new long[] {f.ordinal(), epochs.retire()});
                    it.remove();
                }
            }
            ids.releaseRetired();
            long bytes = 0;
            for (CheckpointStore.FileEntry f : files) {
                bytes += f.length();
            }
            long nanos = System.nanoTime() - start;
            LOG.debug("checkpoint {} of {}: {} versions, {} bytes, {} ms", n, dir, versionCount, bytes,
                    TimeUnit.NANOSECONDS.toMillis(nanos));
            return new CheckpointInfo(published, manifest.applied(), versionCount, bytes, nanos);
        } catch (RuntimeException e) {
            return failOnError(e);
        }
    }

    private static CheckpointStore.FileEntry entryOf(Path file) {
        CRC32C crc = new CRC32C();
        long length = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                crc.update(buf, 0, n);
                length += n;
            }
        } catch (IOException e) {
            throw new VecraftIOException("cannot read back " + file, e);
        }
        return new CheckpointStore.FileEntry(file.getFileName().toString(), length, (int) crc.getValue());
    }

    @Override
    public int purge(long beforeHlc) {
        checkWritable();
        try {
            int highWater = versions.highWater();
            RoaringBitmap purged = new RoaringBitmap();
            for (int o = 0; o < highWater; o++) {
                if (!versions.isFree(o) && versions.deleted(o) < beforeHlc) {
                    purged.add(o);
                }
            }
            if (purged.isEmpty()) {
                return 0;
            }
            List<Map<String, Object>> metadatas = new ArrayList<>(purged.getCardinality());
            for (PeekableIntIterator it = purged.getIntIterator(); it.hasNext(); ) {
                int o = it.next();
                PayloadRecord r = payloads.read(versions.payload(o), true, false);
                metadatas.add(r.metadata());
                if (ids.get(r.id()) == o) {
                    ids.remove(r.id());
                }
            }
            for (int o = 0; o < highWater; o++) {
                if (!versions.isFree(o) && !purged.contains(o)) {
                    int p = versions.prev(o);
                    if (p != VersionTable.NONE && purged.contains(p)) {
                        versions.setPrev(o, VersionTable.NONE);
                    }
                }
            }
            for (PeekableIntIterator it = purged.getIntIterator(); it.hasNext(); ) {
                index.remove(it.next());
            }
            inverted.removeAll(purged, metadatas);
            long tombs = 0;
            for (PeekableIntIterator it = purged.getIntIterator(); it.hasNext(); ) {
                int o = it.next();
                if (versions.tombstone(o) >= 0) {
                    tombs++;
                }
                versions.free(o);
                pendingFree.add(new VersionsFile.FreeSlot(o, lastPublished));
            }
            int n = purged.getCardinality();
            tombstones = tombstones - tombs;
            versionCount = versionCount - n;
            return n;
        } catch (RuntimeException e) {
            return failOnError(e);
        }
    }

    @Override
    public List<ShardFile> checkpointFiles() {
        checkWritable();
        if (lastPublished == 0) {
            return List.of();
        }
        CheckpointStore.Manifest m = checkpoints.readVerified(lastPublished);
        List<ShardFile> out = new ArrayList<>();
        String cdir = CHECKPOINTS_DIR + "/" + checkpoints.directory(m.number()).getFileName();
        for (CheckpointStore.FileEntry f : m.files()) {
            out.add(new ShardFile(cdir + "/" + f.name(), f.length()));
        }
        out.add(new ShardFile(CHECKPOINTS_DIR + "/manifest-" + m.number(),
                fileSize(checkpoints.dir().resolve("manifest-" + m.number()))));
        out.add(new ShardFile(VECTORS_FILE, VectorStore.HEADER_BYTES + (long) m.highWater() * vectors.slotBytes()));
        out.add(new ShardFile(PAYLOAD_FILE, m.payloadLength()));
        return List.copyOf(out);
    }

    private static long fileSize(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new VecraftIOException("cannot stat " + p, e);
        }
    }

    @Override
    public int ordinalHighWater() {
        return versions.highWater();
    }

    @Override
    public List<String> retainedIds() {
        checkWritable();
        Set<String> out = new HashSet<>();
        int hw = versions.highWater();
        for (int o = 0; o < hw; o++) {
            if (!versions.isFree(o)) {
                out.add(payloads.read(versions.payload(o), false, false).id());
            }
        }
        return List.copyOf(out);
    }

    // ------------------------------------------------------------------ readers

    private void enter() {
        epochs.enter();
        if (closed) {
            epochs.exit();
            throw new VecraftClosedException("shard " + dir);
        }
    }

    /**
     * A snapshot time is 0 to {@code Long.MAX_VALUE - 1}: the largest value marks a live version's deletion
     * time, so a read "at" it would see nothing; writes carry at most {@code Long.MAX_VALUE - 1} as well.
     */
    private static void checkAsOf(String field, long asOfHlc) {
        if (asOfHlc < 0 || asOfHlc == Long.MAX_VALUE) {
            throw new InvalidArgumentException(field, "must be 0 to " + (Long.MAX_VALUE - 1) + ", was " + asOfHlc);
        }
    }

    @Override
    public Optional<StoredVersion> get(String id, long asOfHlc, Include include) {
        if (id == null) {
            throw new InvalidArgumentException("id", "must not be null");
        }
        checkAsOf("asOfHlc", asOfHlc);
        Include inc = include == null ? Include.NONE : include;
        enter();
        try {
            int o = ids.get(id);
            long newer = Long.MAX_VALUE;
            while (o != VersionTable.NONE) {
                long created = versions.created(o);
                if (created == VersionTable.FREE_CREATED || created > newer) {
                    break; // chain cut by purge
                }
                if (created <= asOfHlc) {
                    if (asOfHlc < versions.deleted(o)) {
                        return Optional.of(load(o, id, inc, false));
                    }
                    break;
                }
                newer = created;
                o = versions.prev(o);
            }
            return Optional.empty();
        } finally {
            epochs.exit();
        }
    }

    private StoredVersion load(int o, String expectedId, Include inc, boolean tombstoneAware) {
        long off = versions.payload(o);
        PayloadRecord r = payloads.read(off, inc.metadata(), inc.document());
        if (r.ordinal() != o || r.kind() != PayloadRecord.UPSERT || (expectedId != null && !expectedId.equals(r.id()))) {
            throw new CorruptedDataException(payloads.path().toString(), off, "record names ordinal " + r.ordinal()
                    + " and id '" + r.id() + "', expected the version of ordinal " + o
                    + (expectedId == null ? "" : " of id '" + expectedId + "'"));
        }
        float[] vector = inc.vector() ? vectors.read(o) : null;
        return new StoredVersion(r.id(), StoredVersion.Op.UPSERT, r.hlc(), versions.deleted(o), r.sequence(),
                r.partitionId(), r.requestId(), r.transactionId(), vector, r.metadata(), r.document());
    }

    @Override
    public List<StoredVersion> history(String id) {
        if (id == null) {
            throw new InvalidArgumentException("id", "must not be null");
        }
        enter();
        try {
            List<StoredVersion> newestFirst = new ArrayList<>();
            int o = ids.get(id);
            long newer = Long.MAX_VALUE;
            while (o != VersionTable.NONE) {
                long created = versions.created(o);
                if (created == VersionTable.FREE_CREATED || created > newer) {
                    break;
                }
                long tomb = versions.tombstone(o);
                if (tomb >= 0) {
                    PayloadRecord t = payloads.read(tomb, false, false);
                    if (t.kind() != PayloadRecord.DELETE || t.ordinal() != o || !t.id().equals(id)) {
                        throw new CorruptedDataException(payloads.path().toString(), tomb,
                                "expected the tombstone of ordinal " + o + " of id '" + id + "'");
                    }
                    newestFirst.add(new StoredVersion(id, StoredVersion.Op.DELETE, t.hlc(), t.hlc(), t.sequence(),
                            t.partitionId(), t.requestId(), t.transactionId(), null, null, null));
                }
                newestFirst.add(load(o, id, Include.ALL, true));
                newer = created;
                o = versions.prev(o);
            }
            Collections.reverse(newestFirst);
            return Collections.unmodifiableList(newestFirst);
        } finally {
            epochs.exit();
        }
    }

    @Override
    public List<ShardHit> search(ShardSearch request) {
        if (request == null) {
            throw new InvalidArgumentException("search", "must not be null");
        }
        if (request.k() < 1 || request.k() > MAX_K) {
            throw new InvalidArgumentException("search.k", "must be 1 to " + MAX_K + ", was " + request.k());
        }
        checkAsOf("search.asOfHlc", request.asOfHlc());
        if (request.ef() < 0 || request.ef() > IndexSpec.Hnsw.MAX_EF) {
            throw new InvalidArgumentException("search.ef", "must be 0 (default) to " + IndexSpec.Hnsw.MAX_EF
                    + ", was " + request.ef());
        }
        float[] query = scorer.prepareQuery(request.query());
        Include inc = request.include() == null ? Include.NONE : request.include();
        long t = request.asOfHlc();
        int k = request.k();
        enter();
        try {
            SearchResults results;
            Filter filter = request.filter();
            if (filter == null) {
                IntPredicate visible = o -> versions.visible(o, t);
                results = index.search(query, k, request.ef(), visible);
            } else {
                int highWater = versions.highWater();
                FilterPlan plan = FilterPlan.compile(filter, inverted, highWater, this::documentOf);
                IntPredicate accept = o -> versions.visible(o, t) && plan.matches(o);
                if (plan.estimate() <= config.exactSearchThreshold(versionCount)) {
                    RoaringBitmap candidates = plan.candidates();
                    PrimitiveIterator.OfInt it = candidates == null ? range(highWater) : iterate(candidates);
                    results = ExactVectorIndex.scan(scorer, query, k, it, accept);
                } else {
                    results = index.search(query, k, request.ef(), accept);
                }
            }
            List<ShardHit> hits = new ArrayList<>(results.size());
            for (int i = 0; i < results.size(); i++) {
                int o = results.ordinal(i);
                long off = versions.payload(o);
                PayloadRecord r = payloads.readHit(off, inc.metadata(), inc.document());
                if (r.ordinal() != o || r.kind() != PayloadRecord.UPSERT) {
                    throw new CorruptedDataException(payloads.path().toString(), off, "record names ordinal "
                            + r.ordinal() + ", expected the version of ordinal " + o);
                }
                hits.add(new ShardHit(r.id(), results.distance(i), r.hlc(), inc.vector() ? vectors.read(o) : null,
                        r.metadata(), r.document()));
            }
            return Collections.unmodifiableList(hits);
        } finally {
            epochs.exit();
        }
    }

    private String documentOf(int ordinal) {
        return payloads.read(versions.payload(ordinal), false, true).document();
    }

    private static PrimitiveIterator.OfInt range(int end) {
        return new PrimitiveIterator.OfInt() {
            int next;

            @Override
            public int nextInt() {
                if (next >= end) {
                    throw new NoSuchElementException();
                }
                return next++;
            }

            @Override
            public boolean hasNext() {
                return next < end;
            }
        };
    }

    private static PrimitiveIterator.OfInt iterate(RoaringBitmap bitmap) {
        PeekableIntIterator it = bitmap.getIntIterator();
        return new PrimitiveIterator.OfInt() {
            @Override
            public int nextInt() {
                return it.next();
            }

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }
        };
    }

    @Override
    public long count(long asOfHlc) {
        checkAsOf("asOfHlc", asOfHlc);
        enter();
        try {
            int highWater = versions.highWater();
            long n = 0;
            for (int o = 0; o < highWater; o++) {
                if (versions.visible(o, asOfHlc)) {
                    n++;
                }
            }
            return n;
        } finally {
            epochs.exit();
        }
    }

    @Override
    public ShardStats stats() {
        long heap = versions.heapBytes() + inverted.heapBytesEstimate() + index.heapBytesEstimate();
        return new ShardStats(liveRecords, versionCount, tombstones, vectors.fileBytes(), payloads.end(),
                ids.fileBytes() + graphBytes(), heap);
    }

    private long graphBytes() {
        if (lastPublished == 0) {
            return 0;
        }
        try {
            Path g = checkpoints.directory(lastPublished).resolve(graphFile());
            return Files.exists(g) ? Files.size(g) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** @return the distance kernel in use */
    public VectorKernel kernel() {
        return scorer.kernel();
    }

    /** @return the vector index (for benchmarks and tests) */
    public VectorIndex vectorIndex() {
        return index;
    }

    /** @return checkpoint numbers retained on disk, oldest first */
    List<Long> retainedCheckpoints() {
        return List.copyOf(kept);
    }

    /** @return ordinals freed by purge that new versions may reuse now */
    int reusableOrdinals() {
        return reusable.size();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
        while (!epochs.idle()) {
            if (System.nanoTime() > deadline) {
                LOG.warn("closing shard {} while readers are still inside after {} s", dir,
                        TimeUnit.NANOSECONDS.toSeconds(CLOSE_WAIT_NANOS));
                break;
            }
            LockSupport.parkNanos(100_000);
        }
        RuntimeException error = null;
        for (AutoCloseable c : new AutoCloseable[] {index, ids, vectors, payloads}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                if (error == null) {
                    error = e instanceof RuntimeException r ? r : new VecraftIOException("cannot close shard " + dir, e);
                } else {
                    error.addSuppressed(e);
                }
            }
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            if (error == null) {
                error = new VecraftIOException("cannot release lock of " + dir, e);
            }
        }
        if (error != null) {
            throw error;
        }
    }

    /** @return a set view helper for tests: the ids of live records (scans the version table) */
    Set<String> liveIds() {
        enter();
        try {
            Set<String> out = new HashSet<>();
            int hw = versions.highWater();
            for (int o = 0; o < hw; o++) {
                if (!versions.isFree(o) && versions.deleted(o) == VersionTable.LIVE) {
                    out.add(payloads.read(versions.payload(o), false, false).id());
                }
            }
            return out;
        } finally {
            epochs.exit();
        }
    }
}
