package io.vecraft.cluster.spi;

/**
 * A way of running Vecraft as a cluster, found with {@link java.util.ServiceLoader} by
 * {@link #name()}. The core opens it when {@code Vecraft.open} is given a cluster configuration.
 * Providers: {@code in-jvm} (several journal and storage nodes in one process over an encoding
 * in-memory transport; in vecraft-core) and networked ones (Raft journal, gRPC transport, etcd
 * metadata).
 *
 * <p>Implementations are thread-safe and stateless; state lives in the {@link Cluster}.
 */
public interface ClusterProvider {

    /** Version of this SPI. Providers built against another major version are refused. */
    int SPI_VERSION = 1;

    /** @return the provider's name, e.g. {@code "in-jvm"} */
    String name();

    /** @return the SPI version the provider implements ({@link #SPI_VERSION} when built with this one) */
    default int spiVersion() {
        return SPI_VERSION;
    }

    /**
     * Connects to (or, for an in-process provider, starts) a cluster.
     *
     * @param options directory and provider settings
     * @return the connected cluster
     */
    Cluster open(ClusterOptions options);
}
