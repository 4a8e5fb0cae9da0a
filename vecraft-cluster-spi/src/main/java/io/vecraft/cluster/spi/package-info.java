/**
 * The distribution SPI: what a cluster provider implements so the same database runs as journal
 * services and storage replicas connected by a transport (DESIGN.md §7). {@link
 * io.vecraft.cluster.spi.ClusterProvider} (found with ServiceLoader), {@link
 * io.vecraft.cluster.spi.JournalService}, {@link io.vecraft.cluster.spi.ShardReplica}, {@link
 * io.vecraft.cluster.spi.MetadataStore}, {@link io.vecraft.cluster.spi.Membership} and the byte
 * {@link io.vecraft.cluster.spi.transport.Transport}; every message is encoded with the versioned
 * {@link io.vecraft.cluster.spi.wire.WireFormat}. Contract tests every provider must pass ship in
 * this module's test-jar.
 */
package io.vecraft.cluster.spi;
