package io.vecraft.core;

import io.vecraft.api.AckLevel;
import io.vecraft.api.AlreadyExistsException;
import io.vecraft.api.AuditLog;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.Receipt;
import io.vecraft.api.Transaction;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftConfig;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.api.WriteOptions;
import io.vecraft.cluster.spi.wal.CreateCollectionEntry;
import io.vecraft.cluster.spi.wal.DropCollectionEntry;
import io.vecraft.cluster.spi.wal.OpGroup;
import io.vecraft.cluster.spi.wal.WalCodec;
import io.vecraft.cluster.spi.wal.WalOp;
import io.vecraft.cluster.spi.wal.WalTypes;
import io.vecraft.journal.AppendResult;
import io.vecraft.journal.Journal;
import io.vecraft.journal.JournalConfig;
import io.vecraft.journal.JournalEntry;
import io.vecraft.journal.JournalPartition;
import io.vecraft.journal.JournalTailer;
import io.vecraft.storage.Shard;
import io.vecraft.storage.ShardConfig;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded database: one journal, the catalog, and the shard runtimes of every collection.
 *
 * <p>Directory layout:
 * <pre>
 * vecraft.lock                     exclusive lock: one process per directory
 * vecraft.meta                     layout version and data partition count (properties)
 * journal/&lt;partition&gt;/         Chronicle Queue directories (vecraft-journal)
 * catalog/catalog.bin              catalog checkpoint (see {@link CatalogFile})
 * collections/&lt;name&gt;-&lt;uid&gt;/shard-&lt;i&gt;/   shard stores (vecraft-storage)
 * </pre>
 *
 * <p>Thread-safe. DDL is serialised by the catalog lock; writes and reads run concurrently.
 */
