package io.vecraft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Token buckets on a manual clock. */
class RateLimiterTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final RateLimiter limiter = new RateLimiter(now::get);

    @Test
    void burstIsServedThenRefusedWithTheWaitUntilTheNextToken() {
        for (int i = 0; i < 4; i++) {
            assertTrue(limiter.tryAcquire("k", 2, 4).allowed(), "burst request " + i);
        }
        RateLimiter.Decision refused = limiter.tryAcquire("k", 2, 4);
        assertFalse(refused.allowed());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(500), refused.retryAfterNanos(), 1_000);
        assertEquals(1, refused.retryAfterSeconds());
    }

    @Test
    void tokensRefillAtTheRateAndNeverBeyondTheBurst() {
        for (int i = 0; i < 3; i++) {
            assertTrue(limiter.tryAcquire("k", 1, 3).allowed());
        }
        assertFalse(limiter.tryAcquire("k", 1, 3).allowed());
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertTrue(limiter.tryAcquire("k", 1, 3).allowed(), "one token after one second at 1/s");
        assertFalse(limiter.tryAcquire("k", 1, 3).allowed());
        now.addAndGet(TimeUnit.HOURS.toNanos(1));
        int served = 0;
        while (limiter.tryAcquire("k", 1, 3).allowed()) {
            served++;
        }
        assertEquals(3, served, "an idle hour fills the bucket to its burst, not beyond");
    }

    @Test
    void callersHaveSeparateBucketsAndZeroRateIsUnlimited() {
        assertTrue(limiter.tryAcquire("a", 0.5, 1).allowed());
        assertFalse(limiter.tryAcquire("a", 0.5, 1).allowed());
        assertEquals(2, limiter.tryAcquire("a", 0.5, 1).retryAfterSeconds());
        assertTrue(limiter.tryAcquire("b", 0.5, 1).allowed());
        for (int i = 0; i < 10_000; i++) {
            assertTrue(limiter.tryAcquire("c", 0, 0).allowed());
        }
    }
}
