package io.vecraft.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Starts a child JVM like the one running the tests (same java binary, class path and JVM input
 * arguments, as vecraft-journal's CrashTest does) and collects its standard output line by line.
 * Not thread-safe; one instance per child.
 */
final class ChildJvm implements AutoCloseable {
    /** Marks the end of the child's output in {@link #lines()}. */
    static final String EOF = "\u0000EOF";

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildJvm(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // killed mid-line: what was read so far counts
            } finally {
                lines.add(EOF);
            }
        }, "child-output-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * @param mainClass class whose main runs in the child
     * @param stderr    file receiving the child's standard error
     * @param args      program arguments
     * @return the started child
     * @throws IOException if it cannot be started
     */
    static ChildJvm start(Class<?> mainClass, Path stderr, List<String> args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-Xmx") && !arg.startsWith("-XX:+UseParallelGC")) {
                cmd.add(arg);
            }
        }
        cmd.add("-Xmx384m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(stderr.toFile());
        return new ChildJvm(pb.start());
    }

    /** @return the child's output lines, ending with {@link #EOF} */
    BlockingQueue<String> lines() {
        return lines;
    }

    /** @return the process */
    Process process() {
        return process;
    }

    /** Kills the child with SIGKILL and waits for it to die. */
    void kill() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IllegalStateException("child did not die after SIGKILL");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
