package io.vecraft.journal;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.journal.internal.Fsync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * The {@link Journal} on Chronicle Queue: one queue directory per partition under
 * {@link JournalConfig#directory()}, an exclusive lock file, a manifest of partition names, a
 * heartbeat thread (ticks idle partitions while tailers wait) and, in BATCH mode, a flusher
 * thread.
 *
 * <p>Thread-safe. {@link #close()} is idempotent.
 */
final class ChronicleJournal implements Journal {
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleJournal.class);
    static final String LOCK_FILE = "journal.lock";
    static final String MANIFEST_FILE = "journal.manifest";
    static final String MANIFEST_MAGIC = "vecraft-journal-manifest";
    static final int MANIFEST_VERSION = 1;
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final JournalConfig config;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<JournalPartition> partitions;
    private final Map<String, ChroniclePartition> byName = new HashMap<>();
    private final ReentrantLock threadLock = new ReentrantLock();
    private final Condition wake = threadLock.newCondition();
    private final Thread heartbeat;
    private final Thread flusher;
    private volatile boolean closed;

    private ChronicleJournal(JournalConfig config) {
        this.config = config;
        Path dir = config.directory();
        FileChannel ch = null;
        FileLock fl = null;
        List<ChroniclePartition> opened = new ArrayList<>();
        try {
            if (config.readOnly()) {
                if (!Files.isDirectory(dir)) {
                    throw new NotFoundException("journal directory", dir.toString());
                }
            } else {
                boolean created = !Files.isDirectory(dir);
                Files.createDirectories(dir);
                if (created && dir.toAbsolutePath().getParent() != null) {
                    Fsync.directory(dir.toAbsolutePath().getParent());
                }
                Path lockFile = dir.resolve(LOCK_FILE);
                ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                try {
                    fl = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    throw new JournalLockedException(lockFile, e);
                }
                if (fl == null) {
                    throw new JournalLockedException(lockFile, null);
                }
            }
            checkManifest(config);
            for (int i = 0; i < config.partitions().size(); i++) {
                ChroniclePartition p = new ChroniclePartition(this, config, i, config.partitions().get(i));
                opened.add(p);
                byName.put(p.name(), p);
            }
        } catch (IOException e) {
            closeAll(opened, ch);
            throw new VecraftIOException("opening journal " + dir + " failed", e);
        } catch (RuntimeException | Error e) {
            closeAll(opened, ch);
            throw e;
        }
        this.lockChannel = ch;
        this.lock = fl;
        this.partitions = Collections.unmodifiableList(new ArrayList<>(opened));
        if (config.readOnly()) {
            this.heartbeat = null;
            this.flusher = null;
        } else {
            int n = THREAD_IDS.incrementAndGet();
            this.heartbeat = new Thread(this::heartbeatLoop, "vecraft-journal-heartbeat-" + n);
            heartbeat.setDaemon(true);
            heartbeat.start();
            if (config.durability() instanceof Durability.Batch b) {
                this.flusher = new Thread(() -> flushLoop(b.interval().toNanos()), "vecraft-journal-flusher-" + n);
                flusher.setDaemon(true);
                flusher.start();
            } else {
                this.flusher = null;
            }
        }
        LOG.info("opened journal {} ({}, partitions {}, {})", dir, config.durability(), config.partitions(),
                config.readOnly() ? "read-only" : "read-write");
    }

    /**
     * Opens the journal (see {@link Journal#open(JournalConfig)}).
     *
     * @param config the configuration
     * @return the open journal
     */
    static Journal open(JournalConfig config) {
        if (config == null) {
            throw new InvalidArgumentException("config", "must not be null");
        }
        return new ChronicleJournal(config);
    }

    private static void closeAll(List<ChroniclePartition> opened, FileChannel lockChannel) {
        for (ChroniclePartition p : opened) {
            try {
                p.close();
            } catch (RuntimeException e) {
                LOG.warn("closing partition {} after a failed open failed", p.name(), e);
            }
        }
        if (lockChannel != null) {
            try {
                lockChannel.close();
            } catch (IOException e) {
                LOG.warn("closing the journal lock file failed", e);
            }
        }
    }

    /**
     * The manifest records the partition names in id order. A reopen must list the same names in
     * the same order (it may add names at the end); otherwise ids stored in entries would change.
     */
    private static void checkManifest(JournalConfig config) throws IOException {
        Path file = config.directory().resolve(MANIFEST_FILE);
        List<String> stored = List.of();
        if (Files.exists(file)) {
            stored = readManifest(file);
            List<String> wanted = config.partitions();
            int common = Math.min(stored.size(), wanted.size());
            if (!wanted.subList(0, common).equals(stored.subList(0, common))
                    || (wanted.size() < stored.size() && !config.readOnly())) {
                throw new InvalidArgumentException("partitions", "must keep the journal's existing partitions "
                        + stored + " in this order (new ones may be added at the end), was " + wanted);
            }
        }
        if (!config.readOnly() && config.partitions().size() > stored.size()) {
            writeManifest(file, config.partitions());
        }
    }

    static List<String> readManifest(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.size() < 2 || !lines.get(0).equals(MANIFEST_MAGIC + " " + MANIFEST_VERSION)) {
            throw new CorruptedDataException(file.toString(), 0, "expected first line '" + MANIFEST_MAGIC + " "
                    + MANIFEST_VERSION + "'");
        }
        String last = lines.get(lines.size() - 1);
        String body = String.join("\n", lines.subList(0, lines.size() - 1)) + "\n";
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        String expected = String.format("crc32c %08x", crc.getValue());
        if (!last.equals(expected)) {
            throw new CorruptedDataException(file.toString(), lines.size() - 1, "expected last line '" + expected
                    + "', found '" + last + "'");
        }
        List<String> names = new ArrayList<>();
        for (int i = 1; i < lines.size() - 1; i++) {
            String[] parts = lines.get(i).split(" ");
            if (parts.length != 3 || !parts[0].equals("partition") || !parts[1].equals(Integer.toString(names.size()))) {
                throw new CorruptedDataException(file.toString(), i, "expected 'partition " + names.size()
                        + " <name>', found '" + lines.get(i) + "'");
            }
            names.add(parts[2]);
        }
        return names;
    }

    private static void writeManifest(Path file, List<String> names) throws IOException {
        StringBuilder sb = new StringBuilder(MANIFEST_MAGIC).append(' ').append(MANIFEST_VERSION).append('\n');
        for (int i = 0; i < names.size(); i++) {
            sb.append("partition ").append(i).append(' ').append(names.get(i)).append('\n');
        }
        CRC32C crc = new CRC32C();
        crc.update(sb.toString().getBytes(StandardCharsets.UTF_8));
        sb.append(String.format("crc32c %08x", crc.getValue())).append('\n');
        Path tmp = file.resolveSibling(MANIFEST_FILE + ".tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        Fsync.file(tmp);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Fsync.directory(file.getParent());
    }

    // ------------------------------------------------------------------ background threads

    /** Wakes the heartbeat: a tailer started waiting. */
    void heartbeatWanted() {
        if (heartbeat == null) {
            return;
        }
        threadLock.lock();
        try {
            wake.signalAll();
        } finally {
            threadLock.unlock();
        }
    }

    /**
     * Ticks every partition that has a waiting tailer and has been idle for a tick interval; sleeps
     * on a condition while no tailer waits, so an unobserved journal writes no ticks at all.
     */
    private void heartbeatLoop() {
        long intervalNanos = config.tickInterval().toNanos();
        try {
            while (!closed) {
                boolean anyWaiting = false;
                for (JournalPartition jp : partitions) {
                    ChroniclePartition p = (ChroniclePartition) jp;
                    if (p.waitingTailers.get() > 0) {
                        anyWaiting = true;
                        if (p.idleForTick()) {
                            try {
                                p.tick(0);
                            } catch (RuntimeException e) {
                                LOG.warn("heartbeat tick on partition {} failed", p.name(), e);
                            }
                        }
                    }
                }
                threadLock.lock();
                try {
                    if (closed) {
                        return;
                    }
                    if (anyWaiting) {
                        wake.awaitNanos(intervalNanos);
                    } else {
                        // Re-checked after a bounded wait in case a wake-up raced with this check.
                        wake.awaitNanos(TimeUnit.SECONDS.toNanos(1));
                    }
                } finally {
                    threadLock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** BATCH mode: forces every partition with unforced entries at least every interval. */
    private void flushLoop(long intervalNanos) {
        try {
            while (!closed) {
                long start = System.nanoTime();
                for (JournalPartition p : partitions) {
                    ((ChroniclePartition) p).flushIfDirty();
                }
                long left = intervalNanos - (System.nanoTime() - start);
                threadLock.lock();
                try {
                    if (closed) {
                        return;
                    }
                    if (left > 0) {
                        wake.awaitNanos(left);
                    }
                } finally {
                    threadLock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ Journal

    @Override
    public HybridLogicalClock clock() {
        return config.clock();
    }

    @Override
    public List<JournalPartition> partitions() {
        checkOpen();
        return partitions;
    }

    @Override
    public JournalPartition partition(String name) {
        checkOpen();
        ChroniclePartition p = byName.get(name);
        if (p == null) {
            throw new NotFoundException("journal partition", name);
        }
        return p;
    }

    @Override
    public JournalPartition partition(int id) {
        checkOpen();
        if (id < 0 || id >= partitions.size()) {
            throw new NotFoundException("journal partition", "#" + id);
        }
        return partitions.get(id);
    }

    @Override
    public JournalConfig config() {
        return config;
    }

    @Override
    public void flush() {
        checkOpen();
        for (JournalPartition p : partitions) {
            ((ChroniclePartition) p).flush();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new VecraftClosedException("journal " + config.directory());
        }
    }

    @Override
    public void close() {
        threadLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            wake.signalAll();
        } finally {
            threadLock.unlock();
        }
        joinQuietly(heartbeat);
        joinQuietly(flusher);
        for (JournalPartition p : partitions) {
            try {
                ((ChroniclePartition) p).close();
            } catch (RuntimeException e) {
                LOG.error("closing journal partition {} failed", p.name(), e);
            }
        }
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            LOG.warn("releasing the journal lock of {} failed", config.directory(), e);
        }
        LOG.info("closed journal {}", config.directory());
    }

    private static void joinQuietly(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ChronicleJournal{" + config.directory() + ", " + config.durability() + ", " + partitions + "}";
    }
}
