/**
 * The {@code raft} cluster provider: Vecraft as a cluster of {@code vecraft-node} processes built on
 * proven engines. Journal partitions are Apache Ratis groups ({@link io.vecraft.cluster.raft.journal}),
 * every message between processes travels over gRPC carrying the SPI's versioned wire format
 * ({@link io.vecraft.cluster.raft.transport}), the metadata store, node liveness and partition
 * leaders live in etcd ({@link io.vecraft.cluster.raft.etcd}, {@link io.vecraft.cluster.raft.EtcdMembership}),
 * storage nodes run the core's {@link io.vecraft.core.ReplicaHost}. Clients open the cluster with
 * {@code ClusterConfig.of("raft").with("etcd", url)} ({@link io.vecraft.cluster.raft.RaftClusterProvider});
 * nodes run {@link io.vecraft.cluster.raft.node.VecraftNode}; {@link io.vecraft.cluster.raft.local.LocalCluster}
 * and {@code scripts/cluster.sh} run a whole cluster on one machine. On-disk and etcd formats:
 * {@code vecraft-cluster-raft/FORMAT.md}.
 */
package io.vecraft.cluster.raft;
