package io.vecraft.benchmarks.journal;

import io.vecraft.api.Durability;
import io.vecraft.journal.EntryDraft;
import io.vecraft.journal.Journal;
import io.vecraft.journal.JournalConfig;
import io.vecraft.journal.JournalPartition;
import io.vecraft.journal.JournalStats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The two SYNC targets of the journal, measured against a fsync latency t taken in the same JVM
 * in alternating slices, because this machine's fsync latency drifts several-fold within minutes
 * and a t measured minutes apart from the journal figure moves the target itself.
 *
 * <p>Each round runs, one after another on the same file system ({@code java.io.tmpdir}):
 * <ol>
 *   <li>t: 64 bytes written with {@link FileChannel} and {@code force(false)}, both appending
 *       (the file grows) and overwriting inside a pre-written region;</li>
 *   <li>the same force after writing through a shared mapping of a sparse file, as Chronicle Queue
 *       writes: W x 104 bytes (what one group-commit force covers) and 1,000 x 104 bytes (one
 *       batch), at a moving position;</li>
 *   <li>W writer threads appending 64-byte entries to one SYNC partition (group commit);</li>
 *   <li>one thread appending batches of 1,000 64-byte entries to a SYNC partition (one force per
 *       batch) and the same thread appending single 64-byte entries to an ASYNC partition for half
 *       a slice, then {@code sync}, so that its dirty pages are not written back during the next round.</li>
 * </ol>
 * It prints each round's ratios (SYNC entries/s over W / t for each t, batch over ASYNC, and the
 * batch floor: 1,000 entries at the ASYNC rate plus one mapped force of their bytes) and their
 * medians.
 *
 * <pre>
 * java &lt;vecraft.jvm.options&gt; -cp benchmarks/target/benchmarks.jar \
 *      io.vecraft.benchmarks.journal.SyncTargetHarness [--rounds 8] [--slice-ms 2000] [--writers 16] [--no-reserve]
 * </pre>
 */
public final class SyncTargetHarness {

    private static final int PAYLOAD = 64;
    private static final int BATCH = 1000;
    /** Bytes of one journal entry with a 64-byte payload and no request id (header, payload, CRC). */
    private static final int ENTRY_BYTES = 104;

    private SyncTargetHarness() {
    }

