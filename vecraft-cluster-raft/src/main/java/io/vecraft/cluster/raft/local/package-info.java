/**
 * A cluster on one machine for tests, benchmarks and trying it out: etcd and node JVMs as child
 * processes on loopback, with kill, freeze and restart.
 */
package io.vecraft.cluster.raft.local;
