package io.vecraft.core.cluster;

import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.contract.MetadataStoreContract;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The in-JVM metadata store passes the metadata store contract (called directly). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InMemoryMetadataStoreContractTest extends MetadataStoreContract {
    private final AtomicInteger prefixes = new AtomicInteger();
    private InMemoryMetadataStore store;

    @BeforeAll
    void start(@TempDir Path dir) {
        store = new InMemoryMetadataStore(dir.resolve("metadata.bin"));
    }

    @AfterAll
    void stop() {
        store.close();
    }

    @Override
    protected MetadataStore store() {
        return store;
    }

    @Override
    protected String prefix() {
        return "/local-" + prefixes.incrementAndGet() + "/";
    }
}
