package io.vecraft.journal;

import io.vecraft.api.VecraftException;

/**
 * A remote hybrid logical timestamp was refused by {@link HybridLogicalClock#update(long)}
 * because its physical part is further ahead of the local wall clock than the configured
 * maximum skew. The local clock is left unchanged.
 */
public class ClockSkewException extends VecraftException {
    private static final long serialVersionUID = 1L;

    private final long remoteHlc;
    private final long skewMillis;
    private final long maxSkewMillis;

    /**
     * @param remoteHlc     the refused remote timestamp
     * @param skewMillis    how far (ms) its physical part is ahead of the local wall clock
     * @param maxSkewMillis the configured limit (ms)
     */
    public ClockSkewException(long remoteHlc, long skewMillis, long maxSkewMillis) {
        super("remote HLC " + HybridLogicalClock.format(remoteHlc) + " is " + skewMillis
                + " ms ahead of the local wall clock; the maximum accepted skew is " + maxSkewMillis + " ms");
        this.remoteHlc = remoteHlc;
        this.skewMillis = skewMillis;
        this.maxSkewMillis = maxSkewMillis;
    }

    /** @return the refused remote timestamp */
    public long remoteHlc() {
        return remoteHlc;
    }

    /** @return how far (ms) the remote physical time is ahead of the local wall clock */
    public long skewMillis() {
        return skewMillis;
    }

    /** @return the configured maximum skew in ms */
    public long maxSkewMillis() {
        return maxSkewMillis;
    }
}
