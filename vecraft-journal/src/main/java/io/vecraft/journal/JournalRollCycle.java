package io.vecraft.journal;

/**
 * How often a partition starts a new file (a Chronicle Queue roll cycle). Retention
 * ({@link JournalPartition#deleteBelow(long)}) deletes whole files, so the cycle is also the
 * granularity of retention. Cycles are computed from the physical part of the entries' HLC
 * (UTC), not from the raw wall clock, so they never go backwards.
 */
public enum JournalRollCycle {
    /** One file per second; for tests only (small index, quick rolls). */
    TEST_SECONDLY(net.openhft.chronicle.queue.rollcycles.TestRollCycles.TEST_SECONDLY),
    /** One file per 5 minutes. */
    FIVE_MINUTELY(net.openhft.chronicle.queue.RollCycles.FIVE_MINUTELY),
    /** One file per hour (the default). */
    HOURLY(net.openhft.chronicle.queue.RollCycles.FAST_HOURLY),
    /** One file per day. */
    DAILY(net.openhft.chronicle.queue.RollCycles.FAST_DAILY);

    private final net.openhft.chronicle.queue.RollCycle chronicle;

    JournalRollCycle(net.openhft.chronicle.queue.RollCycle chronicle) {
        this.chronicle = chronicle;
    }

    /** @return the cycle length in milliseconds */
    public long lengthMillis() {
        return chronicle.lengthInMillis();
    }

    /** The Chronicle roll cycle; kept package-private so no Chronicle type leaks into the API. */
    net.openhft.chronicle.queue.RollCycle chronicle() {
        return chronicle;
    }

    /**
     * @param physicalMillis ms since the epoch
     * @return the cycle number containing that time
     */
    int cycleOf(long physicalMillis) {
        return (int) Math.floorDiv(physicalMillis, lengthMillis());
    }
}
