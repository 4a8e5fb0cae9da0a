package io.vecraft.core.cluster;

import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.contract.MetadataStoreContract;
import io.vecraft.cluster.spi.wire.MetadataStoreClient;
import io.vecraft.cluster.spi.wire.MetadataStoreServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metadata store reached through the encoding in-JVM transport (MetadataStoreClient ->
 * MetadataStoreServer) passes the metadata store contract.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteMetadataStoreContractTest extends MetadataStoreContract {
    private final AtomicInteger prefixes = new AtomicInteger();
    private InMemoryMetadataStore store;
    private InJvmTransport network;
    private MetadataStore remote;

    @BeforeAll
    void start(@TempDir Path dir) {
        store = new InMemoryMetadataStore(dir.resolve("metadata.bin"));
        network = new InJvmTransport(1);
        network.forNode("meta").listen("meta", new MetadataStoreServer(store));
        remote = new MetadataStoreClient(network.forNode("client").connect("meta"), Duration.ofSeconds(10));
    }

    @AfterAll
    void stop() {
        network.close();
        store.close();
    }

    @Override
    protected MetadataStore store() {
        return remote;
    }

    @Override
    protected String prefix() {
        return "/remote-" + prefixes.incrementAndGet() + "/";
    }
}
