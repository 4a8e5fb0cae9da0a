package io.vecraft.cluster.raft.process;

import io.vecraft.cluster.raft.RaftCluster;
import io.vecraft.cluster.raft.local.LocalCluster;
import io.vecraft.cluster.spi.ClusterOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One 3-node raft cluster (etcd + three node JVMs on loopback) shared by every test class of the
 * test JVM that asks for it, started once and killed when the whole test run ends (a JUnit root
 * store resource), also when tests fail.
 */
final class SharedCluster implements ExtensionContext.Store.CloseableResource {
    final LocalCluster local;
    final RaftCluster client;

    private SharedCluster() {
        Path dir;
        try {
            Files.createDirectories(Path.of("target", "tmp"));
            dir = Files.createTempDirectory(Path.of("target", "tmp"), "raft-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        local = LocalCluster.builder(dir).withNodes(3).with("durability", "ASYNC").start();
        try {
            client = new RaftCluster(new ClusterOptions(dir.resolve("client"), local.clientSettings()));
            if (!client.awaitLeaders(Duration.ofSeconds(60))) {
                throw new IllegalStateException("no leader for every partition within 60 s");
            }
        } catch (RuntimeException e) {
            local.close();
            throw e;
        }
    }

    /** @return the shared cluster of this test run */
    static SharedCluster get(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedCluster.class, k -> new SharedCluster(), SharedCluster.class);
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            local.close();
        }
    }
}
