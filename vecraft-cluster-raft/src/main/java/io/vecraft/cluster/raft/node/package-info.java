/** The {@code vecraft-node} program: one cluster node running the journal and/or storage roles. */
package io.vecraft.cluster.raft.node;
