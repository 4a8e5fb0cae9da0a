/**
 * The metadata store on etcd (jetcd) and node leases: versioned keys with compare-and-set
 * transactions, snapshot-then-changes watches and leases, every call under a deadline.
 */
package io.vecraft.cluster.raft.etcd;
