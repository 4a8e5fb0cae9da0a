package io.vecraft.cluster.raft.journal;

import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of a {@link RaftJournalNode}. Build with {@link #builder}; validated in
 * {@link Builder#build()}.
 *
 * @param nodeId            this node's id (its Raft peer id)
 * @param peers             every journal node of the cluster, this one included (3 by default)
 * @param partitions        partition names in id order ({@code system, tx, data-0, ...})
 * @param namespace         cluster namespace (part of every Raft group id)
 * @param directory         data directory: {@code journal/} (vecraft journal) and {@code raft/} (Ratis)
 * @param durability        {@link Durability#SYNC}: Ratis forces its log before an entry counts
 *                          towards the majority; {@link Durability#ASYNC}: it does not ("unsafe
 *                          flush"), an acknowledged entry is then in the page cache of a majority
 * @param electionTimeout   minimum Raft election timeout (the maximum is twice it)
 * @param snapshotEvery     Raft entries between snapshots (then the Raft log is purged)
 * @param maxEntryBytes     largest journal payload (and Raft entry) accepted
 * @param maxBatchEntries   most journal entries per Raft entry
 * @param maxBatchBytes     payload bytes per Raft entry before the batch is cut
 * @param maxInFlight       proposals pipelined per partition
 * @param maxQueued         appends queued per partition before {@code CapacityException}
 * @param appendTimeout     longest wait of an append for its commit on the leader
 * @param segmentBytes      Raft log segment size (segments wholly below a snapshot are purged)
 */
public record JournalNodeConfig(String nodeId, List<Peer> peers, List<String> partitions, String namespace,
                                Path directory, Durability durability, Duration electionTimeout, long snapshotEvery,
                                int maxEntryBytes, int maxBatchEntries, long maxBatchBytes, int maxInFlight,
                                int maxQueued, Duration appendTimeout, long segmentBytes) {
    /** Default minimum election timeout (Ratis' default; lower was unstable on 2 cores). */
    public static final Duration DEFAULT_ELECTION_TIMEOUT = Duration.ofMillis(150);
    /** Default Raft entries between snapshots. */
    public static final long DEFAULT_SNAPSHOT_EVERY = 100_000;
    /** Default largest journal payload: 16 MiB. */
    public static final int DEFAULT_MAX_ENTRY_BYTES = 16 << 20;
    /** Default journal entries per Raft entry. */
    public static final int DEFAULT_MAX_BATCH_ENTRIES = 512;
    /** Default payload bytes per Raft entry. */
    public static final long DEFAULT_MAX_BATCH_BYTES = 4L << 20;
    /** Default pipelined proposals per partition. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 32;
    /** Default queued appends per partition. */
    public static final int DEFAULT_MAX_QUEUED = 16_384;
    /** Default wait of an append for its commit. */
    public static final Duration DEFAULT_APPEND_TIMEOUT = Duration.ofMillis(2_500);
    /** Default Raft log segment size (Ratis' default). */
    public static final long DEFAULT_SEGMENT_BYTES = 32L << 20;

    /**
     * A journal node.
     *
     * @param id   node id
     * @param raft {@code host:port} of its Ratis server
     * @param grpc {@code host:port} of its gRPC transport
     */
    public record Peer(String id, String raft, String grpc) {
    }

    /** Copies the lists. */
    public JournalNodeConfig {
        peers = List.copyOf(peers);
        partitions = List.copyOf(partitions);
    }

    /**
     * @param nodeId    this node's id
     * @param directory its data directory
     * @return a builder with the defaults
     */
    public static Builder builder(String nodeId, Path directory) {
        return new Builder(nodeId, directory);
    }

    /** @return this node's peer entry */
    public Peer self() {
        return peers.stream().filter(p -> p.id().equals(nodeId)).findFirst().orElseThrow();
    }

    /** Builder of {@link JournalNodeConfig}. Not thread-safe. */
    public static final class Builder {
        private final String nodeId;
        private final Path directory;
        private final List<Peer> peers = new ArrayList<>();
        private List<String> partitions = List.of("system", "tx", "data-0", "data-1");
        private String namespace = "/vecraft";
        private Durability durability = Durability.SYNC;
        private Duration electionTimeout = DEFAULT_ELECTION_TIMEOUT;
        private long snapshotEvery = DEFAULT_SNAPSHOT_EVERY;
        private int maxEntryBytes = DEFAULT_MAX_ENTRY_BYTES;
        private int maxBatchEntries = DEFAULT_MAX_BATCH_ENTRIES;
        private long maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private int maxQueued = DEFAULT_MAX_QUEUED;
        private Duration appendTimeout = DEFAULT_APPEND_TIMEOUT;
        private long segmentBytes = DEFAULT_SEGMENT_BYTES;

        private Builder(String nodeId, Path directory) {
            this.nodeId = nodeId;
            this.directory = directory;
        }

        /**
         * @param id   node id
         * @param raft its Ratis {@code host:port}
         * @param grpc its gRPC {@code host:port}
         * @return this
         */
        public Builder withPeer(String id, String raft, String grpc) {
            peers.add(new Peer(id, raft, grpc));
            return this;
        }

        /** @param names partition names in id order @return this */
        public Builder withPartitions(List<String> names) {
            this.partitions = List.copyOf(names);
            return this;
        }

        /** @param ns cluster namespace @return this */
        public Builder withNamespace(String ns) {
            this.namespace = ns;
            return this;
        }

        /** @param d SYNC or ASYNC @return this */
        public Builder withDurability(Durability d) {
            this.durability = d;
            return this;
        }

        /** @param t minimum election timeout, 100 ms to 60 s @return this */
        public Builder withElectionTimeout(Duration t) {
            this.electionTimeout = t;
            return this;
        }

        /** @param n Raft entries between snapshots, at least 16 @return this */
        public Builder withSnapshotEvery(long n) {
            this.snapshotEvery = n;
            return this;
        }

        /** @param n entries per Raft entry @return this */
        public Builder withMaxBatchEntries(int n) {
            this.maxBatchEntries = n;
            return this;
        }

        /** @param t longest wait of an append for its commit @return this */
        public Builder withAppendTimeout(Duration t) {
            this.appendTimeout = t;
            return this;
        }

        /** @param bytes Raft log segment size, 16 KiB to 1 GiB @return this */
        public Builder withSegmentBytes(long bytes) {
            this.segmentBytes = bytes;
            return this;
        }

        /** @param bytes largest payload, 1 KiB to 64 MiB @return this */
        public Builder withMaxEntryBytes(int bytes) {
            this.maxEntryBytes = bytes;
            return this;
        }

        /** @return the validated configuration */
        public JournalNodeConfig build() {
            if (nodeId == null || !nodeId.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,63}")) {
                throw new InvalidArgumentException("nodeId", "must match [A-Za-z0-9][A-Za-z0-9_-]{0,63}, was '" + nodeId + "'");
            }
            if (peers.stream().noneMatch(p -> p.id().equals(nodeId))) {
                throw new InvalidArgumentException("peers", "must include this node " + nodeId + ", were " + peers);
            }
            if (peers.stream().map(Peer::id).distinct().count() != peers.size()) {
                throw new InvalidArgumentException("peers", "ids must be unique, were " + peers);
            }
            if (partitions.size() < 3 || !partitions.get(0).equals("system") || !partitions.get(1).equals("tx")) {
                throw new InvalidArgumentException("partitions", "must be system, tx, then data partitions, were "
                        + partitions);
            }
            if (!(durability == Durability.SYNC || durability == Durability.ASYNC)) {
                throw new InvalidArgumentException("durability", "must be SYNC or ASYNC for a raft journal node, was "
                        + durability);
            }
            if (electionTimeout.toMillis() < 100 || electionTimeout.toMillis() > 60_000) {
                throw new InvalidArgumentException("electionTimeout", "must be 100 ms to 60 s, was " + electionTimeout
                        + " (below 100 ms elections were unstable on 2 cores)");
            }
            if (snapshotEvery < 16) {
                throw new InvalidArgumentException("snapshotEvery", "must be at least 16, was " + snapshotEvery);
            }
            if (maxEntryBytes < 1024 || maxEntryBytes > (64 << 20)) {
                throw new InvalidArgumentException("maxEntryBytes", "must be 1 KiB to 64 MiB, was " + maxEntryBytes);
            }
            if (maxBatchEntries < 1 || maxInFlight < 1 || maxQueued < 1) {
                throw new InvalidArgumentException("maxBatchEntries", "batch, in-flight and queue limits must be >= 1");
            }
            if (segmentBytes < (16 << 10) || segmentBytes > (1L << 30)) {
                throw new InvalidArgumentException("segmentBytes", "must be 16 KiB to 1 GiB, was " + segmentBytes);
            }
            return new JournalNodeConfig(nodeId, peers, partitions, namespace, directory, durability, electionTimeout,
                    snapshotEvery, maxEntryBytes, maxBatchEntries, maxBatchBytes, maxInFlight, maxQueued, appendTimeout,
                    segmentBytes);
        }
    }
}
