package io.vecraft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.ClusterConfig;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Durability;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Record;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.VecraftConfig;
import io.vecraft.client.VecraftClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cluster mode is configuration only: the same server over the in-jvm cluster provider. */
class ClusterModeServerTest {

    @TempDir
    Path dir;

    @Test
    void serverRunsOverAClusterDatabase() {
        VecraftConfig db = VecraftConfig.builder(dir.resolve("db")).withDurability(Durability.ASYNC)
                .withCluster(ClusterConfig.of("in-jvm").with("journalNodes", "3").with("storageNodes", "2")
                        .with("replicas", "2"))
                .build();
        try (VecraftServer server = VecraftServer.open(ServerConfig.builder().withHttpPort(0).build(), db);
             VecraftClient client = VecraftClient.connect(URI.create(server.uri()), null)) {
            assertEquals("in-jvm", client.config().cluster().orElseThrow().provider());
            Collection c = client.createCollection(CollectionSpec.of("clustered", 2));
            List<Record> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                batch.add(Record.of("r" + i, new float[] {i, 1}));
            }
            c.upsert(batch);
            assertEquals(50, c.count(ReadOptions.defaults().withConsistency(Consistency.STRONG)));
            assertEquals("r7", c.search(SearchRequest.of(new float[] {7, 1}, 1).withConsistency(Consistency.STRONG))
                    .hits().get(0).id());
            assertTrue(c.history("r7").get(0).requestId() != null);
        }
    }
}
