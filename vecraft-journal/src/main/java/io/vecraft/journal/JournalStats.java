package io.vecraft.journal;

/**
 * Counters of one partition since the journal was opened. A snapshot: the fields are read one by
 * one, so under concurrent appends they may be a few operations apart.
 *
 * @param appends       entries appended (ticks excluded)
 * @param batches       calls of {@link JournalPartition#appendBatch}
 * @param ticks         heartbeat ticks appended
 * @param bytes         bytes appended to the journal (entry bytes, ticks included, excluding
 *                      Chronicle's own 4-byte excerpt header and index)
 * @param forces        {@code FileChannel.force} calls on cycle files (group commit, batch flush,
 *                      roll); directory fsyncs are not counted
 * @param forcedEntries entries made durable by those forces (their sum over all forces)
 * @param forceNanos    total time spent forcing, in nanoseconds
 */
public record JournalStats(long appends, long batches, long ticks, long bytes, long forces,
                           long forcedEntries, long forceNanos) {
}
