package io.vecraft.cluster.raft.local;

import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.cluster.raft.node.VecraftNode;
import java.io.IOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A raft cluster on this machine: one etcd and N {@link VecraftNode} child JVMs on loopback, each
 * with explicit ports and its own data directory (the same layout {@code scripts/cluster.sh}
 * uses). For tests and benchmarks: nodes can be killed (SIGKILL), stopped (SIGTERM), frozen
 * (SIGSTOP), resumed (SIGCONT) and restarted from their data. Every node runs every role
 * (journal and storage) unless configured otherwise.
 *
 * <pre>
 * &lt;directory&gt;/etcd/                 etcd data and etcd.log
 * &lt;directory&gt;/cluster.properties     the cluster spec and settings every node is started with
 * &lt;directory&gt;/&lt;node&gt;/data/          the node's data (journal/, raft/, storage/)
 * &lt;directory&gt;/&lt;node&gt;/node.log       its standard output and error
 * </pre>
 *
 * <p>Thread-safe. {@link #close()} kills every process it started (SIGKILL) and waits for them; a
 * shutdown hook does the same if the JVM exits without closing it.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
    /** How long a node may take to print its ready line. */
    public static final Duration NODE_START_TIMEOUT = Duration.ofSeconds(180);

    private final Path dir;
    private final String namespace;
    private final List<String> ids;
    private final List<String> jvmOptions;
    private final String classPath;
    private final Properties properties = new Properties();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final EtcdProcess etcd;
    private final Thread shutdownHook = new Thread(this::close, "vecraft-local-cluster-shutdown");
    private volatile boolean closed;

    private LocalCluster(Builder b) {
        this.dir = b.dir;
        this.namespace = b.namespace;
        this.jvmOptions = b.jvmOptions != null ? List.copyOf(b.jvmOptions) : defaultJvmOptions();
        this.classPath = b.classPath != null ? b.classPath : System.getProperty("java.class.path");
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= b.nodes; i++) {
            names.add("n" + i);
        }
        this.ids = List.copyOf(names);
        this.etcd = EtcdProcess.start(dir.resolve("etcd"), FreePorts.one(), FreePorts.one());
        // If this JVM exits without closing the cluster (SIGTERM, a test fork stopped), kill its processes.
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            properties.setProperty("etcd", etcd.endpoint());
            properties.setProperty("namespace", namespace);
            properties.setProperty("dataPartitions", Integer.toString(b.dataPartitions));
            properties.setProperty("nodes", String.join(",", ids));
            for (String id : ids) {
                properties.setProperty("node." + id + ".roles", "journal,storage");
                properties.setProperty("node." + id + ".grpc", "127.0.0.1:" + FreePorts.one());
                properties.setProperty("node." + id + ".raft", "127.0.0.1:" + FreePorts.one());
            }
            properties.putAll(b.settings);
            Files.createDirectories(dir);
            try (Writer w = Files.newBufferedWriter(configFile(), StandardCharsets.UTF_8)) {
                properties.store(w, "vecraft local cluster");
            }
            for (String id : ids) {
                launch(id);
            }
            for (String id : ids) {
                awaitReady(id, NODE_START_TIMEOUT);
            }
        } catch (IOException e) {
            close();
            throw new VecraftIOException("cannot write " + configFile(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("local raft cluster up: etcd {}, nodes {}", etcd.endpoint(), ids);
    }

    /**
     * @param dir where the cluster lives
     * @return a builder (3 nodes, 2 data partitions)
     */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Configuration of a {@link LocalCluster}. Not thread-safe. */
    public static final class Builder {
        private final Path dir;
        private int nodes = 3;
        private int dataPartitions = 2;
        private String namespace = "/vecraft";
        private final Properties settings = new Properties();
        private List<String> jvmOptions;
        private String classPath;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** @param n nodes, 1 to 9 @return this */
        public Builder withNodes(int n) {
            if (n < 1 || n > 9) {
                throw new InvalidArgumentException("nodes", "must be 1 to 9, was " + n);
            }
            this.nodes = n;
            return this;
        }

        /** @param n data partitions @return this */
        public Builder withDataPartitions(int n) {
            this.dataPartitions = n;
            return this;
        }

        /** @param key node setting (see {@link VecraftNode}) @param value its value @return this */
        public Builder with(String key, String value) {
            settings.setProperty(key, value);
            return this;
        }

        /** @param options JVM options of the node processes (default: this JVM's module and Chronicle options) @return this */
        public Builder withJvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /** @param cp class path of the node processes (default: this JVM's) @return this */
        public Builder withClassPath(String cp) {
            this.classPath = cp;
            return this;
        }

        /** @return the started cluster (etcd and every node up) */
        public LocalCluster start() {
            return new LocalCluster(this);
        }
    }

    /** @return this JVM's --add-opens/--add-exports/--add-modules/... options plus a small heap and quiet Ratis logs */
    public static List<String> defaultJvmOptions() {
        List<String> out = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc")
                    || a.startsWith("-Dchronicle.")) {
                out.add(a);
            }
        }
        out.add("-Xmx512m");
        out.add("-XX:+UseParallelGC");
        out.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        out.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
        out.add("-Dorg.slf4j.simpleLogger.log.org.apache.ratis=warn");
        out.add("-Dorg.slf4j.simpleLogger.log.io.grpc=warn");
        out.add("-Dorg.slf4j.simpleLogger.log.io.etcd=warn");
        out.add("-Dorg.slf4j.simpleLogger.log.net.openhft=warn");
        return out;
    }

    private Path configFile() {
        return dir.resolve("cluster.properties");
    }

    /** @param id node id @return the node's log file */
    public Path log(String id) {
        return dir.resolve(id).resolve("node.log");
    }

    private void launch(String id) {
        try {
            Files.createDirectories(dir.resolve(id).resolve("data"));
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(jvmOptions);
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.add(VecraftNode.class.getName());
            cmd.addAll(List.of("--config", configFile().toString(), "--node", id, "--data",
                    dir.resolve(id).resolve("data").toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log(id).toFile())).start();
            synchronized (processes) {
                processes.put(id, p);
            }
            LOG.info("started node {} (pid {})", id, p.pid());
        } catch (IOException e) {
            throw new VecraftIOException("cannot start node " + id, e);
        }
    }

    /**
     * Waits for a node's ready line.
     *
     * @param id      node id
     * @param timeout longest wait
     */
    public void awaitReady(String id, Duration timeout) {
        Process p = process(id);
        long deadline = System.nanoTime() + timeout.toNanos();
        String ready = VecraftNode.READY + " " + id + " pid " + p.pid();
        while (true) {
            try {
                if (Files.exists(log(id)) && Files.readString(log(id), StandardCharsets.UTF_8).contains(ready)) {
                    return;
                }
            } catch (IOException e) {
                throw new VecraftIOException("cannot read " + log(id), e);
            }
            if (!p.isAlive()) {
                throw new VecraftException("node " + id + " exited with " + p.exitValue() + " before it was ready:\n"
                        + tail(id, 40));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new VecraftTimeoutException("node " + id + " not ready within " + timeout + ":\n" + tail(id, 40));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // poll interval of a start-up wait
        }
    }

    /**
     * @param id    node id
     * @param lines lines wanted
     * @return the last lines of its log
     */
    public String tail(String id, int lines) {
        try {
            List<String> all = Files.readAllLines(log(id), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private Process process(String id) {
        synchronized (processes) {
            Process p = processes.get(id);
            if (p == null) {
                throw new NotFoundException("running node", id);
            }
            return p;
        }
    }

    /** @return node ids */
    public List<String> nodes() {
        return ids;
    }

    /** @param id node id @return its process id */
    public long pid(String id) {
        return process(id).pid();
    }

    /** @param id node id @return true if its process runs (or is frozen) */
    public boolean isRunning(String id) {
        synchronized (processes) {
            Process p = processes.get(id);
            return p != null && p.isAlive();
        }
    }

    /** @return the settings a client passes to {@code ClusterConfig.of("raft")} */
    public Map<String, String> clientSettings() {
        return Map.of("etcd", etcd.endpoint(), "namespace", namespace);
    }

    /** @return etcd's client URL */
    public String etcdEndpoint() {
        return etcd.endpoint();
    }

    /** @return the cluster properties every node was started with */
    public Properties properties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    /**
     * SIGKILL: the node dies at once, its data stays for {@link #restart}.
     *
     * @param id node id
     */
    public void kill(String id) {
        Process p;
        synchronized (processes) {
            p = processes.remove(id);
        }
        if (p == null) {
            throw new NotFoundException("running node", id);
        }
        p.destroyForcibly();
        waitFor(p, id);
        LOG.info("killed node {} (pid {})", id, p.pid());
    }

    /**
     * SIGTERM: the node stops cleanly.
     *
     * @param id node id
     */
    public void stop(String id) {
        Process p;
        synchronized (processes) {
            p = processes.remove(id);
        }
        if (p == null) {
            throw new NotFoundException("running node", id);
        }
        p.destroy();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                waitFor(p, id);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /** @param id node id to freeze (SIGSTOP): it keeps its sockets but does nothing */
    public void pause(String id) {
        signal(id, "STOP");
    }

    /** @param id node id to thaw (SIGCONT) */
    public void resume(String id) {
        signal(id, "CONT");
    }

    private void signal(String id, String signal) {
        long pid = pid(id);
        try {
            Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
            if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
                throw new VecraftException("kill -" + signal + " " + pid + " failed: "
                        + new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            LOG.info("sent SIG{} to node {} (pid {})", signal, id, pid);
        } catch (IOException e) {
            throw new VecraftIOException("cannot run kill -" + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecraftException("interrupted signalling node " + id, e);
        }
    }

    /**
     * Starts a node that was killed or stopped, from its data, and waits until it is ready.
     *
     * @param id node id
     */
    public void restart(String id) {
        if (isRunning(id)) {
            throw new InvalidArgumentException("node", id + " is running");
        }
        if (!ids.contains(id)) {
            throw new NotFoundException("node", id);
        }
        launch(id);
        awaitReady(id, NODE_START_TIMEOUT);
    }

    private static void waitFor(Process p, String id) {
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                LOG.warn("node {} (pid {}) did not exit within 30 s of SIGKILL", id, p.pid());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills every node and etcd (SIGKILL) and waits for them; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
        List<Process> all;
        synchronized (processes) {
            all = new ArrayList<>(processes.values());
            processes.clear();
        }
        for (Process p : all) {
            p.destroyForcibly();
        }
        for (Process p : all) {
            waitFor(p, "?");
        }
        if (etcd != null) {
            etcd.close();
        }
    }
}
