package io.vecraft.journal;

/**
 * An entry to append with {@link JournalPartition#appendBatch}.
 *
 * @param type          entry type, 1..{@link EntryTypes#MAX_TYPE}
 * @param requestId     request id, not null
 * @param transactionId transaction id, 0 for none
 * @param payload       payload bytes
 */
public record EntryDraft(int type, String requestId, long transactionId, byte[] payload) {
}
