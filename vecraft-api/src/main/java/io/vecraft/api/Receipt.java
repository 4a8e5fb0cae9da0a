package io.vecraft.api;

/**
 * Proof that a write was accepted: where it sits in the journal and when.
 *
 * @param partition     journal partition name
 * @param sequence      sequence number within the partition
 * @param hlc           hybrid logical timestamp of the write (see {@link Hlc})
 * @param requestId     the request id (the caller's, or a generated one)
 * @param transactionId transaction id, 0 when the write was not a transaction
 */
public record Receipt(String partition, long sequence, long hlc, String requestId, long transactionId) {
}
