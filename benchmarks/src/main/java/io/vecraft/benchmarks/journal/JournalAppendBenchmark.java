package io.vecraft.benchmarks.journal;

import io.vecraft.api.Durability;
import io.vecraft.journal.AppendResult;
import io.vecraft.journal.EntryDraft;
import io.vecraft.journal.Journal;
import io.vecraft.journal.JournalConfig;
import io.vecraft.journal.JournalPartition;
import io.vecraft.journal.JournalStats;
import io.vecraft.journal.internal.EntryFormat;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Journal append throughput and latency against raw Chronicle Queue appends of the same bytes,
 * measured in the same run. Data directories live under {@code java.io.tmpdir}
 * ({@code -Djava.io.tmpdir=...} to move them) and are deleted after each trial.
 *
 * <p>Targets (see BENCHMARKS.md): ASYNC >= 0.7 x raw Chronicle; SYNC with W writers >= 0.8 x W / t
 * where t is {@link FsyncLatencyBenchmark}'s 64-byte write + fdatasync; a 1,000-entry batch with
 * one force >= 0.5 x ASYNC single-thread throughput.
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.SECONDS)
public class JournalAppendBenchmark {

    static Path tempDir(String prefix) throws IOException {
        return Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), prefix);
    }

    /**
     * Deletes a trial's data and then runs {@code sync}, so that write-back of one trial's
     * gigabytes of page cache does not slow the forces of the next trial.
     */
    static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Applies a {@code preallocate} parameter: {@code default} leaves the journal's default. */
    static JournalConfig.Builder reservation(JournalConfig.Builder b, String preallocate) {
        return "default".equals(preallocate) ? b : b.withZeroFillAhead(Boolean.parseBoolean(preallocate));
    }

    static byte[] payload(int size) {
        byte[] b = new byte[size];
        new Random(42).nextBytes(b);
        return b;
    }

    /** One journal per trial. */
    @State(Scope.Benchmark)
    public static class JournalState {
        @Param({"64", "1024"})
        public int payloadSize;
        @Param({"ASYNC", "SYNC"})
        public String durability;
        /**
         * {@code JournalConfig.withZeroFillAhead}, the space reservation: {@code default} (on for
         * SYNC, off for ASYNC), or {@code true}/{@code false} for an A/B run ({@code -p preallocate=true,false}).
         */
        @Param({"default"})
        public String preallocate;

        Path dir;
        Journal journal;
        JournalPartition partition;
        byte[] payload;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = tempDir("vecraft-journal-bench");
            journal = Journal.open(reservation(JournalConfig.builder(dir), preallocate)
                    .withDurability("SYNC".equals(durability) ? Durability.SYNC : Durability.ASYNC)
                    .build());
            partition = journal.partition("data-0");
            payload = payload(payloadSize);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            JournalStats s = partition.stats();
            System.out.printf("%n[journal %s %dB preallocate=%s] appends=%d forces=%d entries/force=%.2f avg force=%.1f us%n",
                    durability, payloadSize, preallocate, s.appends(), s.forces(),
                    s.forces() == 0 ? 0.0 : (double) s.forcedEntries() / s.forces(),
                    s.forces() == 0 ? 0.0 : s.forceNanos() / 1000.0 / s.forces());
            journal.close();
            delete(dir);
        }
    }

    /** A raw Chronicle Queue with the journal's roll cycle, written with the same entry bytes. */
    @State(Scope.Benchmark)
    public static class RawState {
        @Param({"64", "1024"})
        public int payloadSize;

        Path dir;
        SingleChronicleQueue queue;
        byte[] entry;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = tempDir("vecraft-raw-chronicle-bench");
            queue = SingleChronicleQueueBuilder.binary(dir.toFile())
                    .rollCycle(net.openhft.chronicle.queue.RollCycles.FAST_HOURLY).build();
            entry = EntryFormat.encode(1, 2, 1, 1, new byte[0], 0, payload(payloadSize));
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            queue.close();
            delete(dir);
        }
    }

    /** Chronicle appenders are thread-confined: one per benchmark thread. */
    @State(Scope.Thread)
    public static class RawAppender {
        ExcerptAppender appender;

        @Setup(Level.Trial)
        public void open(RawState raw) {
            appender = raw.queue.createAppender();
        }

        @TearDown(Level.Trial)
        public void close() {
            appender.close();
        }
    }

    /** SYNC journal and 1,000 prepared 64-byte entries for the batch benchmark. */
    @State(Scope.Benchmark)
    public static class BatchState {
        /**
         * {@code JournalConfig.withZeroFillAhead}, the space reservation: {@code default} (on for
         * SYNC, off for ASYNC), or {@code true}/{@code false} for an A/B run ({@code -p preallocate=true,false}).
         */
        @Param({"default"})
        public String preallocate;

        Path dir;
        Journal journal;
        JournalPartition partition;
        List<EntryDraft> drafts;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = tempDir("vecraft-journal-batch-bench");
            journal = Journal.open(reservation(JournalConfig.builder(dir), preallocate).withDurability(Durability.SYNC)
                    .build());
            partition = journal.partition("data-0");
            drafts = new ArrayList<>();
            byte[] p = payload(64);
            for (int i = 0; i < 1000; i++) {
                drafts.add(new EntryDraft(1, "", 0, p));
            }
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            JournalStats s = partition.stats();
            System.out.printf("%n[batch SYNC 1000x64B preallocate=%s] appends=%d forces=%d avg force=%.1f us%n",
                    preallocate, s.appends(),
                    s.forces(), s.forces() == 0 ? 0.0 : s.forceNanos() / 1000.0 / s.forces());
            journal.close();
            delete(dir);
        }
    }

    @Benchmark
    @Threads(1)
    public AppendResult journal_1t(JournalState s) {
        return s.partition.append(1, "", 0, s.payload);
    }

    @Benchmark
    @Threads(16)
    public AppendResult journal_16t(JournalState s) {
        return s.partition.append(1, "", 0, s.payload);
    }

    @Benchmark
    @Threads(1)
    public long rawChronicle_1t(RawState s, RawAppender a) {
        try (DocumentContext dc = a.appender.writingDocument()) {
            dc.wire().bytes().write(s.entry, 0, s.entry.length);
        }
        return a.appender.lastIndexAppended();
    }

    @Benchmark
    @Threads(16)
    public long rawChronicle_16t(RawState s, RawAppender a) {
        try (DocumentContext dc = a.appender.writingDocument()) {
            dc.wire().bytes().write(s.entry, 0, s.entry.length);
        }
        return a.appender.lastIndexAppended();
    }

    /** Entries per second of {@code appendBatch} of 1,000 64-byte entries, SYNC (one force per batch). */
    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(1000)
    public List<AppendResult> journalBatch1000Sync_1t(BatchState s) {
        return s.partition.appendBatch(s.drafts);
    }
}
