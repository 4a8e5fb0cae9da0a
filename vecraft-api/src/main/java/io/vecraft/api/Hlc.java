package io.vecraft.api;

import java.time.Instant;

/**
 * Hybrid logical timestamps as Vecraft uses them: 64 bits, the high 48 the wall-clock
 * milliseconds since the epoch, the low 16 a logical counter. Ordering HLCs orders events.
 *
 * <p>Stateless and thread-safe.
 */
public final class Hlc {
    /** Bits of the logical counter. */
    public static final int LOGICAL_BITS = 16;
    /** Mask of the logical counter. */
    public static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

    private Hlc() {
    }

    /**
     * @param instant a wall-clock time
     * @return the smallest HLC at that millisecond
     */
    public static long of(Instant instant) {
        return instant.toEpochMilli() << LOGICAL_BITS;
    }

    /**
     * @param hlc a hybrid logical timestamp
     * @return its wall-clock part
     */
    public static Instant toInstant(long hlc) {
        return Instant.ofEpochMilli(hlc >>> LOGICAL_BITS);
    }

    /**
     * @param hlc a hybrid logical timestamp
     * @return its wall-clock milliseconds
     */
    public static long physicalMillis(long hlc) {
        return hlc >>> LOGICAL_BITS;
    }

    /**
     * @param hlc a hybrid logical timestamp
     * @return its logical counter
     */
    public static int logical(long hlc) {
        return (int) (hlc & LOGICAL_MASK);
    }

    /**
     * @param hlc a hybrid logical timestamp
     * @return e.g. {@code 2026-11-26T07:04:42.123Z#3}
     */
    public static String format(long hlc) {
        return toInstant(hlc) + "#" + logical(hlc);
    }
}
