package io.vecraft.core.cluster;

import io.vecraft.cluster.spi.wire.WireFormat;

/**
 * Provider-private message kinds of the in-JVM cluster (encoded with {@link WireFormat}, kinds
 * from {@link WireFormat#PROVIDER_BASE}). Bodies:
 *
 * <pre>
 * 100 HEARTBEAT      str16 nodeId                                       -> -
 * 101 REPL_APPEND    str16 partition, i64 term, str16 leader, i64 leaderHead, i64 prevSeq, i64 prevHlc,
 *                    i32 n, n x Entry
 *                                                                       -> u8 status, i64 head, i64 term
 *                    status: 0 OK, 1 GAP (prevSeq beyond head), 2 STALE (older term), 3 DIVERGED
 * 102 REPL_STATE     str16 partition                                    -> i64 head, i64 lastHlc, i64 term
 * 103 BECOME_LEADER  str16 partition, i64 term                          -> -
 * 104 FOLLOW         str16 partition, i64 term, str16 leader            -> -
 * </pre>
 */
final class ClusterWire {
    static final int HEARTBEAT = WireFormat.PROVIDER_BASE;
    static final int REPL_APPEND = WireFormat.PROVIDER_BASE + 1;
    static final int REPL_STATE = WireFormat.PROVIDER_BASE + 2;
    static final int BECOME_LEADER = WireFormat.PROVIDER_BASE + 3;
    static final int FOLLOW = WireFormat.PROVIDER_BASE + 4;

    static final int OK = 0;
    static final int GAP = 1;
    static final int STALE = 2;
    static final int DIVERGED = 3;

    private ClusterWire() {
    }
}
