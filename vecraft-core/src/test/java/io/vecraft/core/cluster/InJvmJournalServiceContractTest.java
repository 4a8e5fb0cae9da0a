package io.vecraft.core.cluster;

import io.vecraft.cluster.spi.ClusterOptions;
import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.contract.JournalServiceContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The in-JVM replicated journal (3 journal nodes) passes the journal service contract. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InJvmJournalServiceContractTest extends JournalServiceContract {
    private InJvmCluster cluster;

    @BeforeAll
    void start(@TempDir Path dir) {
        cluster = new InJvmCluster(new ClusterOptions(dir, Map.of("durability", "ASYNC", "storageNodes", "1")));
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Override
    protected JournalService journal() {
        return cluster.journal();
    }
}
