package io.vecraft.core;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates request ids for writes whose caller gave none: a random per-process prefix and a
 * counter, e.g. {@code r-1k3j9x-42}. Unique within a process, and across processes with high
 * probability; cheap (no SecureRandom on the write path).
 *
 * <p>Thread-safe.
 */
final class RequestIds {
    private final String prefix;
    private final AtomicLong counter = new AtomicLong();

    RequestIds() {
        long r = ThreadLocalRandom.current().nextLong() >>> 16;
        this.prefix = "r-" + Long.toString(r, 36) + "-";
    }

    String next() {
        return prefix + Long.toString(counter.incrementAndGet(), 36);
    }
}
