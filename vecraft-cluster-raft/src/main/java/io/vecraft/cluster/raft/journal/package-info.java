/**
 * The Raft-replicated journal: one Apache Ratis group per journal partition, every journal node a
 * member of every group. The leader's single proposer thread per partition batches appends into one
 * Raft entry and stamps sequence and HLC in {@code startTransaction}; every member's state machine
 * appends committed entries to its local vecraft journal with {@code appendReplica}, so all journals
 * are identical; Raft snapshots record the journal position and let Ratis purge its log. Formats:
 * {@code vecraft-cluster-raft/FORMAT.md}.
 */
package io.vecraft.cluster.raft.journal;
