package io.vecraft.cluster.raft.process;

import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.contract.JournalServiceContract;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The raft provider's journal service, on three node processes, passes the journal service contract. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
@ExtendWith(SharedClusterExtension.class)
class ProcessJournalServiceContractTest extends JournalServiceContract {
    private SharedCluster cluster;

    @BeforeAll
    void start(SharedCluster shared) {
        cluster = shared;
    }

    @Override
    protected JournalService journal() {
        return cluster.client.journal();
    }
}
