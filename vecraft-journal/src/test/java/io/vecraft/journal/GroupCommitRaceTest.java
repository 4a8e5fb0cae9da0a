package io.vecraft.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Durability;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (found by review): a SYNC writer that saw its entry not yet durable, then claimed the force after
 * another forcer had already covered it, moved the durable mark to the head without forcing anything; a writer
 * whose entry was appended meanwhile was then acknowledged although its bytes were never forced. The race is
 * staged with a test hook between a writer's check and its claim.
 */
class GroupCommitRaceTest {
    @TempDir
    Path dir;

    @AfterEach
    void unhook() {
        ChroniclePartition.beforeForceClaim = null;
    }

    @Test
    void aLateClaimOfTheForceNeverAcknowledgesUnforcedEntries() throws Exception {
        AtomicInteger forces = new AtomicInteger();
        try (Journal j = Journal.open(JournalConfig.builder(dir.resolve("j")).withDurability(Durability.SYNC)
                .withForcer(ch -> {
                    ch.force(false);
                    forces.incrementAndGet();
                }).build())) {
            JournalPartition p = j.partition("data-0");
            CountDownLatch yWaiting = new CountDownLatch(1);
            CountDownLatch releaseY = new CountDownLatch(1);
            AtomicBoolean staged = new AtomicBoolean();
            int[] forcesBeforeY = new int[1];
            ChroniclePartition.beforeForceClaim = () -> {
                String me = Thread.currentThread().getName();
                if (me.equals("writer-a") && staged.compareAndSet(false, true)) {
                    // A saw entry 1 not durable. Meanwhile X appends and forces 1..2, then Y appends 3 and waits
                    // just before claiming the force itself.
                    CompletableFuture.runAsync(() -> p.append(1, "x", 0, new byte[8])).join();
                    forcesBeforeY[0] = forces.get();
                    Thread y = new Thread(() -> p.append(1, "y", 0, new byte[8]), "writer-y");
                    y.start();
                    await(yWaiting);
                } else if (me.equals("writer-y")) {
                    yWaiting.countDown();
                    await(releaseY);
                }
            };
            Thread a = new Thread(() -> p.append(1, "a", 0, new byte[8]), "writer-a");
            a.start();
            a.join(TimeUnit.SECONDS.toMillis(30));
            assertEquals(3, p.headSequence());
            ChroniclePartition.beforeForceClaim = null;
            releaseY.countDown();
            // Y returns once entry 3 is durable: that must have taken a force that started after Y appended.
            assertTrue(p.awaitDurable(3, 30, TimeUnit.SECONDS), "entry 3 became durable");
            assertTrue(forces.get() > forcesBeforeY[0], "entry 3 was acknowledged without a force: forces "
                    + forces.get() + ", before Y appended " + forcesBeforeY[0]);
        }
    }

    private static void await(CountDownLatch l) {
        try {
            assertTrue(l.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
