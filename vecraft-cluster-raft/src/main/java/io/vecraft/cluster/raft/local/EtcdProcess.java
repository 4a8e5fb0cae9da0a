package io.vecraft.cluster.raft.local;

import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.api.VecraftTimeoutException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-member etcd server started as a child process on loopback with explicit client and
 * peer ports and its own data directory (tests, benchmarks and {@code scripts/cluster.sh} use the
 * same arguments). The binary is {@code $VECRAFT_ETCD} if set, else {@code etcd} on the
 * {@code PATH} (Debian: {@code apt-get install -y etcd-server}).
 *
 * <p>Thread-safe. {@link #close()} kills the process (SIGKILL) and waits for it; idempotent.
 */
public final class EtcdProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdProcess.class);
    /** How long {@link #start} waits for etcd to report healthy. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final int clientPort;
    private final Path log;

    private EtcdProcess(Process process, int clientPort, Path log) {
        this.process = process;
        this.clientPort = clientPort;
        this.log = log;
    }

    /**
     * @return the etcd binary
     * @throws VecraftException naming how to install it if there is none
     */
    public static Path binary() {
        return findBinary().orElseThrow(() -> new VecraftException("no etcd binary found: set VECRAFT_ETCD to its path "
                + "or install it (Debian/Ubuntu: apt-get install -y etcd-server); the raft cluster provider keeps its "
                + "metadata in etcd"));
    }

    /** @return the etcd binary, if one is installed */
    public static Optional<Path> findBinary() {
        String env = System.getenv("VECRAFT_ETCD");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir, "etcd");
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        Path debian = Path.of("/usr/bin/etcd");
        return Files.isExecutable(debian) ? Optional.of(debian) : Optional.empty();
    }

    /**
     * Starts etcd and waits until it reports healthy.
     *
     * @param dataDir    its data directory (created)
     * @param clientPort loopback client port
     * @param peerPort   loopback peer port
     * @return the running server
     */
    public static EtcdProcess start(Path dataDir, int clientPort, int peerPort) {
        Path bin = binary();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new VecraftIOException("cannot create " + dataDir, e);
        }
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> cmd = List.of(bin.toString(), "--name", "vecraft-etcd", "--data-dir", dataDir.resolve("etcd").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "vecraft-etcd=" + peer, "--initial-cluster-state", "new",
                "--logger", "zap", "--log-outputs", "stderr");
        Path log = dataDir.resolve("etcd.log");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new VecraftIOException("cannot start " + bin, e);
        }
        EtcdProcess etcd = new EtcdProcess(p, clientPort, log);
        try {
            etcd.awaitHealthy(START_TIMEOUT);
        } catch (RuntimeException e) {
            etcd.close();
            throw e;
        }
        LOG.info("etcd up on {} (pid {}, data {})", client, p.pid(), dataDir);
        return etcd;
    }

    private void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new VecraftException("etcd exited with " + process.exitValue() + " before it was healthy; see " + log);
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + "/health").toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(1000);
                try (InputStream in = c.getInputStream()) {
                    last = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    if (last.contains("\"health\":\"true\"")) {
                        return;
                    }
                }
            } catch (IOException e) {
                last = e.toString();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // poll interval of a start-up wait
        }
        throw new VecraftTimeoutException("etcd on port " + clientPort + " not healthy within " + timeout + " (last: "
                + last + "); see " + log);
    }

    /** @return the client URL, {@code http://127.0.0.1:<port>} */
    public String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    /** @return the process id */
    public long pid() {
        return process.pid();
    }

    /** @return the log file */
    public Path log() {
        return log;
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                LOG.warn("etcd pid {} did not exit within 10 s of SIGKILL", process.pid());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
