package io.vecraft.server;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Token buckets, one per caller (API key name): each holds up to {@code burst} tokens, refills at
 * {@code rate} tokens per second, and every request takes one. A refused request learns how long
 * until a token is available (the {@code Retry-After} of a 429).
 *
 * <p>Thread-safe: each bucket is updated under its own monitor; buckets are created lazily.
 */
public final class RateLimiter {

    /** Outcome of {@link #tryAcquire}: allowed, or refused with the wait in nanoseconds. */
    public record Decision(boolean allowed, long retryAfterNanos) {
        static final Decision ALLOWED = new Decision(true, 0);

        /** @return whole seconds to wait, at least 1 (the {@code Retry-After} value) */
        public long retryAfterSeconds() {
            return Math.max(1, (retryAfterNanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
        }
    }

    private static final class Bucket {
        private final double ratePerNano;
        private final double capacity;
        private double tokens;
        private long lastNanos;

        Bucket(double ratePerSecond, double capacity, long now) {
            this.ratePerNano = ratePerSecond / 1e9;
            this.capacity = capacity;
            this.tokens = capacity;
            this.lastNanos = now;
        }

        synchronized Decision take(long now) {
            tokens = Math.min(capacity, tokens + (now - lastNanos) * ratePerNano);
            lastNanos = now;
            if (tokens >= 1) {
                tokens -= 1;
                return Decision.ALLOWED;
            }
            return new Decision(false, (long) Math.ceil((1 - tokens) / ratePerNano));
        }
    }

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    /** A limiter on {@link System#nanoTime()}. */
    public RateLimiter() {
        this(System::nanoTime);
    }

    /** @param nanoClock monotonic nanoseconds (tests pass a manual clock) */
    RateLimiter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * Takes a token from the caller's bucket.
     *
     * @param caller        bucket key
     * @param ratePerSecond refill rate; {@code <= 0} means unlimited
     * @param burst         capacity; {@code <= 0} means max(1, 2 x rate)
     * @return the decision
     */
    public Decision tryAcquire(String caller, double ratePerSecond, int burst) {
        if (ratePerSecond <= 0) {
            return Decision.ALLOWED;
        }
        long now = nanoClock.getAsLong();
        double cap = burst > 0 ? burst : Math.max(1, Math.ceil(2 * ratePerSecond));
        return buckets.computeIfAbsent(caller, c -> new Bucket(ratePerSecond, cap, now)).take(now);
    }
}
