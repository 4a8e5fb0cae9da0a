package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Durability;
import io.vecraft.api.Health;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftConfig;
import io.vecraft.api.VecraftIOException;
import io.vecraft.api.spi.ForceObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Vecraft#health()}: UP when every shard is caught up, DEGRADED (live, not ready) with a reason
 * naming the shard while a shard lags over the configured threshold, DOWN (not live) after a journal
 * partition failed and once closed; and the threshold knob is validated.
 */
class HealthTest {
    @TempDir
    Path dir;

    @AfterEach
    void uninstall() {
        ForceObserver.uninstall();
    }

    private VecraftConfig.Builder config() {
        return Vecraft.builder(dir).withDurability(Durability.ASYNC).withMaxEntryBytes(1 << 20);
    }

    @Test
    void caughtUpDatabaseIsUpLiveAndReadyWithEveryShardListed() {
        try (Vecraft db = config().open()) {
            Collection c = db.createCollection(CollectionSpec.of("c", KillWorkload.DIMENSION).withShards(3));
            c.upsert(KillWorkload.record("a", 0, "r1"));
            Health h = db.health();
            assertEquals(Health.Status.UP, h.status(), h.reasons().toString());
            assertTrue(h.live() && h.ready());
            assertEquals(java.util.List.of(), h.reasons());
            assertEquals(java.util.List.of("c/0", "c/1", "c/2"),
                    h.shards().stream().map(Health.ShardHealth::name).toList());
            for (Health.ShardHealth s : h.shards()) {
                assertFalse(s.failed());
                assertTrue(s.lag().compareTo(VecraftConfig.DEFAULT_READY_LAG_THRESHOLD) < 0, s.toString());
                assertTrue(s.safeTime() > 0);
            }
        }
    }

    @Test
    void shardLaggingOverTheThresholdMakesItDegradedUntilItCatchesUp() {
        try (Vecraft db = config().withReadyLagThreshold(Duration.ofMillis(300)).open()) {
            Collection c = db.createCollection(CollectionSpec.of("c", KillWorkload.DIMENSION).withShards(2));
            ShardRuntime lagging = (ShardRuntime) ((AbstractVecraft) db).runtime("c").shard(1);
            lagging.pauseApplying(true);
            try {
                assertTrue(Await.until(() -> db.health().status() == Health.Status.DEGRADED, Duration.ofSeconds(10)),
                        "a paused shard falls behind the 300 ms threshold");
                Health h = db.health();
                assertTrue(h.live());
                assertFalse(h.ready());
                assertEquals(1, h.reasons().size(), h.reasons().toString());
                assertTrue(h.reasons().get(0).contains("shard c/1") && h.reasons().get(0).contains("replaying"),
                        h.reasons().get(0));
                assertTrue(h.shards().get(1).lag().toMillis() > 300, h.shards().toString());
            } finally {
                lagging.pauseApplying(false);
            }
            assertTrue(Await.until(() -> db.health().status() == Health.Status.UP, Duration.ofSeconds(10)),
                    "caught up again: " + db.health());
            c.upsert(KillWorkload.record("a", 0, "after"));
        }
    }

    @Test
    void failedJournalPartitionMakesItDownWithTheReason() {
        AtomicBoolean armed = new AtomicBoolean();
        ForceObserver.install(new ForceObserver() {
            @Override
            public void beforeForce(Path path, Kind kind) throws IOException {
                if (armed.get() && path.toString().endsWith(".cq4")
                        && path.getParent().getFileName().toString().equals("data-0")) {
                    throw new IOException("Input/output error (injected)");
                }
            }
        });
        try (Vecraft db = config().withDurability(Durability.SYNC).withDataPartitions(1).open()) {
            Collection c = db.createCollection(CollectionSpec.of("c", KillWorkload.DIMENSION).withShards(1));
            c.upsert(KillWorkload.record("a", 0, "r1"));
            assertEquals(Health.Status.UP, db.health().status());
            armed.set(true);
            assertThrows(VecraftIOException.class, () -> c.upsert(KillWorkload.record("b", 0, "r2")));
            Health h = db.health();
            assertEquals(Health.Status.DOWN, h.status(), h.toString());
            assertFalse(h.live());
            assertFalse(h.ready());
            assertTrue(h.reasons().stream().anyMatch(r -> r.contains("data-0") && r.contains("reopened")),
                    h.reasons().toString());
        }
    }

    @Test
    void closedDatabaseIsDown() {
        Vecraft db = config().open();
        db.close();
        Health h = db.health();
        assertEquals(Health.Status.DOWN, h.status());
        assertFalse(h.live());
        assertTrue(h.reasons().get(0).contains("closed"), h.reasons().toString());
    }

    @Test
    void readyLagThresholdIsValidated() {
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(-5), Duration.ofDays(2)}) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> config().withReadyLagThreshold(bad).build());
            assertTrue(e.getMessage().contains("readyLagThreshold"), e.getMessage());
        }
        assertEquals(Duration.ofSeconds(10), config().build().readyLagThreshold());
    }
}
