package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VerifyReport;
import io.vecraft.api.spi.ForceObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power loss, simulated from what was forced ({@link PowerLossSimulator}): two threads run the
 * {@link KillWorkload} in this JVM while the test cuts the power at random moments, each time materialising
 * the disk as only forced data would leave it and opening that copy. SYNC must keep every write acknowledged
 * before the cut, with in-flight operations all or nothing ({@link KillModel#check}); every mode must open
 * and serve only data some operation wrote, whole ({@link KillModel#checkServesOnlyWrittenData}), and
 * {@link Vecraft#verify} must find nothing CORRUPT. 4 cuts per mode by default, 25 with {@code -Plong}.
 */
class PowerLossTest {
    @TempDir
    Path dir;

    @AfterEach
    void uninstall() {
        ForceObserver.uninstall();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SYNC", "BATCH", "ASYNC"})
    void powerCutKeepsWhatTheModePromises(String mode) throws Exception {
        int cuts = Boolean.getBoolean("vecraft.test.long") ? 25 : 4;
        SplittableRandom rnd = TestSeeds.random("PowerLossTest." + mode, 0);
        Path data = dir.resolve("db");
        Files.createDirectories(data);
        PowerLossSimulator sim = new PowerLossSimulator(data, dir.resolve("shadow"));
        ForceObserver.install(sim);
        List<String> lines = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long served = 0;
        try (Vecraft db = KillChild.config(data, mode).open()) {
            for (CollectionSpec spec : KillWorkload.specs()) {
                db.createCollection(spec);
            }
            boolean[] running = {true};
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int thread = t;
                SplittableRandom r = rnd.split();
                Thread w = new Thread(() -> {
                    try {
                        KillChild.run(db, line -> {
                            synchronized (lines) {
                                lines.add(line);
                                lines.notifyAll();
                            }
                        }, thread, 0, r, () -> {
                            synchronized (lines) {
                                return running[0];
                            }
                        });
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                        synchronized (lines) {
                            lines.notifyAll();
                        }
                    }
                }, "power-writer-" + t);
                w.start();
                writers.add(w);
            }
            for (int c = 0; c < cuts; c++) {
                List<String> before;
                Path crash = dir.resolve("cut-" + c);
                synchronized (lines) {
                    int want = lines.size() + 40 + rnd.nextInt(200);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (lines.size() < want && failure.get() == null) {
                        long left = deadline - System.nanoTime();
                        assertTrue(left > 0, "writers stalled at " + lines.size() + " lines");
                        TimeUnit.NANOSECONDS.timedWait(lines, left);
                    }
                    assertNull(failure.get(), "writer failed: " + failure.get());
                    // Cut while holding the lines lock: a writer announces (BEGIN) each operation under it before
                    // starting it, so every operation the cut may contain is in the lines copied here; cutting
                    // after the lock was released let an operation begun in between reach the disk unannounced.
                    before = List.copyOf(lines);
                    sim.materialize(crash);
                }
                served += check(mode, crash, before);
            }
            synchronized (lines) {
                running[0] = false;
            }
            for (Thread w : writers) {
                w.join(TimeUnit.SECONDS.toMillis(60));
            }
            assertNull(failure.get(), "writer failed: " + failure.get());
        }
        System.out.printf("power loss %s: %d cuts verified, %d forces recorded, %d records served after cuts%n",
                mode, cuts, sim.forces(), served);
    }

    /**
     * Control: the simulation must be able to fail. ASYNC mode without checkpoints forces nothing after the
     * collections are created, so a cut must lose acknowledged writes and the SYNC check must notice.
     */
    @org.junit.jupiter.api.Test
    void theSimulationLosesWhatWasNotForced() throws Exception {
        Path data = dir.resolve("db");
        Files.createDirectories(data);
        PowerLossSimulator sim = new PowerLossSimulator(data, dir.resolve("shadow"));
        ForceObserver.install(sim);
        List<String> lines = new ArrayList<>();
        try (Vecraft db = KillChild.config(data, "ASYNC").withCheckpointInterval(java.time.Duration.ofDays(1)).open()) {
            for (CollectionSpec spec : KillWorkload.specs()) {
                db.createCollection(spec);
            }
            int[] ops = {0};
            KillChild.run(db, lines::add, 0, 0, new SplittableRandom(7), () -> ops[0]++ < 50);
            sim.materialize(dir.resolve("cut"));
        }
        KillModel model = new KillModel();
        lines.forEach(model::accept);
        try (Vecraft db = KillChild.config(dir.resolve("cut"), "ASYNC").open()) {
            AssertionError lost = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> model.check(db));
            System.out.println("control: the cut lost acknowledged ASYNC writes as expected: " + lost.getMessage());
            model.checkServesOnlyWrittenData(db); // but what is there is whole
        }
    }

    private static int check(String mode, Path crash, List<String> acknowledged) {
        VerifyReport report = Vecraft.verify(crash);
        assertTrue(report.ok(), "verify after a power cut in " + mode + " mode: " + report);
        KillModel model = new KillModel();
        acknowledged.forEach(model::accept);
        try (Vecraft db = KillChild.config(crash, mode).open()) {
            if (mode.equals("SYNC")) {
                model.check(db);
            }
            return model.checkServesOnlyWrittenData(db);
        } catch (AssertionError e) {
            throw new AssertionError(mode + " power cut " + crash + " (" + model.acknowledged()
                    + " acknowledged operations): " + e.getMessage(), e);
        }
    }
}
