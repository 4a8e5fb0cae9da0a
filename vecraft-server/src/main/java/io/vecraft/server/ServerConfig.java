package io.vecraft.server;

import io.vecraft.api.InvalidArgumentException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a {@link VecraftServer} listens and guards its API. Build with {@link #builder()}; validated
 * once in {@link Builder#build()}.
 *
 * @param host              bind address (default {@value #DEFAULT_HOST})
 * @param httpPort          HTTP(S) port, 0 = any free port
 * @param grpcPort          gRPC port, 0 = any free port, -1 = no gRPC listener
 * @param tlsCertificate    PEM certificate chain; with {@code tlsPrivateKey} both listeners use TLS
 * @param tlsPrivateKey     PEM private key (PKCS#8, unencrypted: {@code BEGIN PRIVATE KEY})
 * @param keys              accepted API keys; empty = authentication disabled (every caller is admin)
 * @param defaultRatePerSecond requests per second per key when the key names none; 0 = unlimited
 * @param defaultBurst      bucket size per key when the key names none; 0 = max(1, 2 x rate)
 * @param maxBodyBytes      largest accepted request body; larger ones get 413
 * @param statusPagePublic  whether {@code /status} is served without a key
 * @param maxThreads        HTTP worker threads
 *
 * <p>Immutable and thread-safe.
 */
public record ServerConfig(String host, int httpPort, int grpcPort, Optional<Path> tlsCertificate,
                           Optional<Path> tlsPrivateKey, Optional<ApiKeys> keys, double defaultRatePerSecond,
                           int defaultBurst, int maxBodyBytes, boolean statusPagePublic, int maxThreads) {

    /** Default bind address: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default HTTP port. */
    public static final int DEFAULT_HTTP_PORT = 8080;
    /** Default request body limit: 16 MiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
    /** Largest configurable body limit: 64 MiB (the journal's largest entry). */
    public static final int MAX_BODY_BYTES = 64 * 1024 * 1024;
    /** Default worker threads (Jetty's default; acceptors and selectors come out of it). */
    public static final int DEFAULT_MAX_THREADS = 200;

    /** Validates. */
    public ServerConfig {
        if (host == null || host.isBlank()) {
            throw new InvalidArgumentException("server.host", "must be a host name or address");
        }
        if (httpPort < 0 || httpPort > 65535) {
            throw new InvalidArgumentException("server.port", "must be 0 to 65535, was " + httpPort);
        }
        if (grpcPort < -1 || grpcPort > 65535) {
            throw new InvalidArgumentException("server.grpcPort", "must be -1 (off) or 0 to 65535, was " + grpcPort);
        }
        if (tlsCertificate.isPresent() != tlsPrivateKey.isPresent()) {
            throw new InvalidArgumentException("server.tls", "give both the certificate and the private key PEM files");
        }
        if (!(defaultRatePerSecond >= 0) || Double.isInfinite(defaultRatePerSecond)) {
            throw new InvalidArgumentException("server.rate", "must be >= 0 requests per second, was " + defaultRatePerSecond);
        }
        if (defaultBurst < 0) {
            throw new InvalidArgumentException("server.burst", "must be >= 0, was " + defaultBurst);
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > MAX_BODY_BYTES) {
            throw new InvalidArgumentException("server.maxBodyBytes",
                    "must be 1024 to " + MAX_BODY_BYTES + ", was " + maxBodyBytes);
        }
        if (maxThreads < 16 || maxThreads > 4096) {
            throw new InvalidArgumentException("server.maxThreads", "must be 16 to 4096, was " + maxThreads);
        }
    }

    /** @return whether the listeners use TLS */
    public boolean tls() {
        return tlsCertificate.isPresent();
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** Fluent builder; not thread-safe. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int httpPort = DEFAULT_HTTP_PORT;
        private int grpcPort = -1;
        private Path cert;
        private Path key;
        private ApiKeys keys;
        private double rate;
        private int burst;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private boolean statusPublic;
        private int maxThreads = DEFAULT_MAX_THREADS;

        private Builder() {
        }

        /** @param host bind address @return this */
        public Builder withHost(String host) {
            this.host = host;
            return this;
        }

        /** @param port HTTP port (0 = any) @return this */
        public Builder withHttpPort(int port) {
            this.httpPort = port;
            return this;
        }

        /** @param port gRPC port (0 = any, -1 = off) @return this */
        public Builder withGrpcPort(int port) {
            this.grpcPort = port;
            return this;
        }

        /**
         * @param certificate PEM certificate chain
         * @param privateKey  PEM PKCS#8 private key
         * @return this
         */
        public Builder withTls(Path certificate, Path privateKey) {
            this.cert = certificate;
            this.key = privateKey;
            return this;
        }

        /** @param keys accepted keys (null = authentication off) @return this */
        public Builder withKeys(ApiKeys keys) {
            this.keys = keys;
            return this;
        }

        /**
         * @param ratePerSecond default per-key rate (0 = unlimited)
         * @param burst         default bucket size (0 = derived)
         * @return this
         */
        public Builder withDefaultRateLimit(double ratePerSecond, int burst) {
            this.rate = ratePerSecond;
            this.burst = burst;
            return this;
        }

        /** @param bytes body limit @return this */
        public Builder withMaxBodyBytes(int bytes) {
            this.maxBodyBytes = bytes;
            return this;
        }

        /** @param pub whether /status needs no key @return this */
        public Builder withStatusPagePublic(boolean pub) {
            this.statusPublic = pub;
            return this;
        }

        /** @param threads HTTP worker threads @return this */
        public Builder withMaxThreads(int threads) {
            this.maxThreads = threads;
            return this;
        }

        /** @return the validated configuration */
        public ServerConfig build() {
            return new ServerConfig(host, httpPort, grpcPort, Optional.ofNullable(cert), Optional.ofNullable(key),
                    Optional.ofNullable(keys), rate, burst, maxBodyBytes, statusPublic, maxThreads);
        }
    }
}
