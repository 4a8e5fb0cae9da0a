package io.vecraft.cluster.spi;

/**
 * A committed append.
 *
 * @param partitionId partition id
 * @param partition   partition name
 * @param sequence    the entry's sequence
 * @param hlc         the entry's HLC (assigned by the partition's leader)
 */
public record AppendAck(int partitionId, String partition, long sequence, long hlc) {
}
