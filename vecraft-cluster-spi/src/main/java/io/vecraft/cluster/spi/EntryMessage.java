package io.vecraft.cluster.spi;

/**
 * A journal entry as it crosses the SPI (same fields as the journal's own entry header).
 *
 * @param partitionId   partition id
 * @param sequence      dense per-partition sequence, from 1
 * @param hlc           hybrid logical timestamp
 * @param type          entry type (0 = tick)
 * @param requestId     request id
 * @param transactionId transaction id, 0 for none
 * @param payload       payload bytes
 */
public record EntryMessage(int partitionId, long sequence, long hlc, int type, String requestId, long transactionId,
                           byte[] payload) {
}
