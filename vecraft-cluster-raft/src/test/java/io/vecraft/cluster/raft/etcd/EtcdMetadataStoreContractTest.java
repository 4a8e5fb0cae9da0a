package io.vecraft.cluster.raft.etcd;

import io.vecraft.cluster.raft.local.EtcdProcess;
import io.vecraft.cluster.raft.local.FreePorts;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.contract.MetadataStoreContract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The etcd metadata store passes the metadata store contract against a real etcd on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdMetadataStoreContractTest extends MetadataStoreContract {
    private final AtomicInteger prefixes = new AtomicInteger();
    private EtcdProcess etcd;
    private EtcdMetadataStore store;

    @BeforeAll
    void start(@TempDir Path dir) {
        etcd = EtcdProcess.start(dir, FreePorts.one(), FreePorts.one());
        // generous deadline: etcd fsyncs every write, and a loaded 2-core machine delayed one past 5 s
        store = new EtcdMetadataStore(etcd.endpoint(), "/contract-test", Duration.ofSeconds(20));
    }

    @AfterAll
    void stop() {
        if (store != null) {
            store.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    @Override
    protected MetadataStore store() {
        return store;
    }

    @Override
    protected String prefix() {
        return "/etcd-" + prefixes.incrementAndGet() + "/";
    }
}
