package io.vecraft.journal;

/**
 * Where and when an entry was appended.
 *
 * @param partitionId the partition id
 * @param partition   the partition name
 * @param sequence    the entry's sequence
 * @param hlc         the entry's HLC
 */
public record AppendResult(int partitionId, String partition, long sequence, long hlc) {
}
