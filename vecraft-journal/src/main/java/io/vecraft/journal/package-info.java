/**
 * The Vecraft write-ahead journal: named partitions, each a totally ordered log with dense
 * sequences from 1, stamped by one shared {@link io.vecraft.journal.HybridLogicalClock}, stored
 * in one Chronicle Queue directory per partition. Total order of all entries: (HLC, partition
 * id, sequence). Open with {@link io.vecraft.journal.Journal#open(JournalConfig)}.
 *
 * <h2>Durability</h2>
 * <table>
 *   <caption>What an acknowledged append survives</caption>
 *   <tr><th>mode</th><th>process crash</th><th>power loss</th></tr>
 *   <tr><td>SYNC (default)</td><td>survives</td><td>survives: the append returns after fdatasync of
 *       the cycle file; concurrent writers share one force (group commit); tailers see only
 *       forced entries</td></tr>
 *   <tr><td>BATCH(d)</td><td>survives</td><td>the last d (plus one force) may be lost, the lost tail
 *       is cut at open</td></tr>
 *   <tr><td>ASYNC</td><td>survives</td><td>whatever the OS had not written back may be lost</td></tr>
 * </table>
 * A failed force is reported to every waiting writer as {@link io.vecraft.api.VecraftIOException}
 * and never retried; the partition then refuses appends until the journal is reopened.
 *
 * <h2>Recovery</h2>
 * At open the last cycle file of each partition is validated entry by entry (length, CRC32C,
 * partition, sequence, HLC). A torn tail (invalid bytes with no valid entry after them) is cut
 * off and logged; an invalid entry followed by valid ones raises
 * {@link io.vecraft.api.CorruptedDataException} naming partition and sequence. Older files are
 * validated as they are read.
 *
 * <p>The on-disk format, field by field, the tick cost and the exact promises are in
 * {@code vecraft-journal/FORMAT.md}.
 */
package io.vecraft.journal;
