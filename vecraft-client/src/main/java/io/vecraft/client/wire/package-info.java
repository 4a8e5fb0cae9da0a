/**
 * The HTTP API's wire format, shared by server and client: {@link io.vecraft.client.wire.JsonCodec}
 * (JSON shapes of records, specs, filters, consistency levels, search requests and results,
 * receipts, versions and journal records, documented field by field) and
 * {@link io.vecraft.client.wire.Problem} (RFC 9457 problem details and their mapping to and from
 * the {@link io.vecraft.api.VecraftException} hierarchy).
 */
package io.vecraft.client.wire;
