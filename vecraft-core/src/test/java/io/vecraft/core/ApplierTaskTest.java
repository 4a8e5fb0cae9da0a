package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Durability;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tasks run on a shard's applier thread (compaction, snapshots) by a caller with a deadline: one that has not
 * started by the deadline is given up and never runs later (its caller's locks are released by then); one
 * already running is waited for.
 */
class ApplierTaskTest {
    @TempDir
    Path dir;

    @Test
    void aTaskGivenUpBeforeItStartedNeverRunsAndARunningOneIsWaitedFor() throws Exception {
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.ASYNC).open()) {
            db.createCollection(CollectionSpec.of("docs", 4).withShards(1));
            ShardRuntime shard = (ShardRuntime) ((EmbeddedVecraft) db).runtime("docs").shard(0);
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> busy = CompletableFuture.supplyAsync(() -> shard.runOnApplier(store -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "done";
            }, System.nanoTime() + TimeUnit.MINUTES.toNanos(1), "blocking task"));
            AtomicBoolean ran = new AtomicBoolean();
            try {
                assertTrue(started.await(30, TimeUnit.SECONDS));
                VecraftTimeoutException e = assertThrows(VecraftTimeoutException.class,
                        () -> shard.runOnApplier(store -> {
                            ran.set(true);
                            return null;
                        }, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100), "late task"));
                assertTrue(e.getMessage().contains("will not run"), e.getMessage());
            } finally {
                release.countDown(); // never leave the applier blocked (close would wait for it)
            }
            assertEquals("done", busy.get(30, TimeUnit.SECONDS));
            // the applier went on past the abandoned task: a later task runs, the abandoned one did not
            assertEquals("after", shard.runOnApplier(store -> "after", System.nanoTime()
                    + Duration.ofSeconds(30).toNanos(), "later task"));
            assertFalse(ran.get(), "the abandoned task ran after its caller had given up");

            // a task that started before its deadline is waited for past it
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> shard.runOnApplier(store -> {
                inside.countDown();
                try {
                    finish.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                return "slow";
            }, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200), "slow task"));
            try {
                assertTrue(inside.await(30, TimeUnit.SECONDS));
                assertThrows(java.util.concurrent.TimeoutException.class, () -> slow.get(400, TimeUnit.MILLISECONDS),
                        "still waiting past its 200 ms deadline");
            } finally {
                finish.countDown();
            }
            assertEquals("slow", slow.get(30, TimeUnit.SECONDS));
        }
    }

    /** A checkpoint asked for while the applier stops is answered by the final checkpoint, not left to time out. */
    @Test
    void aCheckpointAskedForWhileTheShardStopsIsAnsweredAtOnce() throws Exception {
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.ASYNC).open()) {
            db.createCollection(CollectionSpec.of("docs", 4).withShards(1));
            ShardRuntime shard = (ShardRuntime) ((EmbeddedVecraft) db).runtime("docs").shard(0);
            shard.pauseApplying(true); // a paused applier does not take checkpoint requests: this one stays pending
            CompletableFuture<Void> asked = CompletableFuture.runAsync(
                    () -> shard.checkpointNow(System.nanoTime() + TimeUnit.MINUTES.toNanos(2)));
            assertTrue(Await.until(shard::checkpointRequested, Duration.ofSeconds(30)));
            long t0 = System.nanoTime();
            shard.stop(true);
            asked.get(30, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "answered by the stop");
        }
    }
}
