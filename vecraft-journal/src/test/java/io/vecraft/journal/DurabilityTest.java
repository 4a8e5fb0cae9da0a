package io.vecraft.journal;

import io.vecraft.api.Durability;
import io.vecraft.api.VecraftIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurabilityTest {

    @TempDir
    Path dir;

    private JournalConfig.Builder config(Durability durability) {
        return JournalConfig.builder(dir.resolve("j")).withDurability(durability);
    }

    @Test
    void syncAppendReturnsOnlyAfterAForce() {
        AtomicInteger forced = new AtomicInteger();
        try (Journal j = Journal.open(config(Durability.SYNC).withForcer(ch -> {
            ch.force(false);
            forced.incrementAndGet();
        }).build())) {
            JournalPartition p = j.partition("data-0");
            for (int i = 1; i <= 20; i++) {
                AppendResult r = p.append(1, "r" + i, 0, new byte[100]);
                assertTrue(p.durableSequence() >= r.sequence(), "durable when append returns");
                assertEquals(p.durableSequence(), p.visibleSequence());
            }
            JournalStats s = p.stats();
            assertEquals(20, s.appends());
            assertTrue(s.forces() >= 20, "one writer: a force per append, was " + s.forces());
            assertEquals(s.forces(), forced.get(), "every counted force went through the forcer");
            assertEquals(20, s.forcedEntries());
        }
    }

    @Test
    void groupCommitSharesForcesBetweenConcurrentWriters() throws Exception {
        int threads = 8;
        int perThread = 250;
        try (Journal j = Journal.open(config(Durability.SYNC).build())) {
            JournalPartition p = j.partition("data-0");
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger notDurable = new AtomicInteger();
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        AppendResult r = p.append(1, "", 0, new byte[64]);
                        if (p.durableSequence() < r.sequence()) {
                            notDurable.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            JournalStats s = p.stats();
            System.out.println("group commit: " + s.appends() + " appends, " + s.forces() + " forces, "
                    + (double) s.forcedEntries() / s.forces() + " entries per force");
            assertEquals(0, notDurable.get(), "no append returned before its entry was forced");
            assertEquals(threads * perThread, s.appends());
            assertEquals(threads * perThread, p.durableSequence());
            assertTrue(s.forces() < s.appends(), "forces are shared: " + s.forces() + " forces for "
                    + s.appends() + " appends");
        }
    }

    @Test
    void syncTailersSeeOnlyForcedEntries() throws Exception {
        CountDownLatch inForce = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        try (Journal j = Journal.open(config(Durability.SYNC).withForcer(ch -> {
            if (calls.incrementAndGet() == 1) {
                inForce.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            ch.force(false);
        }).build())) {
            JournalPartition p = j.partition("data-0");
            CompletableFuture<AppendResult> writer = CompletableFuture.supplyAsync(
                    () -> p.append(1, "r", 0, new byte[]{42}));
            assertTrue(inForce.await(10, TimeUnit.SECONDS));
            assertEquals(1, p.headSequence(), "written");
            assertEquals(0, p.durableSequence());
            assertEquals(0, p.visibleSequence(), "not visible before it is durable");
            try (JournalTailer t = p.tailer()) {
                assertNull(t.next());
                assertFalse(writer.isDone(), "append waits for the force");
                release.countDown();
                JournalEntry e = t.next(10, TimeUnit.SECONDS);
                assertEquals(1, e.sequence());
            }
            assertEquals(1, writer.get(10, TimeUnit.SECONDS).sequence());
        }
    }

    @Test
    void batchModeForcesWithinTheInterval() throws Exception {
        Duration interval = Duration.ofMillis(50);
        try (Journal j = Journal.open(config(Durability.batch(interval)).build())) {
            JournalPartition p = j.partition("data-0");
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                AppendResult r = p.append(1, "r", 0, new byte[10]);
                assertEquals(r.sequence(), p.visibleSequence(), "BATCH: visible at once");
                assertTrue(p.awaitDurable(r.sequence(), 20 * interval.toMillis(), TimeUnit.MILLISECONDS),
                        "forced by the background flusher");
                System.out.println("batch: durable after " + (System.nanoTime() - t0) / 1000 + " us");
            }
            assertTrue(p.stats().forces() >= 1);
            long forcesBefore = p.stats().forces();
            // Nothing new: the flusher does not force again.
            assertFalse(p.awaitDurable(p.headSequence() + 1, 3 * interval.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals(forcesBefore, p.stats().forces(), "an idle partition is not forced");
        }
    }

    @Test
    void asyncModeNeverForcesUntilFlush() throws Exception {
        try (Journal j = Journal.open(config(Durability.ASYNC).build())) {
            JournalPartition p = j.partition("data-0");
            for (int i = 0; i < 100; i++) {
                p.append(1, "r", 0, new byte[10]);
            }
            assertEquals(100, p.visibleSequence());
            assertEquals(0, p.durableSequence());
            assertEquals(0, p.stats().forces());
            assertFalse(p.awaitDurable(1, 50, TimeUnit.MILLISECONDS));
            p.flush();
            assertEquals(100, p.durableSequence());
            assertTrue(p.stats().forces() >= 1);
        }
    }

    @Test
    void forceFailureFailsTheWaitingWritersAndThePartition() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AtomicBoolean failNext = new AtomicBoolean();
        JournalConfig cfg = config(Durability.SYNC).withForcer(ch -> {
            calls.incrementAndGet();
            if (failNext.getAndSet(false)) {
                throw new IOException("injected EIO");
            }
            ch.force(false);
        }).build();
        try (Journal j = Journal.open(cfg)) {
            JournalPartition p = j.partition("data-0");
            p.append(1, "a", 0, new byte[1]);
            p.append(1, "b", 0, new byte[1]);
            failNext.set(true);
            VecraftIOException e = assertThrows(VecraftIOException.class, () -> p.append(1, "c", 0, new byte[1]));
            assertTrue(e.getMessage().contains("data-0"), e.getMessage());
            assertTrue(e.getCause() instanceof VecraftIOException || e.getCause() instanceof IOException);
            int before = calls.get();
            VecraftIOException refused = assertThrows(VecraftIOException.class,
                    () -> p.append(1, "d", 0, new byte[1]));
            assertTrue(refused.getMessage().contains("reopen"), refused.getMessage());
            assertEquals(before, calls.get(), "the failed force is not retried");
            assertEquals(2, p.durableSequence());
            assertEquals(3, p.headSequence());
            // Other partitions are unaffected.
            assertEquals(1, j.partition("tx").append(1, "x", 0, new byte[0]).sequence());
        }
        try (Journal j = Journal.open(config(Durability.SYNC).build())) {
            JournalPartition p = j.partition("data-0");
            assertEquals(3, p.headSequence(), "the written entry is in the page cache; reopen finds it");
            assertEquals(4, p.append(1, "e", 0, new byte[1]).sequence());
        }
    }

    @Test
    void batchAppendUsesOneForce() {
        try (Journal j = Journal.open(config(Durability.SYNC).build())) {
            JournalPartition p = j.partition("data-0");
            List<EntryDraft> drafts = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                drafts.add(new EntryDraft(1 + i % 255, "r" + i, i, new byte[i % 100]));
            }
            List<AppendResult> rs = p.appendBatch(drafts);
            assertEquals(1000, rs.size());
            for (int i = 0; i < 1000; i++) {
                assertEquals(i + 1, rs.get(i).sequence());
            }
            assertEquals(1, p.stats().forces());
            assertEquals(1000, p.durableSequence());
            assertEquals(1, p.stats().batches());
        }
    }
}
