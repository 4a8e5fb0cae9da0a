/**
 * The Vecraft server: {@link io.vecraft.server.VecraftServer} serves one database over HTTP/JSON
 * (Jetty 12; routes in {@code RestRoutes}, described by the resource {@code openapi.json}) and gRPC
 * ({@code src/main/proto/vecraft.proto}), guarded by {@link io.vecraft.server.ApiKeys} with
 * {@link io.vecraft.server.Role roles} and per-key token-bucket rate limits, with request size
 * limits, TLS from PEM files ({@code Pem}), RFC 9457 problem details, Prometheus metrics and an
 * HTML status page. The JSON shapes are defined once, in {@link io.vecraft.client.wire.JsonCodec}.
 */
package io.vecraft.server;
