package io.vecraft.journal;

import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TailerTest {

    @TempDir
    Path dir;

    private static final long T0 = 1_764_000_000_000L;

    @Test
    void readsFromAnySequence() {
        Random rnd = TestSeeds.random("readsFromAnySequence");
        try (Journal j = Journal.open(JournalConfig.builder(dir).withDurability(Durability.ASYNC).build())) {
            JournalPartition p = j.partition("tx");
            int n = 500;
            for (int i = 1; i <= n; i++) {
                p.append(1, "r" + i, i, new byte[rnd.nextInt(300)]);
            }
            try (JournalTailer t = p.tailer()) {
                assertEquals(1, t.nextSequence());
                for (int k = 0; k < 200; k++) {
                    long seq = 1 + rnd.nextInt(n);
                    t.seekSequence(seq);
                    assertEquals(seq, t.nextSequence());
                    JournalEntry e = t.next();
                    assertEquals(seq, e.sequence());
                    assertEquals("r" + seq, e.requestId());
                    if (seq < n) {
                        assertEquals(seq + 1, t.next().sequence(), "continues after a seek");
                    }
                }
                t.seekSequence(n + 1);
                assertNull(t.next(), "head + 1 waits for the next entry");
                p.append(1, "new", 0, new byte[0]);
                assertEquals("new", t.next().requestId());
                assertEquals("sequence", assertThrows(InvalidArgumentException.class, () -> t.seekSequence(0)).field());
            }
        }
    }

    @Test
    void readsFromAnHlc() {
        Random rnd = TestSeeds.random("readsFromAnHlc");
        ManualClock wall = new ManualClock(T0);
        try (Journal j = Journal.open(JournalConfig.builder(dir).withDurability(Durability.ASYNC)
                .withRollCycle(JournalRollCycle.TEST_SECONDLY).withWallClock(wall).build())) {
            JournalPartition p = j.partition("data-0");
            List<Long> hlcs = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                if (rnd.nextInt(10) == 0) {
                    wall.advance(rnd.nextInt(1500)); // sometimes a new one-second cycle file
                }
                hlcs.add(p.append(1, "r", 0, new byte[8]).hlc());
            }
            try (JournalTailer t = p.tailer()) {
                for (int k = 0; k < 100; k++) {
                    int i = rnd.nextInt(hlcs.size());
                    t.seekHlc(hlcs.get(i));
                    assertEquals(i + 1, t.nextSequence(), "exact HLC");
                    assertEquals(hlcs.get(i), t.next().hlc());
                    t.seekHlc(hlcs.get(i) - 1);
                    long expected = i > 0 && hlcs.get(i - 1) >= hlcs.get(i) - 1 ? i : i + 1;
                    assertEquals(expected, t.nextSequence(), "first entry with HLC >= the given one");
                }
                t.seekHlc(0);
                assertEquals(1, t.nextSequence());
                t.seekHlc(hlcs.get(hlcs.size() - 1) + 1);
                assertEquals(hlcs.size() + 1, t.nextSequence(), "past the end: waits for the next entry");
                assertNull(t.next());
                // A time ahead of everything visible: entries appended later below it are not returned
                // (the search could not see them; it used to hand them out as if they were >= the time).
                long ahead = hlcs.get(hlcs.size() - 1) + (2_000L << 16);
                t.seekHlc(ahead);
                long below = p.append(1, "late-below", 0, new byte[8]).hlc();
                assertTrue(below < ahead);
                assertNull(t.next(), "an entry below the sought time is skipped");
                wall.advance(3_000);
                AppendResult above = p.append(1, "late-above", 0, new byte[8]);
                assertTrue(above.hlc() >= ahead);
                assertEquals(above.sequence(), t.next().sequence(), "the first entry at or after the time");
                t.seekSequence(hlcs.size() + 1);
                assertEquals(hlcs.size() + 1, t.next().sequence(), "a sequence seek clears the skipping");
            }
        }
    }

    @Test
    void waitsForNewEntriesWithATimeout() throws Exception {
        try (Journal j = Journal.open(JournalConfig.builder(dir).withDurability(Durability.SYNC)
                .withTickInterval(Duration.ofHours(1)).build())) {
            JournalPartition p = j.partition("data-0");
            try (JournalTailer t = p.tailer()) {
                long start = System.nanoTime();
                assertNull(t.next(50, TimeUnit.MILLISECONDS), "times out on an empty partition");
                assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
                CountDownLatch waiting = new CountDownLatch(1);
                CompletableFuture<JournalEntry> reader = CompletableFuture.supplyAsync(() -> {
                    waiting.countDown();
                    try {
                        JournalEntry e;
                        // Skip heartbeat ticks; wait for the real entry.
                        do {
                            e = t.next(10, TimeUnit.SECONDS);
                        } while (e != null && e.isTick());
                        return e;
                    } catch (InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                });
                assertTrue(waiting.await(5, TimeUnit.SECONDS));
                p.append(5, "wake", 0, new byte[]{1});
                JournalEntry e = reader.get(10, TimeUnit.SECONDS);
                assertNotNull(e);
                assertEquals("wake", e.requestId());
            }
            assertEquals(p.headSequence(), p.visibleSequence());
        }
    }

    @Test
    void onVisibleListenersAndAwaitVisibleAreNotified() throws Exception {
        try (Journal j = Journal.open(JournalConfig.builder(dir).withDurability(Durability.SYNC).build())) {
            JournalPartition p = j.partition("system");
            CountDownLatch seen = new CountDownLatch(3);
            try (AutoCloseable handle = p.onVisible(seen::countDown)) {
                CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
                    try {
                        return p.awaitVisible(3, 10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                });
                for (int i = 0; i < 3; i++) {
                    p.append(1, "r", 0, new byte[0]);
                }
                assertTrue(seen.await(10, TimeUnit.SECONDS));
                assertTrue(waiter.get(10, TimeUnit.SECONDS));
            }
            assertFalse(p.awaitVisible(4, 20, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void ticksAreRateLimitedAndCarrySequences() {
        ManualClock wall = new ManualClock(T0);
        try (Journal j = Journal.open(JournalConfig.builder(dir).withDurability(Durability.SYNC)
                .withTickInterval(Duration.ofMillis(100)).withWallClock(wall).build())) {
            JournalPartition p = j.partition("data-0");
            assertFalse(p.tick(0), "the open counts as activity");
            wall.advance(100);
            assertTrue(p.tick(0), "first tick one interval after open");
            assertFalse(p.tick(0), "within the interval");
            wall.advance(99);
            assertFalse(p.tick(0));
            wall.advance(1);
            assertTrue(p.tick(0), "interval passed");
            long hlc = p.append(1, "r", 0, new byte[0]).hlc();
            wall.advance(500);
            assertFalse(p.tick(hlc), "an entry with HLC >= the wanted time exists");
            assertTrue(p.tick(hlc + 1));
            wall.advance(-10_000);
            assertTrue(p.tick(0), "a wall clock that stepped back does not block ticks");
            assertEquals(4, p.stats().ticks());
            assertEquals(1, p.stats().appends());
            try (JournalTailer t = p.tailer()) {
                long prevHlc = 0;
                int[] types = {0, 0, 1, 0, 0};
                for (int i = 0; i < types.length; i++) {
                    JournalEntry e = t.next();
                    assertEquals(i + 1, e.sequence(), "ticks carry a sequence like every entry");
                    assertEquals(types[i], e.type());
                    assertEquals(types[i] == 0, e.isTick());
                    assertTrue(e.hlc() > prevHlc);
                    prevHlc = e.hlc();
                    if (e.isTick()) {
                        assertEquals(0, e.payload().length);
                        assertEquals("", e.requestId());
                    }
                }
                assertNull(t.next());
            }
        }
    }

    @Test
    void aTickCostsAbout44BytesOnDisk() throws Exception {
        ManualClock wall = new ManualClock(T0);
        try (Journal j = Journal.open(JournalConfig.builder(dir).withDurability(Durability.ASYNC)
                .withTickInterval(Duration.ofMillis(100)).withWallClock(wall).build())) {
            JournalPartition p = j.partition("data-0");
            wall.advance(100);
            assertTrue(p.tick(0));
            long before = endOfData();
            int n = 10_000;
            for (int i = 0; i < n; i++) {
                wall.advance(100);
                assertTrue(p.tick(0));
            }
            double perTick = (double) (endOfData() - before) / n;
            System.out.printf("tick: %.2f bytes on disk each; at 10 ticks/s %.0f B/s, %.1f MB/day%n",
                    perTick, perTick * 10, perTick * 10 * 86_400 / 1e6);
            // 40-byte entry + 4-byte Chronicle header, plus Chronicle's sparse index.
            assertTrue(perTick >= 44 && perTick < 46, "bytes per tick: " + perTick);
            assertEquals(n + 1, p.stats().ticks());
        }
    }

    private long endOfData() throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir.resolve("data-0"))) {
            Path last = files.filter(f -> f.toString().endsWith(".cq4")).sorted().reduce((a, b) -> b).orElseThrow();
            try (io.vecraft.journal.internal.CycleFileScanner s =
                         new io.vecraft.journal.internal.CycleFileScanner(last, "data-0", 2, 1 << 20)) {
                return s.scan(0, 0, null).stopPosition();
            }
        }
    }

    @Test
    void heartbeatTicksAnIdlePartitionWhileATailerWaits() throws Exception {
        try (Journal j = Journal.open(JournalConfig.builder(dir).withDurability(Durability.SYNC)
                .withTickInterval(Duration.ofMillis(20)).build())) {
            JournalPartition p = j.partition("data-0");
            JournalPartition other = j.partition("tx");
            long wanted = j.clock().now();
            try (JournalTailer t = p.tailer()) {
                JournalEntry e = t.next(10, TimeUnit.SECONDS);
                assertNotNull(e, "an idle partition delivers a tick to a waiting reader");
                assertTrue(e.isTick());
                assertTrue(e.hlc() > wanted, "the tick tells the reader that time has passed");
            }
            assertEquals(0, other.headSequence(), "no tailer waits on tx: no ticks there");
            long ticks = p.stats().ticks();
            // Nobody waits any more: the heartbeat stops ticking (checked against a later append).
            assertFalse(p.awaitVisible(p.headSequence() + 1, 100, TimeUnit.MILLISECONDS));
            assertTrue(p.stats().ticks() <= ticks + 1, "ticks stop when no tailer waits");
        }
    }
}
