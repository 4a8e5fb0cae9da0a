package io.vecraft.journal;

/**
 * One decoded journal entry. The payload array is owned by the caller.
 *
 * @param formatVersion entry format version (see FORMAT.md)
 * @param type          entry type; {@link EntryTypes#TICK} for heartbeats
 * @param partitionId   the partition it was appended to
 * @param sequence      dense per-partition sequence, from 1
 * @param hlc           hybrid logical timestamp
 * @param requestId     request id ("" for ticks)
 * @param transactionId transaction id, 0 for none
 * @param payload       payload bytes
 */
public record JournalEntry(int formatVersion, int type, int partitionId, long sequence, long hlc,
                           String requestId, long transactionId, byte[] payload) {

    /** @return true if this is a heartbeat tick */
    public boolean isTick() {
        return type == EntryTypes.TICK;
    }
}
