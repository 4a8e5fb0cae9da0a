package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.cluster.spi.AppendAck;
import io.vecraft.cluster.spi.ClusterOptions;
import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.Watermark;
import io.vecraft.core.cluster.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal service's watermark names committed entries only (in-JVM provider): an entry the leader
 * appended locally but could not replicate to a majority may be dropped by a failover and its sequence
 * reassigned, so a collection created meanwhile must not take it as its start.
 */
class InJvmWatermarkTest {
    @TempDir
    Path dir;

    @Test
    void theWatermarkStopsAtTheCommitIndex() {
        try (InJvmCluster cluster = new InJvmCluster(new ClusterOptions(dir.resolve("cluster"),
                Map.of("durability", "ASYNC", "storageNodes", "1")))) {
            JournalService journal = cluster.journal();
            AppendAck committed = journal.append("data-0", 1, "committed", 0, new byte[] {1});
            String leader = cluster.leaderOf("data-0").orElseThrow();
            List<String> followers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                if (!("journal-" + i).equals(leader)) {
                    followers.add("journal-" + i);
                }
            }
            followers.forEach(cluster::isolate);
            CompletableFuture<AppendAck> stuck = CompletableFuture.supplyAsync(
                    () -> journal.append("data-0", 1, "uncommitted", 0, new byte[] {2}));
            try {
                assertTrue(Await.until(() -> cluster.journalHead(leader, "data-0") > committed.sequence(),
                        Duration.ofSeconds(20)), "the leader appended the entry locally");
                Watermark w = journal.watermark("data-0");
                assertEquals(committed.sequence(), w.sequence(), "the watermark names the committed head, not the"
                        + " leader's local head " + cluster.journalHead(leader, "data-0"));
                assertEquals(committed.hlc(), w.hlc());
            } finally {
                followers.forEach(cluster::heal);
            }
            AppendAck later = stuck.join();
            assertTrue(Await.until(() -> journal.watermark("data-0").sequence() >= later.sequence(),
                    Duration.ofSeconds(20)), "once replicated it is in the watermark");
        }
    }
}