    /**
     * Runs the rounds and prints one line per round and the medians.
     *
     * @param args {@code --rounds N} (8), {@code --slice-ms MS} (2000), {@code --writers W} (16),
     *             {@code --no-reserve} (SYNC partitions without the space reservation)
     * @throws Exception if a journal or file operation fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = 8;
        long sliceMs = 2000;
        int writers = 16;
        boolean reserve = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--slice-ms" -> sliceMs = Long.parseLong(args[++i]);
                case "--writers" -> writers = Integer.parseInt(args[++i]);
                case "--no-reserve" -> reserve = false;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --rounds N, --slice-ms MS, --writers W, --no-reserve)");
            }
        }
        Path root = JournalAppendBenchmark.tempDir("vecraft-sync-target");
        byte[] payload = JournalAppendBenchmark.payload(PAYLOAD);
        List<EntryDraft> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(new EntryDraft(1, "", 0, payload));
        }
        List<Double> syncRatioOverwrite = new ArrayList<>();
        List<Double> syncRatioAppend = new ArrayList<>();
        List<Double> batchRatio = new ArrayList<>();
        List<Double> syncRatioMapped = new ArrayList<>();
        List<Double> batchOfFloor = new ArrayList<>();
        List<Double> batchFloorRatio = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%s, %d rounds of %d ms slices, W = %d, space reserved ahead %s, data under %s%n",
                System.getProperty("java.vm.version"), rounds, sliceMs, writers, reserve, root);
        try (FileChannel append = FileChannel.open(root.resolve("append.dat"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND);
             FileChannel over = FileChannel.open(root.resolve("overwrite.dat"), StandardOpenOption.CREATE,
                     StandardOpenOption.WRITE, StandardOpenOption.READ);
             MappedFsync mappedGroup = new MappedFsync(root.resolve("mapped-group.dat"), writers * ENTRY_BYTES);
             MappedFsync mappedBatch = new MappedFsync(root.resolve("mapped-batch.dat"), BATCH * ENTRY_BYTES);
             Journal sync = Journal.open(JournalConfig.builder(root.resolve("sync")).withPartitions("group", "batch").withDurability(Durability.SYNC)
                     .withZeroFillAhead(reserve).build());
             Journal async = Journal.open(JournalConfig.builder(root.resolve("async")).withPartitions("single")
                     .withDurability(Durability.ASYNC).build())) {
            over.write(ByteBuffer.allocate(1 << 16), 0);
            over.force(true);
            JournalPartition group = sync.partition("group");
            JournalPartition batched = sync.partition("batch");
            JournalPartition single = async.partition("single");
            // Warm-up: one slice of everything, not reported.
            fsyncMicros(append, true, sliceMs / 2);
            fsyncMicros(over, false, sliceMs / 2);
            mappedGroup.measure(sliceMs / 2);
            mappedBatch.measure(sliceMs / 2);
            groupCommit(group, writers, payload, sliceMs / 2);
            batches(batched, batch, sliceMs / 2);
            asyncSingles(single, payload, sliceMs / 2);
            syncFileSystem();
            System.out.println("round  t_append_us  t_over_us  t_mapped_us  sync_entries/s  entries/force  force_us"
                    + "  vs_W/t_append  vs_W/t_over  vs_W/t_mapped  mapped_batch_us  batch_entries/s  async_entries/s"
                    + "  batch/async  floor/async");
            for (int r = 0; r < rounds; r++) {
                double tAppend = fsyncMicros(append, true, sliceMs / 2);
                double tOver = fsyncMicros(over, false, sliceMs / 2);
                double tMapped = mappedGroup.measure(sliceMs / 2);
                double tMappedBatch = mappedBatch.measure(sliceMs / 2);
                JournalStats before = group.stats();
                double syncRate = groupCommit(group, writers, payload, sliceMs);
                JournalStats after = group.stats();
                long forces = after.forces() - before.forces();
                double perForce = forces == 0 ? 0 : (double) (after.forcedEntries() - before.forcedEntries()) / forces;
                double forceUs = forces == 0 ? 0 : (after.forceNanos() - before.forceNanos()) / 1e3 / forces;
                double ra = syncRate / (writers * 1e6 / tAppend);
                double ro = syncRate / (writers * 1e6 / tOver);
                // The floor for mapped writes: every force covers all W writers and costs what W
                // entries written through a mapping and forced cost, with no time between forces.
                double rm = syncRate / (writers * 1e6 / tMapped);
                double batchRate = batches(batched, batch, sliceMs);
                double asyncRate = asyncSingles(single, payload, sliceMs / 2);
                // The ASYNC slice leaves hundreds of MB of dirty page cache; write it back now so
                // that it does not compete with the next round's forces.
                syncFileSystem();
                double rb = batchRate / asyncRate;
                // The batch floor: writing 1,000 entries at the ASYNC rate plus one mapped force of their bytes.
                double batchFloor = BATCH * 1e6 / (BATCH * 1e6 / asyncRate + tMappedBatch);
                syncRatioAppend.add(ra);
                syncRatioOverwrite.add(ro);
                syncRatioMapped.add(rm);
                batchOfFloor.add(batchRate / batchFloor);
                batchFloorRatio.add(batchFloor / asyncRate);
                batchRatio.add(rb);
                System.out.printf(Locale.ROOT, "%5d  %11.0f  %9.0f  %11.0f  %14.0f  %13.1f  %8.0f  %13.2f  %11.2f  %13.2f"
                                + "  %15.0f  %15.0f  %15.0f  %11.2f  %11.2f%n",
                        r, tAppend, tOver, tMapped, syncRate, perForce, forceUs, ra, ro, rm, tMappedBatch, batchRate,
                        asyncRate, rb, batchFloor / asyncRate);
            }
        } finally {
            JournalAppendBenchmark.delete(root);
        }
        System.out.printf(Locale.ROOT, "median SYNC / (W/t): %.2f against the append t, %.2f against the overwrite t,"
                        + " %.2f against the mapped t (target 0.8)%n", median(syncRatioAppend),
                median(syncRatioOverwrite), median(syncRatioMapped));
        System.out.printf(Locale.ROOT, "median batch / ASYNC: %.2f (target 0.5); the mapped-write floor allows %.2f;"
                + " the batch reaches %.2f of that floor%n", median(batchRatio), median(batchFloorRatio),
                median(batchOfFloor));
    }

    /**
     * Bytes written through a shared mapping of a sparse file at a moving position, then
     * {@code force(false)}: what any writer through a mapping (Chronicle Queue) pays per force on
     * this file system, without the journal. Each measurement starts on a new file.
     */
    private static final class MappedFsync implements AutoCloseable {
        private static final long FILE_BYTES = 256L << 20;
        private final Path file;
        private final byte[] bytes;
        private FileChannel channel;
        private java.nio.MappedByteBuffer map;
        private int pos;

