package io.vecraft.journal;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.api.spi.ForceObserver;
import io.vecraft.journal.internal.CleanCloseMarker;
import io.vecraft.journal.internal.CycleFileScanner;
import io.vecraft.journal.internal.EntryFormat;
import io.vecraft.journal.internal.Fsync;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.TableStoreWriteLock;
import net.openhft.chronicle.threads.Pauser;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * One partition of a {@link ChronicleJournal}: one Chronicle Queue directory, one appender.
 *
 * <p>Thread-safe. Appends run in the caller's thread under {@link #appendLock}, which also
 * assigns sequence and HLC, so sequence order equals HLC order; the single Chronicle appender is
 * only touched under that lock (its thread-confinement check is disabled for that reason). In
 * SYNC mode writers then wait for a force in {@link #awaitDurableForcing}: the first waiter to
 * find no force in progress becomes the forcer for everything appended so far (group commit),
 * the others wait for it. Readers read volatile watermarks ({@code visible}, {@code durable},
 * {@code head}) and never take the append lock, except {@link #watermark()}. With
 * {@link JournalConfig#zeroFillAhead()} (the default) the appender also reserves the space of the
 * next appends in the cycle file ahead of the write position (see {@link #preallocate}), so that a
 * full disk fails an append before it writes anything and forces write data pages only.
 */
final class ChroniclePartition implements JournalPartition {
    private static final Logger LOG = LoggerFactory.getLogger(ChroniclePartition.class);
    private static final byte[] EMPTY = new byte[0];
    /** Chronicle's default block; raised so that one excerpt (at most a quarter block) fits the largest entry. */
    private static final long MIN_BLOCK_SIZE = 64L << 20;

    /** First entry of one cycle file: lets a sequence be mapped to a Chronicle index. */
    record Cycle(int cycle, long firstSeq, long firstHlc, Path file) {
    }

    private final ChronicleJournal journal;
    private final JournalConfig config;
    private final String name;
    private final int id;
    private final Path dir;
    private final boolean readOnly;
    private final Durability durability;
    private final boolean sync;
    private final HybridLogicalClock clock;
    private final RollCycle rollCycle;
    private final JournalRollCycle journalRollCycle;
    private final int maxEntryBytes;
    private final long tickIntervalMillis;
    private final JournalConfig.FileForcer forcer;

    private final HlcTimeProvider time = new HlcTimeProvider();
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;

    // ---- guarded by appendLock
    private final ReentrantLock appendLock = new ReentrantLock();
    private final byte[] headerBytes = new byte[EntryFormat.HEADER_BYTES];
    private final byte[] crcBytes = new byte[4];
    private static final int SMALL_ENTRY_BYTES = 4096;
    private final byte[] scratch = new byte[SMALL_ENTRY_BYTES];
    private final CRC32C crc = new CRC32C();
    private int currentCycle = -1;
    private long lastAppendWallMillis = Long.MIN_VALUE;
    /** File offset just past the last excerpt written (Chronicle's positions are file offsets). */
    private long writeEnd;
    /** Space reservation ahead of the writer ({@link JournalConfig#zeroFillAhead()}; see {@link #preallocate}). */
    private boolean preallocate;
    /** Bytes an append may write past its own entry: an index array Chronicle starts there, and slack. */
    private final long preallocGap;
    private FileChannel preallocChannel;
    /** Read and written back by {@link #preallocate}; used under appendLock only. */
    private final ByteBuffer reserveBuffer = ByteBuffer.allocateDirect(64 << 10);
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10).asReadOnlyBuffer();
    private int preallocCycle = -1;
    /** Bytes of the current cycle file below this offset are allocated (written back or written). */
    private long preallocEnd;
    /** Bytes written back ahead of the writer since open (opaque stores under appendLock; for tests). */
    private long reservedAhead;

    // ---- published state. head and lastHlc have one writer at a time (under appendLock, or the
    // constructor) and are published with release stores (HEAD, LAST_HLC): readers only need to
    // see them eventually and in order, no store-load fence is needed on the append path.
    // visible keeps a full volatile store: notifyVisible() reads visibleWaiters right after it
    // (Dekker pattern with await()), which needs the store-load ordering.
    private volatile long head;
    private volatile long lastHlc;
    private volatile long visible;
    private volatile long durable;
    private volatile long first;
    private volatile List<Cycle> cycles;
    private volatile Throwable failure;
    private volatile boolean closed;
    /** Set when a new cycle file appeared and the directory has not been fsynced since. */
    private volatile boolean directoryDirty;

    // ---- group commit
    private final ReentrantLock syncLock = new ReentrantLock();
    private final Condition syncDone = syncLock.newCondition();
    /** A force for SYNC writers is in progress; set by the writer that runs it (compare-and-set). */
    private volatile boolean forcing;
    /** SYNC writers parked until the force in progress ends (a stack; {@link #wakeWriters} empties it). */
    private final AtomicReference<Waiter> parkedWriters = new AtomicReference<>();
    /**
     * Entries that were waiting for a force when the last force completed (the ones it covered
     * and the ones appended while it ran): how many the next force should cover.
     */
    private volatile long expectedPending;
    /** Moving average of one force's duration (nanoseconds), written by the forcer only. */
    private volatile long forceNanosAverage;
    private final Map<Integer, FileChannel> channels = new HashMap<>();

    // ---- visibility waits
    private final ReentrantLock visibleLock = new ReentrantLock();
    private final Condition visibleMoved = visibleLock.newCondition();
    private final AtomicInteger visibleWaiters = new AtomicInteger();
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** Tailers blocked in {@code next(timeout)}: the heartbeat ticks this partition while > 0. */
    final AtomicInteger waitingTailers = new AtomicInteger();

    // ---- stats. The append counters are written only under appendLock (one writer at a time) with
    // opaque stores and read by stats() with opaque loads: no atomic read-modify-write per append.
    private long appendCount;
    private long batchCount;
    private long tickCount;
    private long byteCount;
    private final LongAdder forces = new LongAdder();
    private final LongAdder forcedEntries = new LongAdder();
    private final LongAdder forceNanos = new LongAdder();

    private static final VarHandle HEAD;
    private static final VarHandle LAST_HLC;
    private static final VarHandle APPENDS;
    private static final VarHandle BATCHES;
    private static final VarHandle TICKS;
    private static final VarHandle BYTES;
    private static final VarHandle RESERVED_AHEAD;
    private static final VarHandle FORCING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(ChroniclePartition.class, "head", long.class);
            LAST_HLC = l.findVarHandle(ChroniclePartition.class, "lastHlc", long.class);
            APPENDS = l.findVarHandle(ChroniclePartition.class, "appendCount", long.class);
            BATCHES = l.findVarHandle(ChroniclePartition.class, "batchCount", long.class);
            TICKS = l.findVarHandle(ChroniclePartition.class, "tickCount", long.class);
            BYTES = l.findVarHandle(ChroniclePartition.class, "byteCount", long.class);
            RESERVED_AHEAD = l.findVarHandle(ChroniclePartition.class, "reservedAhead", long.class);
            FORCING = l.findVarHandle(ChroniclePartition.class, "forcing", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    ChroniclePartition(ChronicleJournal journal, JournalConfig config, int id, String name) {
        this.journal = journal;
        this.config = config;
        this.id = id;
        this.name = name;
        this.dir = config.directory().resolve(name);
        this.readOnly = config.readOnly();
        this.durability = config.durability();
        this.sync = durability instanceof Durability.Sync;
        this.clock = config.clock();
        this.journalRollCycle = config.rollCycle();
        this.rollCycle = journalRollCycle.chronicle();
        this.maxEntryBytes = EntryFormat.entryBytes(JournalConfig.MAX_REQUEST_ID_BYTES, config.maxPayloadBytes());
        this.tickIntervalMillis = config.tickInterval().toMillis();
        this.forcer = config.forcer();
        this.preallocate = !readOnly && config.zeroFillAhead();

        recover();
        // Ticks start at most one interval after open (the open counts as activity).
        this.lastAppendWallMillis = clock.wallMillis();
        SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(dir.toFile())
                .rollCycle(rollCycle)
                .timeProvider(time)
                .blockSize(blockSize(maxEntryBytes))
                .readOnly(readOnly);
        this.queue = builder.build();
        if (readOnly) {
            this.appender = null;
        } else {
            ExcerptAppender a;
            try {
                releaseStaleChronicleLock();
                a = queue.createAppender();
            } catch (RuntimeException e) {
                queue.close(); // the partition never opens: nobody else would close the queue
                throw e;
            }
            this.appender = a;
            // One appender shared by all threads, serialised by appendLock (see class comment).
            appender.singleThreadedCheckDisabled(true);
        }
        // What one append may write past its entry: the new index array (indexCount longs plus a
        // 128-byte header) Chronicle may start when it commits an excerpt, with room to spare.
        this.preallocGap = ((queue.indexCount() * 8L + 128 + 8 + 4095) & ~4095L) + (64L << 10);
    }

    /**
     * Chronicle's own write lock (in {@code metadata.cq4t}) records the PID of its holder and is
     * left held when a writer dies; Chronicle then waits for a timeout and checks whether that PID
     * is alive, which misfires when the PID was reused or lives in another PID namespace. Our OS
     * lock on {@code journal.lock} already guarantees that no other writer is alive, so a held
     * Chronicle lock here is always stale: release it at once.
     */
    private void releaseStaleChronicleLock() {
        try (TableStoreWriteLock stale = new TableStoreWriteLock(queue.metaStore(), Pauser::balanced, 0L)) {
            if (stale.locked()) {
                LOG.info("journal partition {}: releasing Chronicle's write lock left by a dead writer (PID {})",
                        name, stale.lockedBy());
                stale.forceUnlock();
            }
        }
    }

    /** Zero-fill when less than this lies written ahead of the write position. */
    static final long PREALLOC_AHEAD = 512L << 10;
    /** Bytes zero-filled at a time. */
    static final long PREALLOC_CHUNK = 1L << 20;

    static long blockSize(int maxEntryBytes) {
        long need = 4L * (maxEntryBytes + 8);
        long block = MIN_BLOCK_SIZE;
        while (block < need) {
            block <<= 1;
        }
        return block;
    }

    // ------------------------------------------------------------------ open-time recovery

    /**
     * Scans the cycle files: builds the cycle table, finds head and last HLC, cuts a torn tail
     * (unless read-only) and throws on corruption before the tail.
     */
    private void recover() {
        try {
            if (!Files.isDirectory(dir)) {
                if (readOnly) {
                    throw new NotFoundException("journal partition directory", dir.toString());
                }
                Files.createDirectories(dir);
                Fsync.directory(dir.getParent());
            }
            Path recoverDir = dir.resolve(".recover");
            if (!readOnly && Files.exists(recoverDir)) {
                deleteRecursively(recoverDir);
            }
            RollingResourcesCache names = new RollingResourcesCache(rollCycle, 0, File::new, File::getName);
            List<Map.Entry<Integer, Path>> files = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SingleChronicleQueue.SUFFIX)) {
                for (Path p : ds) {
                    String n = p.getFileName().toString();
                    int cycle;
                    try {
                        cycle = names.parseCount(n.substring(0, n.length() - SingleChronicleQueue.SUFFIX.length()));
                    } catch (RuntimeException e) {
                        throw new InvalidArgumentException("rollCycle", "file " + p + " does not match roll cycle "
                                + journalRollCycle + "; open the journal with the roll cycle it was written with");
                    }
                    files.add(Map.entry(cycle, p));
                }
            }
            files.sort(Map.Entry.comparingByKey());
            Optional<CleanCloseMarker.Marker> clean = CleanCloseMarker.read(dir);
            if (!readOnly) {
                // From here on a crash must lead to a full scan: the marker only vouches for a
                // file nobody has written since the clean close.
                CleanCloseMarker.delete(dir);
            }
            // The last file(s): full scan; a last file without valid entries falls back to the previous one.
            List<Cycle> table = new ArrayList<>();
            long headSeq = 0;
            long headHlc = 0;
            int last = files.size() - 1;
            while (last >= 0) {
                Map.Entry<Integer, Path> f = files.get(last);
                long cleanLastSeq = clean.filter(m -> m.cycleFile().equals(f.getValue().getFileName().toString()))
                        .map(CleanCloseMarker.Marker::lastSeq).orElse(0L);
                CycleFileScanner.Result r = scanLast(f.getKey(), f.getValue(), cleanLastSeq);
                if (r.entries() > 0) {
                    headSeq = r.lastSeq();
                    headHlc = r.lastHlc();
                    table.add(new Cycle(f.getKey(), r.firstSeq(), r.firstHlc(), f.getValue()));
                    break;
                }
                last--;
            }
            // Earlier files: only their first entry.
            List<Cycle> earlier = new ArrayList<>();
            for (int i = 0; i < last; i++) {
                Map.Entry<Integer, Path> f = files.get(i);
                try (CycleFileScanner s = new CycleFileScanner(f.getValue(), name, id, maxEntryBytes)) {
                    Cycle c = firstEntry(s, f.getKey(), f.getValue());
                    if (c != null) {
                        earlier.add(c);
                    }
                }
            }
            earlier.addAll(table);
            earlier.sort(Comparator.comparingLong(Cycle::firstSeq));
            for (int i = 1; i < earlier.size(); i++) {
                if (earlier.get(i).firstSeq() <= earlier.get(i - 1).firstSeq()) {
                    throw new CorruptedDataException(name, earlier.get(i).firstSeq(), "cycle files "
                            + earlier.get(i - 1).file() + " and " + earlier.get(i).file() + " start with the same sequence");
                }
            }
            if (!readOnly && clean.isEmpty()) {
                // After a crash the entries read above may sit in the page cache only (appended, never forced,
                // never acknowledged in SYNC mode). They count as durable and visible from here on, so force
                // them first: otherwise a power loss could take them back after readers applied them and
                // after later cycle files, forced at the next roll, made them look complete.
                for (Map.Entry<Integer, Path> f : files) {
                    if (!Files.exists(f.getValue())) {
                        continue; // an empty last file the scan removed
                    }
                    try (FileChannel ch = FileChannel.open(f.getValue(), StandardOpenOption.READ,
                            StandardOpenOption.WRITE)) {
                        ForceObserver.force(f.getValue(), ForceObserver.Kind.FILE, () -> forcer.force(ch));
                    }
                }
                if (!files.isEmpty()) {
                    Fsync.directory(dir);
                }
            }
            this.cycles = List.copyOf(earlier);
            this.head = headSeq;
            this.lastHlc = headHlc;
            this.visible = headSeq;
            this.durable = headSeq;
            this.first = earlier.isEmpty() ? headSeq + 1 : earlier.get(0).firstSeq();
            this.currentCycle = earlier.isEmpty() ? -1 : earlier.get(earlier.size() - 1).cycle();
            clock.observe(headHlc);
            time.millis = headHlc == 0 ? clock.wallMillis() : HybridLogicalClock.physicalMillis(headHlc);
        } catch (IOException e) {
            throw new VecraftIOException("recovery of journal partition " + name + " in " + dir + " failed", e);
        }
    }

    /** Reads the first valid entry of an earlier cycle file (full validation happens when it is read). */
    private Cycle firstEntry(CycleFileScanner s, int cycle, Path file) throws IOException {
        long[] found = new long[2];
        try {
            s.scan(0, 0, (pos, e, len) -> {
                found[0] = EntryFormat.sequence(e);
                found[1] = EntryFormat.hlc(e);
                throw new StopScan();
            });
        } catch (StopScan stop) {
            return new Cycle(cycle, found[0], found[1], file);
        }
        return null;
    }

    private static final class StopScan extends IOException {
        private static final long serialVersionUID = 1L;

        StopScan() {
            super("first entry found");
        }
    }

    /** Full scan of the last cycle file; cuts a torn tail. */
    private CycleFileScanner.Result scanLast(int cycle, Path file, long cleanLastSeq) throws IOException {
        CycleFileScanner.Result r;
        try (CycleFileScanner s = new CycleFileScanner(file, name, id, maxEntryBytes)) {
            r = s.scan(0, 0, cleanLastSeq, null);
        }
        if (r.end() != CycleFileScanner.End.TORN) {
            return r;
        }
        LOG.warn("journal partition {}: torn tail in {} at byte {} after sequence {} ({}); {}", name, file,
                r.stopPosition(), r.lastSeq(), r.reason(),
                readOnly ? "read-only open: ignoring the tail, nothing changed on disk"
                        : "cutting it off (" + r.entries() + " valid entries kept)");
        if (!readOnly) {
            cutTornTail(cycle, file, r);
        }
        return r;
    }

    /**
     * Rewrites the cycle file with only its valid prefix: the valid entries are appended to a
     * fresh queue in {@code .recover/} whose clock is pinned to the cycle, and the new file then
     * replaces the old one by an atomic rename. Rewriting (instead of zeroing the tail in place)
     * also resets Chronicle's own write position and index, which may point into the torn region
     * after a power loss. A crash during the rewrite leaves the old file in place and the rewrite
     * is repeated at the next open.
     */
    private void cutTornTail(int cycle, Path file, CycleFileScanner.Result r) throws IOException {
        if (r.entries() == 0) {
            Files.delete(file);
            Fsync.directory(dir);
            LOG.warn("journal partition {}: deleted {} (no valid entry in it)", name, file);
            return;
        }
        JournalCut.rewrite(dir, cycle, file, rollCycle, rollCycle.lengthInMillis(), maxEntryBytes, name, id,
                r.entries());
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    // ------------------------------------------------------------------ appends

    @Override
    public String name() {
        return name;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public AppendResult append(int type, String requestId, long transactionId, byte[] payload) {
        checkWritable();
        byte[] rid = validate("", type, requestId, payload);
        long seq;
        long hlc;
        appendLock.lock();
        try {
            checkWritable();
            // One wall-clock reading serves the stamp and the idle-tick bookkeeping.
            long wall = clock.wallMillis();
            hlc = clock.nowAt(wall);
            seq = head + 1;
            write(type, seq, hlc, wall, rid, transactionId, payload);
            publishAppended(seq, hlc);
            APPENDS.setOpaque(this, appendCount + 1);
        } finally {
            appendLock.unlock();
        }
        afterAppend(seq);
        return new AppendResult(id, name, seq, hlc);
    }

    @Override
    public AppendResult appendReplica(JournalEntry entry) {
        checkWritable();
        if (entry == null) {
            throw new InvalidArgumentException("entry", "must not be null");
        }
        if (entry.partitionId() != id) {
            throw new InvalidArgumentException("entry.partitionId", "must be " + id + " (" + name + "), was "
                    + entry.partitionId());
        }
        byte[] rid = entry.isTick() ? EMPTY
                : validate("entry.", entry.type(), entry.requestId(), entry.payload());
        appendLock.lock();
        try {
            checkWritable();
            if (entry.sequence() != head + 1) {
                throw new InvalidArgumentException("entry.sequence", "must be the next sequence " + (head + 1)
                        + " of partition " + name + ", was " + entry.sequence());
            }
            if (entry.hlc() < lastHlc) {
                throw new InvalidArgumentException("entry.hlc", "must not be below the last HLC " + lastHlc
                        + " of partition " + name + ", was " + entry.hlc());
            }
            clock.observe(entry.hlc());
            write(entry.type(), entry.sequence(), entry.hlc(), clock.wallMillis(), rid, entry.transactionId(),
                    entry.isTick() ? EMPTY : entry.payload());
            publishAppended(entry.sequence(), entry.hlc());
            APPENDS.setOpaque(this, appendCount + 1);
        } finally {
            appendLock.unlock();
        }
        afterAppend(entry.sequence());
        return new AppendResult(id, name, entry.sequence(), entry.hlc());
    }

    @Override
    public List<AppendResult> appendBatch(List<EntryDraft> entries) {
        checkWritable();
        if (entries == null || entries.isEmpty()) {
            throw new InvalidArgumentException("entries", "must hold at least one entry, was "
                    + (entries == null ? "null" : "empty"));
        }
        byte[][] rids = new byte[entries.size()][];
        for (int i = 0; i < entries.size(); i++) {
            EntryDraft d = entries.get(i);
            if (d == null) {
                throw new InvalidArgumentException("entries[" + i + "]", "must not be null");
            }
            rids[i] = validate("entries[" + i + "].", d.type(), d.requestId(), d.payload());
        }
        List<AppendResult> results = new ArrayList<>(entries.size());
        long seq = 0;
        appendLock.lock();
        try {
            checkWritable();
            for (int i = 0; i < entries.size(); i++) {
                EntryDraft d = entries.get(i);
                long wall = clock.wallMillis();
                long hlc = clock.nowAt(wall);
                seq = head + 1;
                write(d.type(), seq, hlc, wall, rids[i], d.transactionId(), d.payload());
                publishAppended(seq, hlc);
                APPENDS.setOpaque(this, appendCount + 1);
                results.add(new AppendResult(id, name, seq, hlc));
            }
            BATCHES.setOpaque(this, batchCount + 1);
        } finally {
            appendLock.unlock();
        }
        afterAppend(seq);
        return List.copyOf(results);
    }

    @Override
    public boolean tick(long hlc) {
        if (readOnly || closed || failure != null) {
            return false;
        }
        long seq;
        appendLock.lock();
        try {
            if (closed || failure != null) {
                return false;
            }
            if (hlc != 0 && lastHlc >= hlc) {
                return false;
            }
            long wall = clock.wallMillis();
            long elapsed = wall - lastAppendWallMillis;
            // A negative elapsed time means the wall clock stepped back: allow the tick.
            if (lastAppendWallMillis != Long.MIN_VALUE && elapsed >= 0 && elapsed < tickIntervalMillis) {
                return false;
            }
            long stamp = clock.nowAt(wall);
            seq = head + 1;
            write(EntryTypes.TICK, seq, stamp, wall, EMPTY, 0, EMPTY);
            publishAppended(seq, stamp);
            TICKS.setOpaque(this, tickCount + 1);
        } finally {
            appendLock.unlock();
        }
        afterAppend(seq);
        return true;
    }

    private byte[] validate(String prefix, int type, String requestId, byte[] payload) {
        if (type < 1 || type > EntryTypes.MAX_TYPE) {
            throw new InvalidArgumentException(prefix + "type", "must be between 1 and " + EntryTypes.MAX_TYPE
                    + " (" + EntryTypes.TICK + " is reserved for ticks), was " + type);
        }
        if (requestId == null) {
            throw new InvalidArgumentException(prefix + "requestId", "must not be null");
        }
        if (payload == null) {
            throw new InvalidArgumentException(prefix + "payload", "must not be null");
        }
        if (payload.length > config.maxPayloadBytes()) {
            throw new InvalidArgumentException(prefix + "payload", "must be at most " + config.maxPayloadBytes()
                    + " bytes (JournalConfig.maxPayloadBytes), was " + payload.length);
        }
        if (requestId.isEmpty()) {
            return EMPTY;
        }
        if (requestId.length() > JournalConfig.MAX_REQUEST_ID_BYTES * 2) {
            // Cheap early reject; the exact byte count is checked below.
            throw new InvalidArgumentException(prefix + "requestId", "must be at most "
                    + JournalConfig.MAX_REQUEST_ID_BYTES + " UTF-8 bytes, was " + requestId.length() + " chars");
        }
        byte[] rid = requestId.getBytes(StandardCharsets.UTF_8);
        if (rid.length > JournalConfig.MAX_REQUEST_ID_BYTES) {
            throw new InvalidArgumentException(prefix + "requestId", "must be at most "
                    + JournalConfig.MAX_REQUEST_ID_BYTES + " UTF-8 bytes, was " + rid.length);
        }
        return rid;
    }

    /**
     * Writes one entry; caller holds appendLock.
     *
     * @param wall the wall-clock reading taken for this append (idle-tick bookkeeping)
     */
    private void write(int type, long seq, long hlc, long wall, byte[] rid, long tx, byte[] payload) {
        long physical = HybridLogicalClock.physicalMillis(hlc);
        int cycle = journalRollCycle.cycleOf(physical);
        boolean newCycle = cycle != currentCycle;
        if (newCycle && currentCycle != -1 && !(durability instanceof Durability.Async) && head > durable) {
            // Force the finished cycle before the first entry of the next one: a later cycle file
            // on disk then implies every earlier one is complete.
            try {
                forceRange(durable + 1, head);
            } catch (RuntimeException e) {
                // As for any failed force: never retried (a second fsync of the file may report success
                // for pages the kernel dropped), the partition refuses appends until reopen.
                fail(e);
                throw new VecraftIOException("journal partition " + name + ": force of sequences " + (durable + 1)
                        + ".." + head + " before rolling to a new cycle failed (" + e.getMessage() + "); entry "
                        + seq + " was not written and the partition refuses appends until reopen", e);
            }
        }
        if (time.millis != physical) {
            time.millis = physical;
        }
        int length = EntryFormat.entryBytes(rid.length, payload.length);
        if (preallocate && cycle == preallocCycle && writeEnd + length + preallocGap > preallocEnd) {
            // Usually reserved after the previous append already; not for an entry larger than what
            // lies reserved, or when Chronicle grew the file since, or when that reservation failed.
            // Only once this process wrote to the file (cycle == preallocCycle): before that,
            // writeEnd does not describe it.
            try {
                preallocate(cycle, length);
            } catch (IOException | RuntimeException e) {
                fail(e);
                throw new VecraftIOException("journal partition " + name + ": could not reserve space for entry "
                        + seq + " (" + length + " bytes) in " + appender.currentFile() + " (" + e.getMessage()
                        + "; a full disk reports this); nothing of it was written; the partition refuses appends"
                        + " until the journal is reopened", e);
            }
        }
        try {
            if (length <= SMALL_ENTRY_BYTES) {
                // The whole entry is encoded in a scratch array (header in place, one copy of request
                // id and payload), checksummed in one pass and written with one copy into the queue.
                byte[] s = scratch;
                EntryFormat.encodeHeader(s, 0, type, id, rid.length, seq, hlc, tx, payload.length);
                System.arraycopy(rid, 0, s, EntryFormat.HEADER_BYTES, rid.length);
                System.arraycopy(payload, 0, s, EntryFormat.HEADER_BYTES + rid.length, payload.length);
                crc.reset();
                crc.update(s, 0, length - EntryFormat.CRC_BYTES);
                EntryFormat.putIntLE(s, length - EntryFormat.CRC_BYTES, (int) crc.getValue());
                try (DocumentContext dc = appender.writingDocument()) {
                    Bytes<?> b = dc.wire().bytes();
                    b.write(s, 0, length);
                    writeEnd = b.writePosition();
                }
            } else {
                byte[] h = headerBytes;
                EntryFormat.encodeHeader(h, 0, type, id, rid.length, seq, hlc, tx, payload.length);
                crc.reset();
                crc.update(h, 0, EntryFormat.HEADER_BYTES);
                crc.update(rid, 0, rid.length);
                crc.update(payload, 0, payload.length);
                EntryFormat.putIntLE(crcBytes, 0, (int) crc.getValue());
                try (DocumentContext dc = appender.writingDocument()) {
                    Bytes<?> b = dc.wire().bytes();
                    b.write(h, 0, EntryFormat.HEADER_BYTES);
                    b.write(rid, 0, rid.length);
                    b.write(payload, 0, payload.length);
                    b.write(crcBytes, 0, EntryFormat.CRC_BYTES);
                    writeEnd = b.writePosition();
                }
            }
        } catch (Throwable t) {
            // InternalError (SIGBUS: full disk, truncated file) or any Chronicle failure: the
            // appender's state is unknown, so the partition refuses further writes until reopen.
            fail(t);
            throw new VecraftIOException("append to journal partition " + name + " (sequence " + seq
                    + ") failed (" + t + (t instanceof InternalError ? ": a full disk or a truncated file faults a"
                    + " mapped write like this" : "") + "); the partition refuses appends until the journal is"
                    + " reopened", t);
        }
        if (newCycle) {
            File f = appender.currentFile();
            List<Cycle> next = new ArrayList<>(cycles);
            next.add(new Cycle(cycle, seq, hlc, f == null ? null : f.toPath()));
            cycles = List.copyOf(next);
            currentCycle = cycle;
            directoryDirty = true;
            if (first > seq) {
                first = seq;
            }
        }
        lastAppendWallMillis = wall;
        BYTES.setOpaque(this, byteCount + length);
        if (preallocate && (writeEnd + preallocGap + PREALLOC_AHEAD > preallocEnd || cycle != preallocCycle)) {
            try {
                preallocate(cycle, 0);
            } catch (IOException | RuntimeException e) {
                // This entry is written; the next append retries before it writes anything, and fails then.
                LOG.debug("journal partition {}: reserving space ahead failed: {}", name, e.toString());
            }
        }
    }

    /**
     * Reserves the space of the next appends: writes the cycle file's own bytes back (zeros where
     * nothing was written yet) from the page after the write position to
     * {@value #PREALLOC_AHEAD}-{@value #PREALLOC_CHUNK} bytes past what the next append may touch
     * (its entry and an index array), {@value #PREALLOC_CHUNK} bytes at a time. Two reasons:
     * <ul>
     *   <li>a full disk. Chronicle writes through a mapping of its sparse cycle file, and a store into
     *       a page the file system cannot allocate raises SIGBUS; in JIT-compiled code the JVM
     *       delivers that as an {@code InternalError} at some later point of the thread, possibly
     *       after the append returned (measured on a full tmpfs: the append returned, the error
     *       surfaced in the caller, and the entry was garbage). Allocating the pages with an
     *       ordinary write first turns a full disk into an {@code IOException} here, before anything
     *       of the entry is written;</li>
     *   <li>speed: a force then writes data pages instead of also allocating blocks (BENCHMARKS.md).</li>
     * </ul>
     * Content preserving: within {@link #preallocGap} of the write position, where Chronicle may
     * have started an index array after the last entry, every byte is read and written back
     * unchanged; beyond that nothing was written and zeros are written. Caller holds appendLock,
     * under which every write to the file happens (Chronicle's appender is used only there). A hole reads as
     * zeros and a zero header marks the end of the data, so the format is unchanged. Never extends
     * the file (Chronicle sizes it).
     *
     * @param cycle  the cycle being written
     * @param length bytes of the entry about to be written (0 when reserving after an append)
     * @throws IOException if the file system has no space (or the read or write fails otherwise);
     *                     what was reserved before the failure stays reserved
     */
    private void preallocate(int cycle, int length) throws IOException {
        if (cycle != preallocCycle) {
            closePreallocChannel();
            File f = appender.currentFile();
            if (f == null) {
                return;
            }
            preallocChannel = FileChannel.open(f.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE);
            preallocCycle = cycle;
            preallocEnd = 0;
        }
        long from = Math.max(preallocEnd, (writeEnd + 4095) & ~4095L);
        long to = Math.min(Math.max(from, writeEnd + length + preallocGap + PREALLOC_AHEAD) + PREALLOC_CHUNK,
                preallocChannel.size());
        // Below this Chronicle may have started an index array after the last entry: keep its bytes
        // (read and write back). Beyond it nothing was written: zeros, without reading (reading
        // ahead like that made every later force several times slower, measured).
        long zerosFrom = (writeEnd + preallocGap + 4095) & ~4095L;
        long pos = from;
        while (pos < to) {
            int n;
            if (pos < zerosFrom) {
                ByteBuffer buf = reserveBuffer;
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), Math.min(to, zerosFrom) - pos));
                n = preallocChannel.read(buf, pos);
                if (n <= 0) {
                    break;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    preallocChannel.write(buf, pos + buf.position());
                }
            } else {
                ByteBuffer z = ZEROS.duplicate();
                z.limit((int) Math.min(z.capacity(), to - pos));
                n = z.remaining();
                while (z.hasRemaining()) {
                    preallocChannel.write(z, pos + z.position());
                }
            }
            pos += n;
            // Opaque stores: stats and tests read these without the lock.
            RESERVED_AHEAD.setOpaque(this, reservedAhead + n);
            preallocEnd = pos;
        }
    }

    private void closePreallocChannel() {
        if (preallocChannel != null) {
            try {
                preallocChannel.close();
            } catch (IOException e) {
                LOG.warn("journal partition {}: closing a file channel failed", name, e);
            }
            preallocChannel = null;
        }
    }

    /** Caller holds appendLock. */
    private void publishAppended(long seq, long hlc) {
        LAST_HLC.setRelease(this, hlc);
        HEAD.setRelease(this, seq);
        if (!sync) {
            visible = seq;
        }
    }

    private void afterAppend(long seq) {
        if (sync) {
            awaitDurableForcing(seq);
        } else {
            notifyVisible();
        }
    }

    private void checkWritable() {
        if (closed) {
            throw new VecraftClosedException("journal partition " + name);
        }
        if (readOnly) {
            throw new VecraftException("journal partition " + name + " was opened read-only; appends are refused");
        }
        Throwable f = failure;
        if (f != null) {
            throw new VecraftIOException("journal partition " + name + " failed earlier and refuses appends until "
                    + "the journal is reopened: " + f, f);
        }
    }

    private void fail(Throwable t) {
        if (failure == null) {
            failure = t;
            LOG.error("journal partition {} failed; refusing appends until reopen", name, t);
        }
        syncLock.lock();
        try {
            syncDone.signalAll();
        } finally {
            syncLock.unlock();
        }
        wakeWriters();
    }

    // ------------------------------------------------------------------ durability

    /**
     * Group commit: returns once {@code durable >= seq}. The first caller that finds no force in
     * progress (compare-and-set of {@link #forcing}) forces everything appended so far; the others
     * park until it ends and then either return or become the next forcer. The forcer unparks the
     * parked writers directly, all at once, instead of handing a lock from one to the next: with
     * many writers on few cores that chain of wake-ups took longer than the force.
     */
    private void awaitDurableForcing(long seq) {
        while (durable < seq) {
            Throwable f = failure;
            if (f != null) {
                throw new VecraftIOException("journal partition " + name + ": sequence " + seq
                        + " was written but could not be forced to disk: " + f, f);
            }
            if (closed && !forcing) {
                throw new VecraftClosedException("journal partition " + name);
            }
            Runnable hook = beforeForceClaim;
            if (hook != null) {
                hook.run();
            }
            if (!forcing && FORCING.compareAndSet(this, false, true)) {
                forceAsWriter(seq);
                continue;
            }
            // Push, then re-check: a forcer clears forcing before it empties the stack, so either
            // it sees this waiter or this waiter sees forcing false (or a newer forcer, which will).
            Waiter w = new Waiter(Thread.currentThread());
            Waiter top;
            do {
                top = parkedWriters.get();
                w.next = top;
            } while (!parkedWriters.compareAndSet(top, w));
            if (forcing && durable < seq && failure == null && !closed) {
                LockSupport.park(this);
            }
        }
    }

    /** Tests only: runs in a waiting writer between its durability check and its claim of the force. */
    static volatile Runnable beforeForceClaim;

    /** Runs one group-commit force; the caller set {@link #forcing}. */
    private void forceAsWriter(long seq) {
        if (durable >= seq) {
            // Another forcer covered seq between this writer's check and its compare-and-set. Nothing was
            // forced here, so durable must not move: entries appended since are not on disk yet.
            forcing = false;
            wakeWriters();
            return;
        }
        long from = durable + 1;
        long target = head;
        Throwable error = null;
        try {
            target = gatherBatch();
            long took = forceRange(from, target);
            long avg = forceNanosAverage;
            forceNanosAverage = avg == 0 ? took : avg + (took - avg) / 8;
        } catch (Throwable t) {
            error = t;
        }
        if (error != null) {
            fail(error);
            forcing = false;
            wakeWriters();
            throw new VecraftIOException("journal partition " + name + ": force of sequences " + from
                    + ".." + target + " failed (" + error.getMessage() + "); the write is not acknowledged,"
                    + " the force is not retried and the partition refuses appends until reopen", error);
        }
        boolean moved = target > durable;
        if (moved) {
            durable = target;
            expectedPending = head - from + 1;
        }
        forcing = false;
        wakeWriters();
        if (moved) {
            syncLock.lock();
            try {
                syncDone.signalAll();
            } finally {
                syncLock.unlock();
            }
            if (sync) {
                setVisible(target);
            }
        }
    }

    /** Unparks every writer parked in {@link #awaitDurableForcing}. */
    private void wakeWriters() {
        Waiter w = parkedWriters.getAndSet(null);
        while (w != null) {
            LockSupport.unpark(w.thread);
            w = w.next;
        }
    }

    /** A parked SYNC writer. */
    private static final class Waiter {
        final Thread thread;
        Waiter next;

        Waiter(Thread thread) {
            this.thread = thread;
        }
    }

    /**
     * Lets the writers the previous force woke append again before this force starts, so that one
     * force covers all of them instead of alternating between large and small batches (measured
     * with 16 writers: 8.7 entries per force without this, 13-15 with it): when {@code n} entries
     * were waiting as the last force completed, yields until {@code n} entries wait again, for at
     * most half the average force, then forces what is there (the next force then expects what
     * actually came). SYNC only; a single writer never waits here, nor does a BATCH-mode flush.
     *
     * @return the head to force up to
     */
    private long gatherBatch() {
        long expect = expectedPending;
        long from = durable;
        if (sync && expect > 1 && head - from < expect) {
            long budget = Math.min(MAX_GATHER_NANOS, forceNanosAverage / 2);
            long deadline = System.nanoTime() + budget;
            while (head - from < expect && System.nanoTime() - deadline < 0) {
                Thread.yield();
            }
        }
        return head;
    }

    private static final long MAX_GATHER_NANOS = 2_000_000L;

    /**
     * Forces every cycle file holding sequences in [from, to] (fdatasync writes back the pages the
     * mmap dirtied), plus the directory when a new cycle file appeared. Runs in the forcer thread
     * or under appendLock at a roll; concurrent calls are serialised on the channel map.
     *
     * @return how long it took, in nanoseconds (0 for an empty range)
     */
    private long forceRange(long from, long to) {
        if (to < from) {
            return 0;
        }
        long t0 = System.nanoTime();
        List<Cycle> cs = cycles;
        synchronized (channels) {
            for (int i = 0; i < cs.size(); i++) {
                Cycle c = cs.get(i);
                long nextFirst = i + 1 < cs.size() ? cs.get(i + 1).firstSeq() : Long.MAX_VALUE;
                if (nextFirst <= from || c.firstSeq() > to) {
                    continue;
                }
                FileChannel ch = channels.get(c.cycle());
                try {
                    if (ch == null) {
                        ch = FileChannel.open(c.file(), StandardOpenOption.READ, StandardOpenOption.WRITE);
                        channels.put(c.cycle(), ch);
                    }
                    FileChannel forced = ch;
                    ForceObserver.force(c.file(), ForceObserver.Kind.FILE, () -> forcer.force(forced));
                } catch (IOException e) {
                    throw new VecraftIOException("fdatasync of journal file " + c.file() + " (partition " + name
                            + ", sequences " + from + ".." + to + ") failed", e);
                }
                forces.increment();
            }
            if (directoryDirty) {
                directoryDirty = false;
                Fsync.directory(dir);
                Path meta = dir.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE);
                if (Files.exists(meta)) {
                    try {
                        Fsync.file(meta);
                    } catch (IOException e) {
                        throw new VecraftIOException("fsync of " + meta + " failed", e);
                    }
                }
            }
        }
        forcedEntries.add(to - from + 1);
        long took = System.nanoTime() - t0;
        forceNanos.add(took);
        return took;
    }

    /**
     * Forces everything appended so far (any durability mode) and returns when it is durable.
     *
     * @throws VecraftIOException if the force fails
     */
    @Override
    public void flush() {
        if (readOnly || closed) {
            return;
        }
        long h = head;
        if (h > durable) {
            awaitDurableForcing(h);
        }
    }

    /** Called by the BATCH flusher. */
    void flushIfDirty() {
        if (failure == null && head > durable) {
            try {
                flush();
            } catch (VecraftException e) {
                LOG.error("journal partition {}: background flush failed", name, e);
            }
        }
    }

    // ------------------------------------------------------------------ visibility

    private void setVisible(long seq) {
        if (seq > visible) {
            visible = seq;
        }
        notifyVisible();
    }

    private void notifyVisible() {
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("journal partition {}: visibility listener failed", name, e);
            }
        }
        if (visibleWaiters.get() > 0) {
            visibleLock.lock();
            try {
                visibleMoved.signalAll();
            } finally {
                visibleLock.unlock();
            }
        }
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    @Override
    public long headSequence() {
        return head;
    }

    @Override
    public long visibleSequence() {
        return visible;
    }

    @Override
    public long durableSequence() {
        return durable;
    }

    @Override
    public long lastHlc() {
        return lastHlc;
    }

    @Override
    public Watermark watermark() {
        if (readOnly || closed) {
            return new Watermark(head, lastHlc);
        }
        appendLock.lock();
        try {
            // A stamp taken under the append lock: every later entry of this partition gets a larger one.
            return new Watermark(head, clock.now());
        } finally {
            appendLock.unlock();
        }
    }

    @Override
    public long firstSequence() {
        return first;
    }

    @Override
    public JournalTailer tailer() {
        checkOpen();
        return new ChronicleTailer(this, queue.createTailer());
    }

    @Override
    public boolean awaitVisible(long sequence, long timeout, TimeUnit unit) throws InterruptedException {
        return await(sequence, timeout, unit, false);
    }

    @Override
    public boolean awaitDurable(long sequence, long timeout, TimeUnit unit) throws InterruptedException {
        if (durable >= sequence) {
            return true;
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        syncLock.lock();
        try {
            while (durable < sequence && !closed && failure == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                syncDone.awaitNanos(left);
            }
            return durable >= sequence;
        } finally {
            syncLock.unlock();
        }
    }

    boolean await(long sequence, long timeout, TimeUnit unit, boolean tailerWait) throws InterruptedException {
        if (visible >= sequence) {
            return true;
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        visibleWaiters.incrementAndGet();
        if (tailerWait) {
            waitingTailers.incrementAndGet();
            journal.heartbeatWanted();
        }
        visibleLock.lock();
        try {
            while (visible < sequence && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                visibleMoved.awaitNanos(left);
            }
            return visible >= sequence;
        } finally {
            visibleLock.unlock();
            visibleWaiters.decrementAndGet();
            if (tailerWait) {
                waitingTailers.decrementAndGet();
            }
        }
    }

    @Override
    public AutoCloseable onVisible(Runnable listener) {
        if (listener == null) {
            throw new InvalidArgumentException("listener", "must not be null");
        }
        checkOpen();
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** @return true if the last append (tick or entry) is at least one tick interval old */
    boolean idleForTick() {
        long last = lastAppendWallMillis;
        long elapsed = clock.wallMillis() - last;
        return last == Long.MIN_VALUE || elapsed < 0 || elapsed >= tickIntervalMillis;
    }

    // ------------------------------------------------------------------ retention

    @Override
    public int deleteBelow(long sequence) {
        checkWritable();
        int deleted = 0;
        appendLock.lock();
        try {
            List<Cycle> cs = cycles;
            int keepFrom = 0;
            // Cycle i holds [first_i, first_{i+1}); deletable when first_{i+1} <= sequence. Never the last.
            while (keepFrom + 1 < cs.size() && cs.get(keepFrom + 1).firstSeq() <= sequence) {
                keepFrom++;
            }
            if (keepFrom == 0) {
                return 0;
            }
            first = cs.get(keepFrom).firstSeq();
            cycles = List.copyOf(cs.subList(keepFrom, cs.size()));
            for (int i = 0; i < keepFrom; i++) {
                Cycle c = cs.get(i);
                synchronized (channels) {
                    FileChannel ch = channels.remove(c.cycle());
                    if (ch != null) {
                        ch.close();
                    }
                }
                Files.deleteIfExists(c.file());
                deleted++;
            }
            queue.refreshDirectoryListing();
            Fsync.directory(dir);
            LOG.info("journal partition {}: retention deleted {} cycle file(s); first stored sequence is now {}",
                    name, deleted, first);
            return deleted;
        } catch (IOException e) {
            throw new VecraftIOException("retention in journal partition " + name + " (" + dir + ") failed after "
                    + deleted + " deleted file(s)", e);
        } finally {
            appendLock.unlock();
        }
    }

    // ------------------------------------------------------------------ stats, internals for the tailer

    @Override
    public JournalStats stats() {
        return new JournalStats((long) APPENDS.getOpaque(this), (long) BATCHES.getOpaque(this),
                (long) TICKS.getOpaque(this), (long) BYTES.getOpaque(this), forces.sum(),
                forcedEntries.sum(), forceNanos.sum());
    }

    List<Cycle> cycles() {
        return cycles;
    }

    /** @return bytes reserved (written back or zero-filled) ahead of the writer since open (see {@link #preallocate}) */
    long reservedAheadBytes() {
        return (long) RESERVED_AHEAD.getOpaque(this);
    }

    RollCycle rollCycle() {
        return rollCycle;
    }

    int maxEntryBytes() {
        return maxEntryBytes;
    }

    boolean isClosed() {
        return closed;
    }

    void checkOpen() {
        if (closed) {
            throw new VecraftClosedException("journal partition " + name);
        }
    }

    /** Flushes (except read-only), wakes every waiter and releases the queue; idempotent. */
    void close() {
        if (closed) {
            return;
        }
        Throwable flushError = null;
        if (!readOnly && failure == null) {
            appendLock.lock();
            try {
                flush();
            } catch (Throwable t) {
                flushError = t;
            } finally {
                appendLock.unlock();
            }
        }
        closed = true;
        wakeWriters();
        syncLock.lock();
        try {
            syncDone.signalAll();
        } finally {
            syncLock.unlock();
        }
        visibleLock.lock();
        try {
            visibleMoved.signalAll();
        } finally {
            visibleLock.unlock();
        }
        listeners.clear();
        appendLock.lock();
        try {
            closePreallocChannel();
            if (appender != null) {
                appender.close();
            }
            queue.close();
            synchronized (channels) {
                for (FileChannel ch : channels.values()) {
                    try {
                        ch.close();
                    } catch (IOException e) {
                        LOG.warn("journal partition {}: closing a file channel failed", name, e);
                    }
                }
                channels.clear();
            }
        } finally {
            appendLock.unlock();
        }
        if (flushError != null) {
            LOG.error("journal partition {}: final flush at close failed", name, flushError);
        } else if (!readOnly && failure == null && head > 0 && !cycles.isEmpty()) {
            try {
                Path lastFile = cycles.get(cycles.size() - 1).file();
                CleanCloseMarker.write(dir, new CleanCloseMarker.Marker(lastFile.getFileName().toString(), head,
                        lastHlc));
            } catch (IOException | RuntimeException e) {
                LOG.warn("journal partition {}: could not record the clean close (the next open scans fully)", name, e);
            }
        }
    }

    @Override
    public String toString() {
        return "JournalPartition{" + name + "#" + id + ", head=" + head + ", visible=" + visible + ", durable="
                + durable + ", first=" + first + "}";
    }

    /** Chronicle's clock for this queue: the physical part of the HLC being appended, so cycles never go back. */
    private static final class HlcTimeProvider implements TimeProvider {
        volatile long millis;

        @Override
        public long currentTimeMillis() {
            return millis;
        }
    }
}
