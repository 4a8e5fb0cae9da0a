package io.vecraft.journal;

/** Entry type codes reserved by the journal. Codes 1..{@link #MAX_TYPE} belong to the caller. */
public final class EntryTypes {
    /** A heartbeat tick: no payload; moves readers' safe time on an idle partition. */
    public static final int TICK = 0;
    /** Largest entry type code. */
    public static final int MAX_TYPE = 255;

    private EntryTypes() {
    }
}
