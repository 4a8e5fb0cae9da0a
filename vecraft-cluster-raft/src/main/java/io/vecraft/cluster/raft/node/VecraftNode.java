package io.vecraft.cluster.raft.node;

import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.cluster.raft.ClusterConnections;
import io.vecraft.cluster.raft.ClusterSpec;
import io.vecraft.cluster.raft.EtcdMembership;
import io.vecraft.cluster.raft.etcd.EtcdMetadataStore;
import io.vecraft.cluster.raft.etcd.NodeLease;
import io.vecraft.cluster.raft.journal.JournalNodeConfig;
import io.vecraft.cluster.raft.journal.RaftJournalNode;
import io.vecraft.cluster.raft.transport.GrpcAddress;
import io.vecraft.cluster.raft.transport.GrpcTransport;
import io.vecraft.cluster.spi.CatalogKeys;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.VersionConflictException;
import io.vecraft.cluster.spi.transport.Transport;
import io.vecraft.cluster.spi.wire.ShardReplicaServer;
import io.vecraft.core.ReplicaHost;
import io.vecraft.journal.HybridLogicalClock;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code vecraft-node} program: one node of a raft cluster, running any set of roles as its own
 * JVM process.
 *
 * <pre>
 * java [Vecraft JVM options] -cp ... io.vecraft.cluster.raft.node.VecraftNode \
 *     --config cluster.properties --node n1 --data /var/lib/vecraft/n1 [key=value ...]
 * </pre>
 *
 * The properties file describes the whole cluster (every node gets the same file; see
 * {@link ClusterSpec#fromProperties}) plus settings, each overridable as {@code key=value}
 * arguments:
 * <ul>
 *   <li>{@code etcd} (required), {@code namespace} (default {@code /vecraft});</li>
 *   <li>{@code durability} SYNC (default) or ASYNC: whether Raft forces its log before an entry
 *       counts towards the majority;</li>
 *   <li>{@code electionTimeoutMillis} (150), {@code snapshotEvery} (100000 Raft entries);</li>
 *   <li>{@code leaseTtlMillis} (4000): a node not heard of for that long is dead;</li>
 *   <li>{@code maxClockSkewMillis} (1000): messages from a node whose clock is further ahead are refused;</li>
 *   <li>{@code storage.tickMillis} (50), {@code storage.checkpointMillis} (300000): shard replica applier settings;</li>
 *   <li>{@code storage.versionRetentionMillis} (3600000), {@code storage.compactionMillis} (600000; 0 for no
 *       background runs), {@code storage.compactionThresholdPercent} (30): replica compaction
 *       ({@link ReplicaHost.Compaction});</li>
 *   <li>{@code callTimeoutMillis} (30000), {@code attemptTimeoutMillis} (3000), {@code etcdTimeoutMillis} (5000);</li>
 *   <li>{@code startTimeoutMillis} (120000): how long start-up calls to etcd are retried.</li>
 * </ul>
 * Roles: {@code journal} (a Ratis member of every partition, serving the journal service at
 * {@code <grpc>/journal}) and {@code storage} (a {@link ReplicaHost} serving shard replicas at
 * {@code <grpc>/replica}). Query processing runs in the client process ({@code ClusterVecraft}).
 * When the node serves, it prints {@code VECRAFT-NODE-READY <id>} on standard output. SIGTERM stops
 * it cleanly (replicas checkpoint, the lease is revoked); SIGKILL is a crash it recovers from.
 *
 * <p>Thread-safe.
 */
public final class VecraftNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VecraftNode.class);
    /** Line printed on standard output once the node serves. */
    public static final String READY = "VECRAFT-NODE-READY";

    private final String id;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ExecutorService publisher;
    private RaftJournalNode journal;
    private ReplicaHost storage;
    private volatile EtcdMembership membership;
    private volatile boolean closed;

    private static long compactionMillis(Properties p) {
        long ms = longSetting(p, "storage.compactionMillis", 600_000, 0, Long.MAX_VALUE / 2);
        if (ms > 0 && ms < 10) {
            throw new InvalidArgumentException("storage.compactionMillis", "must be 0 (no background runs) or at least 10,"
                    + " was " + ms);
        }
        return ms;
    }

    private static long longSetting(Properties p, String key, long def, long min, long max) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            return def;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException(key, "must be an integer, was '" + v + "'");
        }
        if (n < min || n > max) {
            throw new InvalidArgumentException(key, "must be " + min + " to " + max + ", was " + n);
        }
        return n;
    }

    /**
     * Starts a node.
     *
     * @param p    the cluster properties (with overrides applied)
     * @param id   this node's id (in the spec)
     * @param data its data directory
     */
    public VecraftNode(Properties p, String id, Path data) {
        this.id = id;
        this.publisher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vecraft-leader-publisher-" + id);
            t.setDaemon(true); // leader records are advisory routing hints; Raft decides leadership
            return t;
        });
        ClusterSpec spec = ClusterSpec.fromProperties(p);
        ClusterSpec.Node self = spec.node(id).orElseThrow(() -> new InvalidArgumentException("node",
                "'" + id + "' is not one of the cluster's nodes " + spec.nodes().stream().map(ClusterSpec.Node::id).toList()));
        String etcd = p.getProperty("etcd", "");
        String namespace = p.getProperty("namespace", "/vecraft");
        Duration etcdTimeout = Duration.ofMillis(longSetting(p, "etcdTimeoutMillis", 5_000, 100, 600_000));
        Duration callTimeout = Duration.ofMillis(longSetting(p, "callTimeoutMillis", 30_000, 100, 3_600_000));
        Duration attempt = Duration.ofMillis(longSetting(p, "attemptTimeoutMillis", 3_000, 100, 600_000));
        Duration maxSkew = Duration.ofMillis(longSetting(p, "maxClockSkewMillis", 1_000, 0, 3_600_000));
        Duration leaseTtl = Duration.ofMillis(longSetting(p, "leaseTtlMillis", 4_000, 1_000, 600_000));
        try {
            HybridLogicalClock clock = new HybridLogicalClock(System::currentTimeMillis, maxSkew);
            EtcdMetadataStore metadata = new EtcdMetadataStore(etcd, namespace, etcdTimeout);
            resources.add(metadata);
            Duration startTimeout = Duration.ofMillis(longSetting(p, "startTimeoutMillis", 120_000, 1_000, 3_600_000));
            long startDeadline = System.nanoTime() + startTimeout.toNanos();
            retryUntil(startDeadline, "publishing the cluster spec", () -> {
                publishSpec(metadata, spec, etcd, namespace);
                return null;
            });
            GrpcTransport transport = GrpcTransport.builder().withClock(clock).build();
            resources.add(transport);
            NodeLease lease = retryUntil(startDeadline, "granting the node lease", () -> new NodeLease(metadata, id,
                    leaseTtl));
            resources.add(lease);
            if (self.has(ClusterSpec.JOURNAL)) {
                LeaderPublisher leaders = new LeaderPublisher(metadata, lease);
                journal = new RaftJournalNode(journalConfig(p, spec, id, data), clock, transport, leaders);
                resources.add(journal);
                lease.onRegrant(leaders::republish);
                // Self-healing of leader records (a lost etcd write, a record overwritten while frozen).
                java.util.concurrent.ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "vecraft-leader-check-" + id);
                    t.setDaemon(true); // advisory records only
                    return t;
                });
                checker.scheduleWithFixedDelay(leaders::republish, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
                resources.add(checker::shutdownNow);
            }
            lease.put(CatalogKeys.node(id), EtcdMembership.encodeNode(self.grpc(),
                    String.join(",", self.roles().stream().sorted().toList())));
            EtcdMembership membership = retryUntil(startDeadline, "reading the membership",
                    () -> new EtcdMembership(metadata, spec));
            resources.add(membership);
            this.membership = membership;
            if (self.has(ClusterSpec.STORAGE)) {
                ClusterConnections connections = new ClusterConnections(spec, membership, transport, callTimeout, attempt);
                Duration tick = Duration.ofMillis(longSetting(p, "storage.tickMillis", 50, 1, 60_000));
                Duration checkpoint = Duration.ofMillis(longSetting(p, "storage.checkpointMillis", 300_000, 10,
                        Integer.MAX_VALUE));
                ReplicaHost.Compaction compaction = new ReplicaHost.Compaction(
                        Duration.ofMillis(longSetting(p, "storage.versionRetentionMillis", 3_600_000, 0, Long.MAX_VALUE / 2)),
                        Duration.ofMillis(compactionMillis(p)),
                        longSetting(p, "storage.compactionThresholdPercent", 30, 0, 100) / 100.0);
                storage = retryUntil(startDeadline, "starting the storage role", () -> new ReplicaHost(id,
                        data.resolve("storage"), connections.journal(), metadata, tick, checkpoint, compaction));
                resources.add(storage);
                Transport.Listener l = transport.listen(GrpcAddress.of(self.grpc(), ClusterConnections.REPLICA),
                        new ShardReplicaServer(storage));
                resources.add(l);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("node {} up: roles {}, grpc {}, raft {}, data {}", id, self.roles(), self.grpc(),
                self.raft().isEmpty() ? "-" : self.raft(), data);
    }

    /**
     * Start-up calls to etcd are retried until the deadline: on a loaded machine etcd may answer
     * slower than one call's timeout, and a node should not give up its start for that.
     */
    private static <T> T retryUntil(long deadlineNanos, String what, java.util.function.Supplier<T> call) {
        while (true) {
            try {
                return call.get();
            } catch (io.vecraft.api.VecraftTimeoutException | io.vecraft.cluster.spi.transport.NodeUnavailableException e) {
                if (System.nanoTime() - deadlineNanos > 0) {
                    throw e;
                }
                LOG.warn("{} failed ({}); retrying", what, e.getMessage());
                java.util.concurrent.locks.LockSupport.parkNanos(500_000_000L); // back-off between start-up retries
            }
        }
    }

    private static void publishSpec(MetadataStore metadata, ClusterSpec spec, String etcd, String namespace) {
        byte[] mine = spec.encode();
        try {
            metadata.put(ClusterSpec.KEY, mine, MetadataStore.ABSENT, 0);
        } catch (VersionConflictException e) {
            byte[] stored = metadata.get(ClusterSpec.KEY).map(MetadataStore.KeyValue::value).orElse(new byte[0]);
            if (!Arrays.equals(stored, mine)) {
                throw new InvalidArgumentException("config", "the cluster in etcd " + etcd + " namespace " + namespace
                        + " was created with a different shape:\n" + new String(stored, StandardCharsets.UTF_8)
                        + "this node was started with:\n" + new String(mine, StandardCharsets.UTF_8)
                        + "start every node with the same cluster properties (or use a new namespace)");
            }
        }
    }

    private static JournalNodeConfig journalConfig(Properties p, ClusterSpec spec, String id, Path data) {
        JournalNodeConfig.Builder b = JournalNodeConfig.builder(id, data)
                .withPartitions(spec.partitions())
                .withNamespace(p.getProperty("namespace", "/vecraft"))
                .withDurability(parseDurability(p.getProperty("durability", "SYNC")))
                .withElectionTimeout(Duration.ofMillis(longSetting(p, "electionTimeoutMillis", 150, 100, 60_000)))
                .withSnapshotEvery(longSetting(p, "snapshotEvery", JournalNodeConfig.DEFAULT_SNAPSHOT_EVERY, 16,
                        Long.MAX_VALUE));
        for (ClusterSpec.Node n : spec.journalNodes()) {
            b.withPeer(n.id(), n.raft(), n.grpc());
        }
        return b.build();
    }

    private static Durability parseDurability(String s) {
        return switch (s.trim().toUpperCase(java.util.Locale.ROOT)) {
            case "SYNC" -> Durability.SYNC;
            case "ASYNC" -> Durability.ASYNC;
            default -> throw new InvalidArgumentException("durability", "must be SYNC or ASYNC, was '" + s + "'");
        };
    }

    /** Publishes this node's partition leaderships to etcd (only a higher term replaces a record). */
    private final class LeaderPublisher implements RaftJournalNode.LeaderListener {
        private final MetadataStore metadata;
        private final NodeLease lease;

        LeaderPublisher(MetadataStore metadata, NodeLease lease) {
            this.metadata = metadata;
            this.lease = lease;
        }

        @Override
        public void leaderReady(String partition, long term) {
            publisher.execute(() -> publish(partition, term));
        }

        /**
         * Re-checks every partition this node leads against the leader records in etcd (after a
         * lease re-grant, and periodically): a record that is missing or names an older term is
         * written again. Records are only ever replaced by a higher (or equal own) term.
         */
        void republish() {
            RaftJournalNode j = journal;
            if (j == null || closed) {
                return;
            }
            EtcdMembership m = membership;
            for (String partition : j.partitions()) {
                long term = j.leaderTerm(partition);
                boolean recorded = m != null && m.leaderRecord(partition)
                        .filter(l -> l.node().equals(id) && l.term() == term).isPresent();
                if (term > 0 && !recorded) {
                    publisher.execute(() -> publish(partition, term));
                }
            }
        }

        private void publish(String partition, long term) {
            String key = ClusterSpec.LEADERS + partition;
            byte[] mine = EtcdMembership.encodeLeader(id, term);
            for (int attempt = 0; !closed; attempt++) {
                RaftJournalNode j = journal;
                if (j != null && !j.isLeader(partition) && attempt > 0) {
                    return; // lost it meanwhile: the new leader publishes
                }
                try {
                    var current = metadata.get(key);
                    if (current.isPresent()) {
                        EtcdMembership.Leader l = EtcdMembership.decodeLeader(key, current.get().value());
                        if (l.term() > term || (l.term() == term && l.node().equals(id))) {
                            return;
                        }
                        lease.putIfVersion(key, mine, current.get().version());
                    } else {
                        lease.putIfVersion(key, mine, MetadataStore.ABSENT);
                    }
                    LOG.info("node {}: published leadership of {} (term {})", id, partition, term);
                    return;
                } catch (VersionConflictException e) {
                    // someone else wrote meanwhile: read again
                } catch (VecraftException e) {
                    LOG.warn("node {}: publishing leadership of {} failed ({}); retrying", id, partition, e.getMessage());
                    java.util.concurrent.locks.LockSupport.parkNanos(Math.min(1_000, 50L << Math.min(attempt, 5))
                            * 1_000_000L); // back-off between etcd retries
                }
            }
        }
    }

    /** @return this node's id */
    public String id() {
        return id;
    }

    /** @return the journal role, or null */
    public RaftJournalNode journal() {
        return journal;
    }

    /** @return the storage role, or null */
    public ReplicaHost storage() {
        return storage;
    }

    /** Stops every role (replicas checkpoint), revokes the lease and disconnects; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        publisher.shutdownNow();
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("node {}: closing {} failed", id, resources.get(i).getClass().getSimpleName(), e);
            }
        }
        LOG.info("node {} stopped", id);
    }

    /**
     * Runs a node until SIGTERM/SIGINT.
     *
     * @param args {@code --config <file> --node <id> --data <dir> [key=value ...]}
     * @throws IOException if the config file cannot be read
     */
    public static void main(String[] args) throws IOException {
        String config = null;
        String node = null;
        String data = null;
        Properties overrides = new Properties();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> config = args[++i];
                case "--node" -> node = args[++i];
                case "--data" -> data = args[++i];
                default -> {
                    int eq = args[i].indexOf('=');
                    if (eq <= 0) {
                        usage("unexpected argument '" + args[i] + "'");
                        return;
                    }
                    overrides.setProperty(args[i].substring(0, eq), args[i].substring(eq + 1));
                }
            }
        }
        if (config == null || node == null || data == null) {
            usage("--config, --node and --data are required");
            return;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(config), StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new VecraftIOException("cannot read " + config, e);
        }
        p.putAll(overrides);
        VecraftNode n = new VecraftNode(p, node, Path.of(data));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            n.close();
            stopped.countDown();
        }, "vecraft-node-shutdown"));
        System.out.println(READY + " " + node + " pid " + ProcessHandle.current().pid());
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void usage(String problem) {
        System.err.println("vecraft-node: " + problem);
        System.err.println("usage: VecraftNode --config <cluster.properties> --node <id> --data <dir> [key=value ...]");
        System.exit(2);
    }
}
