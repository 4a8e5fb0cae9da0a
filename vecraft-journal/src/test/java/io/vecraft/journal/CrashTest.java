package io.vecraft.journal;

import io.vecraft.api.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kills a writing child JVM with SIGKILL at random moments and checks after each kill that every
 * acknowledged entry survived intact and that sequences are dense. 24 kills by default, 200 with
 * {@code -Dvecraft.test.long=true} ({@code mvn -Plong}).
 */
class CrashTest {

    private static final String EOF = "\u0000EOF";

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedEntrySurvivesSigkill() throws Exception {
        Random rnd = TestSeeds.random("everyAcknowledgedEntrySurvivesSigkill");
        int kills = TestSeeds.longRun() ? 200 : 24;
        String[] modes = {"SYNC", "SYNC", "BATCH", "ASYNC"};
        Path journalDir = dir.resolve("j");
        // partition -> sequence -> crc of every acknowledged entry over all runs
        Map<String, Map<Long, Long>> acked = new HashMap<>();
        long totalAcks = 0;
        for (int k = 0; k < kills; k++) {
            String mode = modes[k % modes.length];
            int threads = 2 + rnd.nextInt(3);
            int killAfter = 1 + rnd.nextInt(300);
            Path stderr = dir.resolve("child-" + k + ".err");
            Process child = startChild(journalDir, mode, threads, rnd.nextLong(), stderr);
            BlockingQueue<String> lines = readLines(child);
            try {
                String first = lines.poll(60, TimeUnit.SECONDS);
                if (!"READY".equals(first)) {
                    fail("child did not start (got " + first + "): " + Files.readString(stderr));
                }
                for (int n = 0; n < killAfter; n++) {
                    String line = lines.poll(60, TimeUnit.SECONDS);
                    if (line == null || line.equals(EOF)) {
                        fail("child stopped acknowledging after " + n + " lines: " + Files.readString(stderr));
                    }
                    record(acked, line);
                    totalAcks++;
                }
            } finally {
                child.destroyForcibly(); // SIGKILL on Linux
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child exits after SIGKILL");
            }
            // Lines the child printed before it died are acknowledged too.
            for (String line = lines.poll(10, TimeUnit.SECONDS); line != null && !line.equals(EOF);
                 line = lines.poll(10, TimeUnit.SECONDS)) {
                record(acked, line);
                totalAcks++;
            }
            verify(journalDir, acked);
        }
        System.out.println("crash test: " + kills + " kills, " + totalAcks + " acknowledged appends verified");
        try (Journal j = Journal.open(JournalConfig.builder(journalDir).build())) {
            long head = j.partition("data-0").headSequence();
            assertEquals(head + 1, j.partition("data-0").append(1, "after", 0, new byte[0]).sequence());
        }
    }

    private static void record(Map<String, Map<Long, Long>> acked, String line) {
        String[] f = line.split(" ");
        assertEquals(4, f.length, line);
        assertEquals("A", f[0], line);
        Long prev = acked.computeIfAbsent(f[1], x -> new HashMap<>()).put(Long.parseLong(f[2]), Long.parseLong(f[3]));
        if (prev != null && prev != Long.parseLong(f[3])) {
            fail("sequence " + f[2] + " of " + f[1] + " acknowledged twice with different payloads");
        }
    }

    private static void verify(Path journalDir, Map<String, Map<Long, Long>> acked) {
        try (Journal j = Journal.open(JournalConfig.builder(journalDir).withDurability(Durability.SYNC).build())) {
            for (Map.Entry<String, Map<Long, Long>> e : acked.entrySet()) {
                JournalPartition p = j.partition(e.getKey());
                long maxAcked = e.getValue().keySet().stream().mapToLong(Long::longValue).max().orElse(0);
                assertTrue(p.headSequence() >= maxAcked, e.getKey() + ": head " + p.headSequence()
                        + " below acknowledged " + maxAcked);
                CRC32 crc = new CRC32();
                try (JournalTailer t = p.tailer()) {
                    long seq = 0;
                    for (JournalEntry entry = t.next(); entry != null; entry = t.next()) {
                        seq++;
                        assertEquals(seq, entry.sequence(), "dense sequences");
                        Long want = e.getValue().get(seq);
                        if (want != null) {
                            crc.reset();
                            crc.update(entry.payload());
                            assertEquals(want.longValue(), crc.getValue(), e.getKey() + " sequence " + seq + " intact");
                        }
                    }
                    assertEquals(p.headSequence(), seq, "read everything up to head");
                }
            }
        }
    }

    private static Process startChild(Path journalDir, String mode, int threads, long seed, Path stderr)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-Xmx")) {
                cmd.add(arg);
            }
        }
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CrashChild.class.getName());
        cmd.add(journalDir.toString());
        cmd.add(mode);
        cmd.add(Integer.toString(threads));
        cmd.add(Long.toString(seed));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(stderr.toFile());
        return pb.start();
    }

    private static BlockingQueue<String> readLines(Process child) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // The child was killed mid-line: what was read so far counts.
            } finally {
                lines.add(EOF);
            }
        }, "crash-test-reader");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }
}
