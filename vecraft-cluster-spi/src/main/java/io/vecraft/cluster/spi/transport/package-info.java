/**
 * The byte transport between cluster nodes: request/response calls and back-pressured streams by
 * address. Messages are encoded with {@link io.vecraft.cluster.spi.wire.WireFormat}.
 */
package io.vecraft.cluster.spi.transport;
