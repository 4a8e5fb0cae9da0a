package io.vecraft.storage;

/**
 * Identity of the journal operation being applied; stored with each version for lineage.
 *
 * @param hlc           the operation's HLC (its version's created or deleted time)
 * @param sequence      journal sequence of the entry carrying the operation
 * @param partitionId   journal partition id of that entry
 * @param requestId     request id of the entry
 * @param transactionId transaction id, 0 for none
 */
public record OpStamp(long hlc, long sequence, int partitionId, String requestId, long transactionId) {
}