        MappedFsync(Path file, int size) throws IOException {
            this.file = file;
            this.bytes = new byte[size];
            java.util.Arrays.fill(bytes, (byte) 7);
            reopen();
        }

        private void reopen() throws IOException {
            if (channel != null) {
                channel.close();
            }
            java.nio.file.Files.deleteIfExists(file);
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            channel.write(ByteBuffer.allocate(1), FILE_BYTES - 1); // sparse, like a Chronicle cycle file
            map = channel.map(FileChannel.MapMode.READ_WRITE, 0, FILE_BYTES);
            pos = 0;
        }

        /**
         * A fresh file per measurement: with one file for the whole run this latency grew several-fold
         * from round to round (291 to 1,198 us in one run) while the journal's forces did not.
         *
         * @return mean microseconds per write + force over about {@code ms}
         */
        double measure(long ms) throws IOException {
            reopen();
            long start = System.nanoTime();
            long end = start + ms * 1_000_000L;
            long n = 0;
            long now;
            do {
                if (pos + bytes.length > FILE_BYTES) {
                    reopen();
                }
                map.put(pos, bytes, 0, bytes.length);
                pos += bytes.length;
                channel.force(false);
                n++;
                now = System.nanoTime();
            } while (now < end);
            return (now - start) / 1e3 / n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** Mean latency in microseconds of a 64-byte write + fdatasync, for about {@code ms}. */
    private static double fsyncMicros(FileChannel ch, boolean append, long ms) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(PAYLOAD);
        long start = System.nanoTime();
        long end = start + ms * 1_000_000L;
        long n = 0;
        long now;
        do {
            b.clear();
            if (append) {
                ch.write(b);
            } else {
                ch.write(b, 4096);
            }
            ch.force(false);
            n++;
            now = System.nanoTime();
        } while (now < end);
        return (now - start) / 1e3 / n;
    }

    /** Entries per second of {@code writers} threads appending to one SYNC partition for about {@code ms}. */
    private static double groupCommit(JournalPartition p, int writers, byte[] payload, long ms) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder done = new LongAdder();
        CyclicBarrier go = new CyclicBarrier(writers + 1);
        CountDownLatch finished = new CountDownLatch(writers);
        for (int w = 0; w < writers; w++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    while (!stop.get()) {
                        p.append(1, "", 0, payload);
                        done.increment();
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    finished.countDown();
                }
            }, "sync-writer-" + w);
            t.setDaemon(true);
            t.start();
        }
        go.await();
        long start = System.nanoTime();
        long n0 = done.sum();
        // A fixed measurement window: the writers run until the main thread has waited it out.
        finished.await(ms, java.util.concurrent.TimeUnit.MILLISECONDS);
        long n1 = done.sum();
        long elapsed = System.nanoTime() - start;
        stop.set(true);
        finished.await();
        return (n1 - n0) * 1e9 / elapsed;
    }

    private static double batches(JournalPartition p, List<EntryDraft> batch, long ms) {
        long start = System.nanoTime();
        long end = start + ms * 1_000_000L;
        long n = 0;
        long now;
        do {
            p.appendBatch(batch);
            n += batch.size();
            now = System.nanoTime();
        } while (now < end);
        return n * 1e9 / (now - start);
    }

    private static double asyncSingles(JournalPartition p, byte[] payload, long ms) {
        long start = System.nanoTime();
        long end = start + ms * 1_000_000L;
        long n = 0;
        long now;
        do {
            for (int i = 0; i < 1000; i++) {
                p.append(1, "", 0, payload);
            }
            n += 1000;
            now = System.nanoTime();
        } while (now < end);
        return n * 1e9 / (now - start);
    }

    private static void syncFileSystem() throws IOException, InterruptedException {
        new ProcessBuilder("sync").inheritIO().start().waitFor();
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
