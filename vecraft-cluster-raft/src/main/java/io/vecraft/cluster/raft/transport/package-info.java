/**
 * The SPI transport over gRPC (grpc-java, Netty from {@code grpc-netty-shaded}): unary calls and
 * credit-based back-pressured streams whose messages are the SPI's WireFormat bytes, deadlines on
 * every call, and the sender's hybrid logical clock on every message (merged by the receiver,
 * refused beyond the maximum skew).
 */
package io.vecraft.cluster.raft.transport;
