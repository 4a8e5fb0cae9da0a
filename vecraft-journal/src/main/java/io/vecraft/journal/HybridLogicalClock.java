package io.vecraft.journal;

import io.vecraft.api.InvalidArgumentException;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni et al., 2014) packed into one {@code long}: the high 48 bits
 * are physical milliseconds since the Unix epoch, the low 16 bits a logical counter.
 *
 * <pre>
 *  63                                             16 15              0
 * +-------------------------------------------------+-----------------+
 * |        physical time, ms since 1970 (48 bits)   | logical (16 bit)|
 * +-------------------------------------------------+-----------------+
 * </pre>
 *
 * <p>Properties: {@link #now()} is strictly increasing across all threads, even when the wall
 * clock steps back (the physical part then stays at the last value and the logical part counts
 * up). When the logical counter would pass {@value #MAX_LOGICAL} it carries into the physical
 * part (the clock runs up to 1 ms ahead of the wall clock per 65,536 stamps in the same
 * millisecond, and the wall clock catches up). Comparing two stamps as signed longs orders them
 * (both parts are non-negative until the year 10889). 48 bits of milliseconds last until
 * the year 10889.
 *
 * <p>Cluster mode: {@link #update(long)} merges a remote stamp so that every later local stamp
 * is larger; a remote stamp whose physical part is more than {@link #maxSkew()} ahead of the local
 * wall clock is refused with {@link ClockSkewException} (a node with a runaway clock must not
 * drag everyone's timestamps into the future).
 *
 * <p>Thread-safe and lock-free: the state is one {@link AtomicLong} updated by compare-and-set.
 */
public final class HybridLogicalClock {

    /** Bits of the logical counter. */
    public static final int LOGICAL_BITS = 16;
    /** Largest logical counter value (65,535). */
    public static final int MAX_LOGICAL = (1 << LOGICAL_BITS) - 1;
    /** Largest physical millisecond value that fits the 48 bits. */
    public static final long MAX_PHYSICAL_MILLIS = (1L << (63 - LOGICAL_BITS)) - 1;
    /** Default maximum accepted skew of a remote clock: 1 second. */
    public static final Duration DEFAULT_MAX_SKEW = Duration.ofSeconds(1);

    private final LongSupplier wallClock;
    private final long maxSkewMillis;
    private final AtomicLong state = new AtomicLong();

    /** A clock over {@link System#currentTimeMillis()} with {@link #DEFAULT_MAX_SKEW}. */
    public HybridLogicalClock() {
        this(System::currentTimeMillis, DEFAULT_MAX_SKEW);
    }

    /**
     * @param wallClock source of wall-clock milliseconds since the epoch (injectable for tests);
     *                  it may step back, the clock stays monotonic
     * @param maxSkew   how far ahead of the wall clock a remote stamp passed to
     *                  {@link #update(long)} may be; at least 0
     * @throws InvalidArgumentException if maxSkew is negative
     */
    public HybridLogicalClock(LongSupplier wallClock, Duration maxSkew) {
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        Objects.requireNonNull(maxSkew, "maxSkew");
        if (maxSkew.isNegative()) {
            throw new InvalidArgumentException("maxSkew", "must be >= 0, was " + maxSkew);
        }
        this.maxSkewMillis = maxSkew.toMillis();
    }

    /**
     * Issues a new timestamp, larger than every timestamp this clock issued or observed before.
     *
     * @return the timestamp
     */
    public long now() {
        while (true) {
            long prev = state.get();
            long wall = wallMillis();
            long next = wall > physicalMillis(prev) ? compose(wall, 0) : increment(prev);
            if (state.compareAndSet(prev, next)) {
                return next;
            }
        }
    }

    /**
     * Like {@link #now()}, with the wall-clock reading supplied by the caller (read from
     * {@link #wallMillis()} just before): the journal's append path reads the wall clock once and
     * uses that reading both for the stamp and for its idle-tick bookkeeping. The result has the
     * same guarantee as {@link #now()}: larger than every timestamp issued or observed before.
     *
     * @param wall a reading of {@link #wallMillis()}
     * @return the timestamp
     */
    long nowAt(long wall) {
        while (true) {
            long prev = state.get();
            long next = wall > physicalMillis(prev) ? compose(wall, 0) : increment(prev);
            if (state.compareAndSet(prev, next)) {
                return next;
            }
        }
    }

    /**
     * Merges a timestamp received from another node (cluster mode) and issues a new local
     * timestamp larger than both the remote one and every earlier local one.
     *
     * @param remoteHlc the remote timestamp
     * @return the new local timestamp
     * @throws ClockSkewException       if the remote physical time is more than {@link #maxSkew()}
     *                                  ahead of the local wall clock (the clock is not changed)
     * @throws InvalidArgumentException if {@code remoteHlc} is negative
     */
    public long update(long remoteHlc) {
        if (remoteHlc < 0) {
            throw new InvalidArgumentException("remoteHlc", "must be >= 0, was " + remoteHlc);
        }
        while (true) {
            long prev = state.get();
            long wall = wallMillis();
            long remotePhysical = physicalMillis(remoteHlc);
            long skew = remotePhysical - wall;
            if (skew > maxSkewMillis) {
                throw new ClockSkewException(remoteHlc, skew, maxSkewMillis);
            }
            long prevPhysical = physicalMillis(prev);
            long physical = Math.max(wall, Math.max(prevPhysical, remotePhysical));
            long next;
            if (physical == prevPhysical && physical == remotePhysical) {
                next = increment(compose(physical, Math.max(logical(prev), logical(remoteHlc))));
            } else if (physical == prevPhysical) {
                next = increment(prev);
            } else if (physical == remotePhysical) {
                next = increment(remoteHlc);
            } else {
                next = compose(physical, 0);
            }
            if (state.compareAndSet(prev, next)) {
                return next;
            }
        }
    }

    /**
     * Makes every later timestamp larger than {@code hlc} without a skew check. Used at journal
     * open with the last persisted timestamp, which must be honoured even if the wall clock
     * stepped back while the process was down.
     *
     * @param hlc a timestamp previously issued by this or another clock
     */
    public void observe(long hlc) {
        state.accumulateAndGet(hlc, Math::max);
    }

    /** @return the last timestamp issued or observed (0 if none); does not advance the clock */
    public long last() {
        return state.get();
    }

    /** @return the current wall-clock time in ms, as the injected source reports it */
    public long wallMillis() {
        return wallClock.getAsLong();
    }

    /** @return the maximum accepted skew of a remote timestamp */
    public Duration maxSkew() {
        return Duration.ofMillis(maxSkewMillis);
    }

    /**
     * @param hlc a timestamp
     * @return its physical part, ms since the Unix epoch
     */
    public static long physicalMillis(long hlc) {
        return hlc >>> LOGICAL_BITS;
    }

    /**
     * @param hlc a timestamp
     * @return its logical counter, 0..{@value #MAX_LOGICAL}
     */
    public static int logical(long hlc) {
        return (int) (hlc & MAX_LOGICAL);
    }

    /**
     * @param physicalMillis ms since the epoch, 0..{@link #MAX_PHYSICAL_MILLIS}
     * @param logical        0..{@value #MAX_LOGICAL}
     * @return the packed timestamp
     * @throws InvalidArgumentException if a part is out of range
     */
    public static long compose(long physicalMillis, int logical) {
        if (physicalMillis < 0 || physicalMillis > MAX_PHYSICAL_MILLIS) {
            throw new InvalidArgumentException("physicalMillis",
                    "must be between 0 and " + MAX_PHYSICAL_MILLIS + ", was " + physicalMillis);
        }
        if (logical < 0 || logical > MAX_LOGICAL) {
            throw new InvalidArgumentException("logical", "must be between 0 and " + MAX_LOGICAL + ", was " + logical);
        }
        return (physicalMillis << LOGICAL_BITS) | logical;
    }

    /**
     * The smallest timestamp at or after the given wall-clock time; handy for "entries at or after t".
     *
     * @param physicalMillis ms since the epoch
     * @return {@code compose(physicalMillis, 0)}
     */
    public static long ofMillis(long physicalMillis) {
        return compose(physicalMillis, 0);
    }

    /**
     * Formats a timestamp for humans: ISO-8601 UTC instant of the physical part, {@code '+'}, the
     * logical counter, e.g. {@code 2026-11-26T10:15:30.123Z+5}.
     *
     * @param hlc a timestamp
     * @return the text
     */
    public static String format(long hlc) {
        if (hlc < 0) {
            return "invalid-hlc(" + hlc + ")";
        }
        return Instant.ofEpochMilli(physicalMillis(hlc)) + "+" + logical(hlc);
    }

    /** Next stamp after {@code hlc}; a full logical counter carries into the physical part. */
    private static long increment(long hlc) {
        // Adding 1 to the packed value carries from logical into physical by itself.
        long next = hlc + 1;
        if (physicalMillis(next) > MAX_PHYSICAL_MILLIS || next < 0) {
            throw new IllegalStateException("hybrid logical clock exhausted at " + hlc);
        }
        return next;
    }

    @Override
    public String toString() {
        return "HybridLogicalClock{last=" + format(last()) + ", maxSkew=" + maxSkewMillis + "ms}";
    }
}
