package io.vecraft.journal;

import io.vecraft.api.InvalidArgumentException;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.vecraft.journal.HybridLogicalClock.compose;
import static io.vecraft.journal.HybridLogicalClock.logical;
import static io.vecraft.journal.HybridLogicalClock.physicalMillis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HybridLogicalClockTest {

    private static final long T0 = 1_764_000_000_000L; // 2025-11-24

    @RepeatedTest(5)
    void staysMonotonicWhenTheWallClockStepsBack() {
        Random rnd = TestSeeds.random("staysMonotonicWhenTheWallClockStepsBack");
        ManualClock wall = new ManualClock(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, Duration.ofSeconds(1));
        long prev = 0;
        for (int i = 0; i < 100_000; i++) {
            switch (rnd.nextInt(10)) {
                case 0 -> wall.advance(-rnd.nextInt(5_000)); // step back up to 5 s
                case 1, 2 -> wall.advance(rnd.nextInt(3));
                default -> { }
            }
            long now = clock.now();
            assertTrue(now > prev, "strictly increasing at step " + i);
            assertTrue(physicalMillis(now) >= wall.getAsLong(), "never behind the wall clock");
            prev = now;
        }
    }

    @Test
    void usesTheWallClockAndResetsTheLogicalPart() {
        ManualClock wall = new ManualClock(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, Duration.ofSeconds(1));
        assertEquals(compose(T0, 0), clock.now());
        assertEquals(compose(T0, 1), clock.now());
        wall.advance(5);
        assertEquals(compose(T0 + 5, 0), clock.now());
        wall.advance(-100);
        assertEquals(compose(T0 + 5, 1), clock.now(), "wall clock stepped back: logical counts on");
    }

    @Test
    void logicalOverflowCarriesIntoThePhysicalPart() {
        ManualClock wall = new ManualClock(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, Duration.ofSeconds(1));
        long last = 0;
        for (int i = 0; i <= HybridLogicalClock.MAX_LOGICAL; i++) {
            last = clock.now();
        }
        assertEquals(compose(T0, HybridLogicalClock.MAX_LOGICAL), last);
        long carried = clock.now();
        assertEquals(compose(T0 + 1, 0), carried, "carry into physical");
        assertTrue(carried > last);
        // The wall clock catching up to the carried millisecond continues the logical count.
        wall.advance(1);
        assertEquals(compose(T0 + 1, 1), clock.now());
        wall.advance(1);
        assertEquals(compose(T0 + 2, 0), clock.now());
    }

    @Test
    void concurrentCallersNeverGetTheSameStamp() throws Exception {
        ManualClock wall = new ManualClock(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, Duration.ofSeconds(1));
        ConcurrentHashMap<Long, Boolean> seen = new ConcurrentHashMap<>();
        AtomicBoolean dup = new AtomicBoolean();
        int threads = 4;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            new Thread(() -> {
                long prev = 0;
                for (int i = 0; i < 50_000; i++) {
                    long now = clock.now();
                    if (now <= prev || seen.put(now, Boolean.TRUE) != null) {
                        dup.set(true);
                    }
                    prev = now;
                }
                done.countDown();
            }).start();
        }
        done.await();
        assertTrue(!dup.get(), "unique and per-thread increasing");
        assertEquals(200_000, seen.size());
    }

    @Test
    void updateMergesARemoteStamp() {
        ManualClock wall = new ManualClock(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, Duration.ofMillis(500));
        clock.now(); // (T0, 0)
        // Remote ahead within the skew: take its physical time, logical + 1.
        long r1 = compose(T0 + 300, 7);
        assertEquals(compose(T0 + 300, 8), clock.update(r1));
        assertEquals(compose(T0 + 300, 9), clock.now(), "later local stamps exceed the remote one");
        // Remote behind: local state wins, logical + 1.
        assertEquals(compose(T0 + 300, 10), clock.update(compose(T0 - 1000, 99)));
        // Same physical as local: max logical + 1.
        assertEquals(compose(T0 + 300, 51), clock.update(compose(T0 + 300, 50)));
        // Wall clock past both: reset logical.
        wall.advance(1000);
        assertEquals(compose(T0 + 1000, 0), clock.update(compose(T0 + 400, 3)));
    }

    @Test
    void updateRefusesARemoteClockTooFarAhead() {
        ManualClock wall = new ManualClock(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, Duration.ofMillis(500));
        long before = clock.now();
        ClockSkewException e = assertThrows(ClockSkewException.class, () -> clock.update(compose(T0 + 501, 0)));
        assertEquals(501, e.skewMillis());
        assertEquals(500, e.maxSkewMillis());
        assertTrue(e.getMessage().contains("501 ms ahead"), e.getMessage());
        assertEquals(before, clock.last(), "clock unchanged by a refused update");
        assertEquals(compose(T0 + 500, 1), clock.update(compose(T0 + 500, 0)), "exactly at the limit is accepted");
        assertThrows(InvalidArgumentException.class, () -> clock.update(-1));
    }

    @Test
    void observeMovesTheClockPastAPersistedStampWithoutSkewCheck() {
        ManualClock wall = new ManualClock(T0);
        HybridLogicalClock clock = new HybridLogicalClock(wall, Duration.ofMillis(1));
        clock.observe(compose(T0 + 60_000, 5));
        assertEquals(compose(T0 + 60_000, 6), clock.now());
    }

    @Test
    void splitsComposesAndFormats() {
        long hlc = compose(T0 + 123, 45);
        assertEquals(T0 + 123, physicalMillis(hlc));
        assertEquals(45, logical(hlc));
        assertEquals(compose(T0, 0), HybridLogicalClock.ofMillis(T0));
        assertEquals("2025-11-24T16:00:00.123Z+45", HybridLogicalClock.format(hlc));
        assertTrue(compose(T0, 65535) < compose(T0 + 1, 0), "packed values order like (physical, logical)");
        assertThrows(InvalidArgumentException.class, () -> compose(T0, 65536));
        assertThrows(InvalidArgumentException.class, () -> compose(-1, 0));
        assertThrows(InvalidArgumentException.class, () -> compose(HybridLogicalClock.MAX_PHYSICAL_MILLIS + 1, 0));
    }
}
