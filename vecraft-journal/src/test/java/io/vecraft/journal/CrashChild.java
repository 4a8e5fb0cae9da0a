package io.vecraft.journal;

import io.vecraft.api.Durability;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Child process of {@link CrashTest}: appends random entries from several threads and prints
 * one line per acknowledged append, {@code A <partition> <sequence> <crc32 of payload>}, only
 * after {@code append} returned. Runs until killed.
 *
 * <p>Arguments: journal directory, durability (SYNC, BATCH, ASYNC), threads, seed.
 */
public final class CrashChild {
    private CrashChild() {
    }

    /**
     * @param args directory, durability, threads, seed
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Durability durability = switch (args[1]) {
            case "SYNC" -> Durability.SYNC;
            case "BATCH" -> Durability.batch(Duration.ofMillis(10));
            default -> Durability.ASYNC;
        };
        int threads = Integer.parseInt(args[2]);
        long seed = Long.parseLong(args[3]);
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false);
        Journal journal = Journal.open(JournalConfig.builder(dir).withDurability(durability).build());
        synchronized (out) {
            out.println("READY");
            out.flush();
        }
        for (int t = 0; t < threads; t++) {
            int thread = t;
            String partition = t == 0 ? "tx" : "data-0";
            Thread th = new Thread(() -> {
                Random rnd = new Random(seed * 31 + thread);
                JournalPartition p = journal.partition(partition);
                CRC32 crc = new CRC32();
                while (true) {
                    byte[] payload = new byte[rnd.nextInt(4096)];
                    rnd.nextBytes(payload);
                    AppendResult r = p.append(1 + rnd.nextInt(255), "c" + thread, thread, payload);
                    crc.reset();
                    crc.update(payload);
                    synchronized (out) {
                        out.println("A " + partition + " " + r.sequence() + " " + crc.getValue());
                        out.flush();
                    }
                }
            }, "crash-writer-" + t);
            th.start();
        }
        Thread.currentThread().join();
    }
}