final class EmbeddedVecraft extends AbstractVecraft {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedVecraft.class);
    private static final int LAYOUT_VERSION = 1;
    /**
     * Test hook: adjusts the journal configuration (roll cycle, wall clock) of databases opened afterwards
     * in this JVM. Null in production.
     */
    static volatile java.util.function.UnaryOperator<JournalConfig.Builder> journalTuningForTests;

    private final Path directory;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final PartitionLayout layout;
    private final Journal journal;
    private final LocalJournalGateway gateway;
    private final Map<Long, CreateCollectionEntry> liveEntries = new LinkedHashMap<>();
    private long systemApplied;
    /** The system-partition sequence the catalog file on disk holds (what the compactor may trim below). */
    private long catalogOnDisk;
    private Compactor compactor;

    private EmbeddedVecraft(VecraftConfig config, FileChannel lockChannel, FileLock lock, PartitionLayout layout,
                            Journal journal) {
        super(config);
        this.directory = config.directory();
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.layout = layout;
        this.journal = journal;
        this.gateway = new LocalJournalGateway(journal);
    }

    @Override
    JournalGateway gateway() {
        return gateway;
    }

    @Override
    PartitionLayout layout() {
        return layout;
    }

    /**
     * Opens the database: lock, journal recovery, catalog recovery, shard checkpoints, replay.
     *
     * @param config configuration
     * @return the open database, caught up with every entry in the journal
     */
    static EmbeddedVecraft open(VecraftConfig config) {
        Path dir = config.directory();
        FileChannel channel;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve("vecraft.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new VecraftIOException("cannot open data directory " + dir + ": " + e, e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            lock = null;
        }
        if (lock == null) {
            closeAll(null, null, channel);
            throw new VecraftException("data directory " + dir + " is already open in another Vecraft instance "
                    + "or process (lock file " + dir.resolve("vecraft.lock") + " is held)");
        }
        Journal journal = null;
        EmbeddedVecraft db = null;
        try {
            int dataPartitions = readOrCreateMeta(dir, config.dataPartitions());
            PartitionLayout layout = new PartitionLayout(dataPartitions);
            JournalConfig.Builder jb = JournalConfig.builder(dir.resolve("journal"))
                    .withPartitions(layout.names())
                    .withDurability(config.durability())
                    .withMaxPayloadBytes(config.maxEntryBytes())
                    .withTickInterval(config.tickInterval());
            java.util.function.UnaryOperator<JournalConfig.Builder> tuning = journalTuningForTests;
            if (tuning != null) {
                jb = tuning.apply(jb);
            }
            journal = Journal.open(jb.build());
            db = new EmbeddedVecraft(config, channel, lock, layout, journal);
            db.recover();
            db.startCompactor();
            return db;
        } catch (IOException | RuntimeException e) {
            if (db != null) {
                db.closeQuietly();
            } else {
                closeAll(journal, lock, channel);
            }
            if (e instanceof IOException io) {
                throw new VecraftIOException("cannot open data directory " + dir + ": " + io, io);
            }
            throw (RuntimeException) e;
        }
    }

    private static void closeAll(Journal journal, FileLock lock, FileChannel channel) {
        try {
            if (journal != null) {
                journal.close();
            }
        } catch (RuntimeException e) {
            LOG.warn("closing journal after failed open", e);
        }
        try {
            if (lock != null) {
                lock.release();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.warn("releasing lock after failed open", e);
        }
    }

    private static int parseMeta(Path meta, Properties p, String key) {
        String v = p.getProperty(key, "0").trim();
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new io.vecraft.api.CorruptedDataException(meta.toString(), 0, key + " is not a number: '" + v + "'", e);
        }
    }

    private static int readOrCreateMeta(Path dir, int configuredPartitions) throws IOException {
        Path meta = dir.resolve("vecraft.meta");
        Properties p = new Properties();
        if (Files.exists(meta)) {
            try (Reader r = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            int version = parseMeta(meta, p, "layoutVersion");
            if (version != LAYOUT_VERSION) {
                throw new io.vecraft.api.CorruptedDataException(meta.toString(), -1,
                        "unknown layout version " + version + ", expected " + LAYOUT_VERSION);
            }
            int stored = parseMeta(meta, p, "dataPartitions");
            if (stored < 1) {
                throw new io.vecraft.api.CorruptedDataException(meta.toString(), -1, "bad dataPartitions " + stored);
            }
            if (stored != configuredPartitions) {
                LOG.info("data directory {} was created with {} data partitions; using them (configured {})", dir,
                        stored, configuredPartitions);
            }
            return stored;
        }
        p.setProperty("layoutVersion", Integer.toString(LAYOUT_VERSION));
        p.setProperty("dataPartitions", Integer.toString(configuredPartitions));
        Path tmp = dir.resolve("vecraft.meta.tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "Vecraft data directory; do not edit");
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            Fsync.file(ch, tmp);
        }
        Files.move(tmp, meta, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Fsync.directory(dir);
        return configuredPartitions;
    }

    // ------------------------------------------------------------------ recovery

    private void recover() {
        long t0 = System.nanoTime();
        Path catalogDir = directory.resolve("catalog");
        JournalPartition system = journal.partition(PartitionLayout.SYSTEM_ID);
        CatalogFile.Contents contents;
        try {
            contents = CatalogFile.read(catalogDir);
        } catch (io.vecraft.api.CorruptedDataException e) {
            if (system.firstSequence() > 1) {
                throw e; // retention removed the start of the system partition: the catalog is needed
            }
            // The catalog is only a checkpoint of the system partition, which still holds every entry.
            LOG.warn("ignoring the damaged catalog ({}); replaying the whole system partition instead", e.getMessage());
            contents = CatalogFile.Contents.empty();
        }
        Map<Long, CreateCollectionEntry> live = new LinkedHashMap<>(contents.collections());
        namesByUid.putAll(contents.names());
        long seq = contents.systemSequence();
        if (seq > system.headSequence()) {
            throw new io.vecraft.api.CorruptedDataException(system.name(), system.headSequence() + 1, "the catalog "
                    + catalogDir.resolve(CatalogFile.FILE_NAME) + " has applied the system partition up to sequence "
                    + seq + " but the journal ends at sequence " + system.headSequence()
                    + ": the journal lost entries that were already applied (truncated or damaged journal files)");
        }
        int replayed = 0;
        try (JournalTailer t = system.tailer()) {
            t.seekSequence(Math.max(seq + 1, system.firstSequence()));
            JournalEntry e;
            while ((e = t.next()) != null) {
                if (e.type() == WalTypes.CREATE_COLLECTION) {
                    CreateCollectionEntry c = WalCodec.decodeCreate(e.payload(), system.name(), e.sequence());
                    live.put(e.hlc(), c);
                    namesByUid.put(e.hlc(), c.spec().name());
                } else if (e.type() == WalTypes.DROP_COLLECTION) {
                    DropCollectionEntry d = WalCodec.decodeDrop(e.payload(), system.name(), e.sequence());
                    live.remove(d.uid());
                    namesByUid.putIfAbsent(d.uid(), d.name());
                } else if (!e.isTick()) {
                    throw new io.vecraft.api.CorruptedDataException(system.name(), e.sequence(),
                            "unexpected entry type " + WalTypes.name(e.type()) + " in the system partition");
                }
                seq = e.sequence();
                replayed++;
            }
        }
        deleteOrphanDirectories(live);
        Map<String, CollectionRuntime> running = new TreeMap<>();
        try {
            for (Map.Entry<Long, CreateCollectionEntry> e : live.entrySet()) {
                CollectionRuntime rt = startCollection(e.getKey(), e.getValue());
                running.put(rt.name(), rt);
            }
        } catch (RuntimeException e) {
            for (CollectionRuntime rt : running.values()) {
                rt.shutdown(false, 1, TimeUnit.SECONDS);
            }
            throw e;
        }
        synchronized (catalogLock) {
            liveEntries.putAll(live);
            systemApplied = seq;
            catalogOnDisk = contents.systemSequence();
            publishCollections(running);
            if (replayed > 0) {
                persistCatalog();
            }
        }
        // Catch up: every entry appended before open is applied before open returns.
        long target = journal.clock().now();
        for (CollectionRuntime rt : running.values()) {
            for (ShardHandle s : rt.shards()) {
                s.awaitSafeTime(target, Long.MAX_VALUE / 4 + System.nanoTime(), "recovery of " + s.name());
            }
        }
        LOG.info("opened {} with {} collection(s) in {} ms (durability {}, {} data partitions)", directory,
                running.size(), (System.nanoTime() - t0) / 1_000_000, config.durability(), layout.dataPartitions());
    }

    private void deleteOrphanDirectories(Map<Long, CreateCollectionEntry> live) {
        Path root = directory.resolve("collections");
        if (!Files.isDirectory(root)) {
            return;
        }
        List<String> expected = new ArrayList<>();
        for (Map.Entry<Long, CreateCollectionEntry> e : live.entrySet()) {
            expected.add(collectionDirName(e.getValue().spec().name(), e.getKey()));
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!expected.contains(p.getFileName().toString())) {
                    LOG.info("deleting {}: its collection was dropped", p);
                    deleteRecursively(p);
                }
            }
        } catch (IOException e) {
            throw new VecraftIOException("cannot list " + root, e);
        }
    }

    private static String collectionDirName(String name, long uid) {
        return name + "-" + Long.toHexString(uid);
    }

    /** @return the directory of the collection {@code name} created with {@code uid} */
    private Path collectionDirectory(String name, long uid) {
        return directory.resolve("collections").resolve(collectionDirName(name, uid));
    }

    private CollectionRuntime startCollection(long uid, CreateCollectionEntry entry) {
        CollectionSpec spec = entry.spec();
        Path dir = collectionDirectory(spec.name(), uid);
        ShardHandle[] shards = new ShardHandle[spec.shards()];
        try {
            for (int i = 0; i < shards.length; i++) {
                Compactor.recoverDirectory(dir.resolve("shard-" + i));
                Shard store = Shard.open(ShardConfig.builder(dir.resolve("shard-" + i), spec.dimension(), spec.metric())
                        .withIndex(spec.index())
                        .build());
                List<EntrySource> feeds = List.of(
                        gateway.source(layout.dataPartitionFor(uid, i)),
                        gateway.source(PartitionLayout.TX_ID));
                try {
                    shards[i] = new ShardRuntime(spec.name() + "/" + i, uid, i, store, feeds, entry.startSequences(),
                            config.tickInterval().toNanos(), config.checkpointInterval().toNanos(), stats);
                } catch (RuntimeException e) {
                    store.close(); // the runtime did not take it over (e.g. the shard is ahead of the journal)
                    throw e;
                }
            }
        } catch (RuntimeException e) {
            for (ShardHandle s : shards) {
                if (s != null) {
                    s.stop(false);
                }
            }
            throw e;
        }
        return new CollectionRuntime(spec, uid, dir, shards, entry.startSequences());
    }

    private void persistCatalog() {
        assert Thread.holdsLock(catalogLock);
        CatalogFile.write(directory.resolve("catalog"),
                new CatalogFile.Contents(systemApplied, new LinkedHashMap<>(liveEntries), new TreeMap<>(namesByUid)));
        catalogOnDisk = systemApplied;
    }

    /**
     * Writes the catalog after a DDL entry that is already durable in the system partition: a failure
     * only leaves the catalog behind, and the next open replays the system partition from it.
     */
    private void persistCatalogAfterDdl(String what) {
        try {
            persistCatalog();
        } catch (RuntimeException e) {
            LOG.warn("{} is in the journal but the catalog could not be written ({}); the next open replays it",
                    what, e.toString());
        }
    }

    // ------------------------------------------------------------------ DDL

    @Override
    public Collection createCollection(CollectionSpec spec) {
        checkOpen();
        CollectionSpec resolved = resolve(spec);
        CollectionRuntime rt;
        long uid;
        synchronized (catalogLock) {
            checkOpen();
            if (collections().containsKey(resolved.name())) {
                throw new AlreadyExistsException("collection", resolved.name());
            }
            Map<Integer, Long> starts = startSequences();
            // The start sequences must be durable before anything records them (the CREATE entry,
            // the catalog): after a power loss the journal would otherwise reuse those sequences for
            // new writes, which the new collection's shards would skip.
            journal.flush();
            CreateCollectionEntry entry = new CreateCollectionEntry(resolved, starts);
            JournalGateway.Appended r = gateway.append(PartitionLayout.SYSTEM_ID, WalTypes.CREATE_COLLECTION,
                    requestIds.next(), 0, WalCodec.encodeCreate(entry));
            journal.partition(PartitionLayout.SYSTEM_ID).flush(); // before the catalog says it was applied
            uid = r.hlc();
            try {
                rt = startCollection(uid, entry);
            } catch (RuntimeException e) {
                undoCreate(uid, resolved.name(), e);
                throw e;
            }
            publishCollection(rt);
            liveEntries.put(uid, entry);
            systemApplied = r.sequence();
            persistCatalogAfterDdl("the creation of " + resolved.name());
        }
        awaitShards(rt.shards(), uid, "creating collection " + resolved.name());
        LOG.info("created collection {} ({} dims, {}, {}, {} shard(s))", resolved.name(), resolved.dimension(),
                resolved.metric(), resolved.index(), resolved.shards());
        return new EmbeddedCollection(this, rt);
    }

    /**
     * A collection whose CREATE is durable failed to start: a DROP entry records that it was undone, so a
     * reopen does not bring it up; its files are removed.
     */
    private void undoCreate(long uid, String name, RuntimeException cause) {
        assert Thread.holdsLock(catalogLock);
        try {
            JournalGateway.Appended d = gateway.append(PartitionLayout.SYSTEM_ID, WalTypes.DROP_COLLECTION,
                    requestIds.next(), 0, WalCodec.encodeDrop(new DropCollectionEntry(uid, name)));
            journal.partition(PartitionLayout.SYSTEM_ID).flush();
            namesByUid.put(uid, name);
            systemApplied = d.sequence();
            persistCatalogAfterDdl("the undone creation of " + name);
        } catch (RuntimeException undo) {
            cause.addSuppressed(undo);
            LOG.error("collection {} failed to start and its creation could not be undone in the journal; the next"
                    + " open may bring it up", name, undo);
        }
        try {
            deleteRecursively(collectionDirectory(name, uid));
        } catch (RuntimeException ignored) {
            // the next open deletes the directory of a collection that is not live
        }
    }

    @Override
    public void dropCollection(String name) {
        checkOpen();
        synchronized (catalogLock) {
            checkOpen();
            CollectionRuntime rt = collections().get(name);
            if (rt == null) {
                throw new NotFoundException("collection", String.valueOf(name));
            }
            JournalGateway.Appended r = gateway.append(PartitionLayout.SYSTEM_ID, WalTypes.DROP_COLLECTION,
                    requestIds.next(), 0, WalCodec.encodeDrop(new DropCollectionEntry(rt.uid(), name)));
            journal.partition(PartitionLayout.SYSTEM_ID).flush(); // before the catalog says it was applied
            // The drop is durable from here on: record it before cleaning up, which may fail on its own.
            unpublishCollection(name);
            liveEntries.remove(rt.uid());
            systemApplied = r.sequence();
            persistCatalogAfterDdl("the drop of " + name);
            try {
                rt.shutdown(false, config.waitTimeout().toNanos(), TimeUnit.NANOSECONDS);
                deleteRecursively(rt.directory());
            } catch (RuntimeException e) {
                LOG.warn("dropped collection {}, but removing its files failed ({}); the next open deletes them", name,
                        e.toString());
            }
        }
        LOG.info("dropped collection {}", name);
    }

    @Override
    public java.util.OptionalLong journalBytes() {
        Path root = directory.resolve("journal");
        try (Stream<Path> walk = Files.walk(root)) {
            long total = 0;
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p)) {
                    total += Files.size(p);
                }
            }
            return java.util.OptionalLong.of(total);
        } catch (IOException | java.io.UncheckedIOException e) {
            return java.util.OptionalLong.empty(); // a file rolled away while walking: report nothing this time
        }
    }

    // ------------------------------------------------------------------ compaction

    private void startCompactor() {
        EmbeddedVecraft self = this;
        compactor = new Compactor(config, new Compactor.Host() {
            @Override
            public java.util.Collection<CollectionRuntime> collections(Map<Integer, Long> heads) {
                synchronized (catalogLock) {
                    for (JournalPartition p : journal.partitions()) {
                        heads.put(p.id(), p.headSequence());
                    }
                    return List.copyOf(self.collections().values());
                }
            }

            @Override
            public Journal journal() {
                return journal;
            }

            @Override
            public PartitionLayout layout() {
                return layout;
            }

            @Override
            public long catalogSequence() {
                synchronized (catalogLock) {
                    return catalogOnDisk;
                }
            }

            @Override
            public java.util.concurrent.locks.ReentrantLock maintenance() {
                return maintenance;
            }
        }, () -> journal.clock().now());
    }

    @Override
    public io.vecraft.api.CompactionStats compact() {
        checkOpen();
        return compactor.runOnce();
    }

    @Override
    public io.vecraft.api.CompactionStats compactionStats() {
        Compactor c = compactor;
        return c == null ? io.vecraft.api.CompactionStats.none() : c.totals();
    }

    // ------------------------------------------------------------------ snapshots

    /** Held by a snapshot and by the compactor: a snapshot's file prefixes must not be rewritten under it. */
    final java.util.concurrent.locks.ReentrantLock maintenance = new java.util.concurrent.locks.ReentrantLock();

    @Override
    public io.vecraft.api.SnapshotInfo snapshot(io.vecraft.api.SnapshotDestination destination) {
        checkOpen();
        if (destination == null) {
            throw new InvalidArgumentException("destination", "must not be null");
        }
        long t0 = System.nanoTime();
        maintenance.lock();
        try {
            synchronized (catalogLock) {
                checkOpen();
                io.vecraft.api.SnapshotInfo info = writeSnapshot(destination, t0);
                LOG.info("snapshot of {} written to {}: {} files, {} bytes, {} ms", directory, info.location(),
                        info.files(), info.bytes(), info.millis());
                return info;
            }
        } catch (IOException e) {
            destination.abort();
            throw new VecraftIOException("snapshot to " + destination.describe() + " failed: " + e, e);
        } catch (RuntimeException e) {
            destination.abort();
            throw e;
        } finally {
            maintenance.unlock();
        }
    }

    private io.vecraft.api.SnapshotInfo writeSnapshot(io.vecraft.api.SnapshotDestination dest, long t0)
            throws IOException {
        List<SnapshotManifest.FileEntry> files = new ArrayList<>();
        long[] written = {0};
        List<SnapshotManifest.ShardEntry> shards = new ArrayList<>();
        long deadline = System.nanoTime() + Math.max(config.waitTimeout().toNanos(), TimeUnit.MINUTES.toNanos(10));
        for (CollectionRuntime rt : collections().values()) {
            for (ShardHandle h : rt.shards()) {
                ShardRuntime sr = (ShardRuntime) h;
                Path shardDir = rt.directory().resolve("shard-" + sr.shardIndex());
                String rel = relative(shardDir);
                // On the applier: checkpoint, then copy the checkpoint's own files before a later
                // checkpoint's retention can delete them; the covered prefixes of the vector store and
                // payload log stay unchanged (no purge while the maintenance lock is held).
                Object[] result = sr.runOnApplier(store -> {
                    sr.checkpointFromTask();
                    List<io.vecraft.storage.ShardFile> later = new ArrayList<>();
                    long number = 0;
                    for (io.vecraft.storage.ShardFile f : store.checkpointFiles()) {
                        if (f.path().startsWith("checkpoints/")) {
                            if (f.path().startsWith("checkpoints/manifest-")) {
                                number = Long.parseLong(f.path().substring("checkpoints/manifest-".length()));
                            }
                            copyInto(dest, rel + "/" + f.path(), shardDir.resolve(f.path()), f.length(), files,
                                    written);
                        } else {
                            later.add(f);
                        }
                    }
                    return new Object[] {number, new TreeMap<>(store.appliedSequences()), later};
                }, deadline, "snapshot");
                @SuppressWarnings("unchecked")
                List<io.vecraft.storage.ShardFile> later = (List<io.vecraft.storage.ShardFile>) result[2];
                for (io.vecraft.storage.ShardFile f : later) {
                    copyInto(dest, rel + "/" + f.path(), shardDir.resolve(f.path()), f.length(), files, written);
                }
                @SuppressWarnings("unchecked")
                Map<Integer, Long> applied = (Map<Integer, Long>) result[1];
                shards.add(new SnapshotManifest.ShardEntry(rel, (Long) result[0], applied));
            }
        }
        // The snapshot's consistent point: every entry of every partition stamped at or before this
        // reading is in the snapshot (restore of the latest state cuts there). Writes go on, so the
        // heads recorded below may hold later entries of some partitions and not of others.
        long hlc = journal.clock().now();
        List<SnapshotManifest.Partition> partitions = new ArrayList<>();
        Map<String, Long> heads = new TreeMap<>();
        Map<String, Long> firsts = new TreeMap<>();
        for (JournalPartition p : journal.partitions()) {
            // Under the partition's append lock: an append stamped before hlc has finished writing.
            long head = p.watermark().sequence();
            p.flush();
            long first = Math.min(p.firstSequence(), head + 1);
            partitions.add(new SnapshotManifest.Partition(p.id(), p.name(), first, head));
            heads.put(p.name(), head);
            firsts.put(p.name(), first);
        }
        copyInto(dest, "vecraft.meta", directory.resolve("vecraft.meta"), -1, files, written);
        long catalogSequence = 0;
        Path catalog = directory.resolve("catalog").resolve(CatalogFile.FILE_NAME);
        if (Files.exists(catalog)) {
            catalogSequence = CatalogFile.read(directory.resolve("catalog")).systemSequence();
            copyInto(dest, "catalog/" + CatalogFile.FILE_NAME, catalog, -1, files, written);
        }
        Path journalDir = directory.resolve("journal");
        copyInto(dest, "journal/journal.manifest", journalDir.resolve("journal.manifest"), -1, files, written);
        for (int i = 0; i < partitions.size(); i++) {
            SnapshotManifest.Partition sp = partitions.get(i);
            Path pdir = journalDir.resolve(sp.name());
            // Each cycle file only as far as the entries up to the recorded head reach: not the sparse,
            // unwritten rest of the file (hundreds of MiB with the default maxEntryBytes), not what is
            // appended meanwhile. Restore rewrites the file holding the head through Chronicle anyway.
            for (Path c : io.vecraft.journal.JournalCut.cycleFilesInOrder(pdir, journal.config().rollCycle())) {
                long length = io.vecraft.journal.JournalCut.copyLength(c, sp.name(), sp.id(), config.maxEntryBytes(),
                        sp.head());
                if (length > 0) {
                    copyInto(dest, "journal/" + sp.name() + "/" + c.getFileName(), c, length, files, written);
                }
            }
        }
        SnapshotManifest m = new SnapshotManifest(System.currentTimeMillis(), hlc, config.maxEntryBytes(),
                journal.config().rollCycle().name(), partitions, catalogSequence,
                shards, files);
        dest.commit(m.encode());
        return new io.vecraft.api.SnapshotInfo(dest.describe(), hlc, heads, firsts, files.size(), written[0],
                (System.nanoTime() - t0) / 1_000_000);
    }

    private String relative(Path p) {
        return directory.relativize(p).toString().replace(java.io.File.separatorChar, '/');
    }

    private static void copyInto(io.vecraft.api.SnapshotDestination dest, String rel, Path source, long length,
                                 List<SnapshotManifest.FileEntry> files, long[] written) {
        try {
            long len = length < 0 ? Files.size(source) : length;
            FileCopy.Copied c;
            try (java.nio.channels.SeekableByteChannel out = dest.create(rel)) {
                c = FileCopy.copy(source, len, out);
            }
            files.add(new SnapshotManifest.FileEntry(rel, c.length(), c.crc()));
            written[0] += c.written();
        } catch (IOException e) {
            throw new VecraftIOException("cannot copy " + source + " into the snapshot as " + rel + ": " + e, e);
        }
    }

    /** @return the underlying journal, for tests and tools in this module */
    Journal rawJournal() {
        return journal;
    }

    // ------------------------------------------------------------------ close

    @Override
    public void close() {
        close(true);
    }

    /**
     * Closes without checkpointing the shards, as after a crash of the process: reopening must
     * rebuild the state from older checkpoints and the journal. Used by recovery tests.
     */
    void closeWithoutCheckpoint() {
        close(false);
    }

    private void close(boolean checkpoint) {
        if (!markClosed()) {
            return;
        }
        long t0 = System.nanoTime();
        RuntimeException first = null;
        if (compactor != null) {
            compactor.close();
        }
        for (CollectionRuntime rt : collections().values()) {
            try {
                rt.shutdown(checkpoint, config.waitTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) {
                LOG.error("closing collection {}", rt.name(), e);
                first = first == null ? e : first;
            }
        }
        shutdownQueries();
        closeAll(journal, lock, lockChannel);
        LOG.info("closed {} in {} ms", directory, (System.nanoTime() - t0) / 1_000_000);
        if (first != null) {
            throw first;
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.warn("close after failed open", e);
        }
    }

    static void deleteRecursively(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            List<Path> all = walk.sorted(Comparator.reverseOrder()).toList();
            for (Path q : all) {
                Files.deleteIfExists(q);
            }
        } catch (IOException e) {
            throw new VecraftIOException("cannot delete " + p, e);
        }
    }
}
