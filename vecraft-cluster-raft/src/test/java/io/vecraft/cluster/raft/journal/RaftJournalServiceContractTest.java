package io.vecraft.cluster.raft.journal;

import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.contract.JournalServiceContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Ratis journal nodes (in this JVM, over loopback gRPC) pass the journal service contract. The
 * default suite runs the same contract on three node processes (ProcessJournalServiceContractTest).
 */
@Tag("cluster")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class RaftJournalServiceContractTest extends JournalServiceContract {
    private InProcessJournalCluster cluster;

    @BeforeAll
    void start(@TempDir Path dir) {
        cluster = new InProcessJournalCluster(dir, 100_000);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected JournalService journal() {
        return cluster.journal();
    }
}
