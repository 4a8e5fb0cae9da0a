package io.vecraft.cluster.raft.transport;

import io.vecraft.api.VecraftException;

/**
 * A node refused a message because the sender's hybrid logical clock is further ahead of the
 * receiver's wall clock than the receiver's configured maximum skew (see
 * {@link io.vecraft.journal.HybridLogicalClock#update(long)}). Nothing was executed. Fix the clock
 * of the node named in the message (NTP), or raise the maximum skew of the receiving node.
 */
public class ClockSkewRefusedException extends VecraftException {
    private static final long serialVersionUID = 1L;

    private final String address;
    private final long skewMillis;
    private final long maxSkewMillis;

    /**
     * @param address       the node that refused (or, for a refused response, the node that sent it)
     * @param detail        what was refused and why
     * @param skewMillis    how far ahead the sender's clock was, ms
     * @param maxSkewMillis the receiver's limit, ms
     */
    public ClockSkewRefusedException(String address, String detail, long skewMillis, long maxSkewMillis) {
        super("clock skew refused (" + address + "): " + detail + " (" + skewMillis + " ms ahead, maximum "
                + maxSkewMillis + " ms)");
        this.address = address;
        this.skewMillis = skewMillis;
        this.maxSkewMillis = maxSkewMillis;
    }

    /** @return the address involved */
    public String address() {
        return address;
    }

    /** @return how far ahead the sender's clock was, ms */
    public long skewMillis() {
        return skewMillis;
    }

    /** @return the receiver's maximum accepted skew, ms */
    public long maxSkewMillis() {
        return maxSkewMillis;
    }
}
