package io.vecraft.cluster.raft.journal;

import io.vecraft.cluster.spi.wire.WireFormat;

/**
 * Provider-private message kinds served at a journal node's {@code /journal} address, next to the
 * SPI's journal kinds (encoded with {@link WireFormat}, kinds from {@link WireFormat#PROVIDER_BASE}):
 *
 * <pre>
 * 100 J_DIGEST         -                    -&gt; i32 n, n x (str16 partition, i64 head, i64 lastHlc,
 *                                              i64 crc32c of every stored entry, i64 next applied sequence,
 *                                              u8 isReadyLeader, i64 term, str16 leader id)
 * 101 J_SNAPSHOT_INFO  str16 partition      -&gt; u8 present [, i64 term, i64 index, i64 sequence, i64 hlc]
 * </pre>
 * J_DIGEST lets tests and operators check that every member's journal is identical;
 * J_SNAPSHOT_INFO is how a follower behind a purged Raft log learns up to where to copy the journal.
 */
public final class RaftWire {
    /** Journal digest of every partition of a node. */
    public static final int J_DIGEST = WireFormat.PROVIDER_BASE;
    /** Latest Raft snapshot of a partition. */
    public static final int J_SNAPSHOT_INFO = WireFormat.PROVIDER_BASE + 1;

    private RaftWire() {
    }
}
