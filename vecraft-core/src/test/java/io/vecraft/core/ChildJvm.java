package io.vecraft.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Starts a child JVM like the one running the tests (same java binary, class path and JVM input
 * arguments, as vecraft-journal's CrashTest does) and collects its standard output line by line.
 *
 * <p>The child's standard output goes to a file that a reader thread follows, not to a pipe: when a
 * child is killed, what it wrote to a pipe but the parent had not read yet can be lost with the
 * JDK's process streams (measured here: in ASYNC mode the child outruns the parent, and lines of
 * acknowledged writes went missing). Every line the child flushed is in the file after it died.
 *
 * <p>Not thread-safe; one instance per child.
 */
final class ChildJvm implements AutoCloseable {
    /** Marks the end of the child's output in {@link #lines()}. */
    static final String EOF = "\u0000EOF";

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildJvm(Process process, Path stdout) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (InputStream in = Files.newInputStream(stdout)) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                byte[] buf = new byte[1 << 16];
                boolean exited = false;
                while (true) {
                    int n = in.read(buf);
                    if (n > 0) {
                        for (int i = 0; i < n; i++) {
                            if (buf[i] == '\n') {
                                lines.add(line.toString(StandardCharsets.UTF_8));
                                line.reset();
                            } else {
                                line.write(buf[i]);
                            }
                        }
                    } else if (exited) {
                        break; // a partial last line (killed mid-write) is not a line
                    } else {
                        // at the end of what the child wrote so far: wait for more or for its exit
                        exited = process.waitFor(2, TimeUnit.MILLISECONDS);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the test is over
            } finally {
                lines.add(EOF);
            }
        }, "child-output-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * @param mainClass class whose main runs in the child
     * @param stderr    file receiving the child's standard error (standard output goes beside it, {@code .out})
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
        Path stdout = stderr.resolveSibling(stderr.getFileName() + ".out");
        pb.redirectOutput(stdout.toFile());
        return new ChildJvm(pb.start(), stdout);
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
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
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
