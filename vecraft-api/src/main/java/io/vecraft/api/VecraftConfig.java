package io.vecraft.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Configuration of a database. A directory alone is a complete configuration; everything else
 * has a documented default. Immutable; built with {@link Vecraft#builder(Path)}.
 *
 * @param directory          data directory (created if absent); holds the journal, shards and checkpoints
 * @param durability         journal durability, default {@link Durability#SYNC}
 * @param ackLevel           default acknowledgement level of writes, default {@link AckLevel#APPLIED}
 * @param defaultConsistency default read consistency, default {@link Consistency#EVENTUAL}
 * @param dataPartitions     number of data journal partitions, default {@value #DEFAULT_DATA_PARTITIONS}
 * @param defaultShards      shards of a collection whose spec does not say, default {@value #DEFAULT_SHARDS}
 * @param checkpointInterval time between periodic shard checkpoints, default 5 minutes; a
 *                           checkpoint is also taken on close
 * @param versionRetention   how long superseded versions stay readable by as-of reads and history, default 1 hour
 * @param waitTimeout        longest a read or write waits for consistency or acknowledgement, default 30 s
 * @param tickInterval       how often idle journal partitions may publish heartbeat ticks, default 50 ms
 * @param maxEntryBytes      largest journal entry (one write or transaction), default 64 MiB
 * @param cluster            run as a cluster through this provider; empty (the default) for embedded
 * @param readyLagThreshold  {@link Vecraft#health()} reports not ready while a shard's safe time lags
 *                           the clock by more than this, default 10 s
 * @param compactionInterval time between background compaction runs, default 10 minutes; {@link Duration#ZERO}
 *                           turns the background compactor off ({@link Vecraft#compact()} still works)
 * @param compactionThreshold fraction of a shard's version slots that must be reclaimable (free after purge)
 *                           before the compactor rewrites it (packs slots, compacts the payload log, rebuilds the
 *                           HNSW), default {@value #DEFAULT_COMPACTION_THRESHOLD}; 0 to 1
 * @param journalRetention   journal lineage retention: cycle files whose entries every checkpoint has applied are
 *                           deleted only once they are older than this, default 7 days (audit log, history and
 *                           point-in-time restore from snapshots reach back this far)
 */
public record VecraftConfig(Path directory, Durability durability, AckLevel ackLevel, Consistency defaultConsistency,
                            int dataPartitions, int defaultShards, Duration checkpointInterval,
                            Duration versionRetention, Duration waitTimeout, Duration tickInterval,
                            int maxEntryBytes, Optional<ClusterConfig> cluster, Duration readyLagThreshold,
                            Duration compactionInterval, double compactionThreshold, Duration journalRetention) {

    /** Default number of data partitions. */
    public static final int DEFAULT_DATA_PARTITIONS = 2;
    /** Most data partitions. */
    public static final int MAX_DATA_PARTITIONS = 64;
    /** Default shards per collection. */
    public static final int DEFAULT_SHARDS = 2;
    /** Default checkpoint interval. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofMinutes(5);
    /** Default version retention. */
    public static final Duration DEFAULT_VERSION_RETENTION = Duration.ofHours(1);
    /** Default wait timeout. */
    public static final Duration DEFAULT_WAIT_TIMEOUT = Duration.ofSeconds(30);
    /** Default tick interval. */
    public static final Duration DEFAULT_TICK_INTERVAL = Duration.ofMillis(50);
    /** Default largest journal entry. */
    public static final int DEFAULT_MAX_ENTRY_BYTES = 64 * 1024 * 1024;
    /** Default lag above which {@link Vecraft#health()} reports not ready. */
    public static final Duration DEFAULT_READY_LAG_THRESHOLD = Duration.ofSeconds(10);
    /** Largest ready-lag threshold. */
    public static final Duration MAX_READY_LAG_THRESHOLD = Duration.ofHours(24);
    /** Default time between background compaction runs. */
    public static final Duration DEFAULT_COMPACTION_INTERVAL = Duration.ofMinutes(10);
    /** Default reclaimable fraction that triggers a shard rewrite. */
    public static final double DEFAULT_COMPACTION_THRESHOLD = 0.3;
    /** Default journal lineage retention. */
    public static final Duration DEFAULT_JOURNAL_RETENTION = Duration.ofDays(7);
    /** Hard limit of the largest journal entry (the journal's own payload limit). */
    public static final int MAX_ENTRY_BYTES = 64 * 1024 * 1024;

    /** Validates. */
    public VecraftConfig {
        if (directory == null) {
            throw new InvalidArgumentException("directory", "must not be null");
        }
        if (durability == null) {
            throw new InvalidArgumentException("durability", "must be SYNC, BATCH(interval) or ASYNC");
        }
        if (ackLevel == null) {
            throw new InvalidArgumentException("ackLevel", "must be APPLIED or DURABLE");
        }
        if (defaultConsistency == null) {
            throw new InvalidArgumentException("defaultConsistency", "must not be null");
        }
        if (defaultConsistency instanceof Consistency.ReadYourWrites) {
            throw new InvalidArgumentException("defaultConsistency", "READ_YOUR_WRITES needs a session; set it per read");
        }
        if (dataPartitions < 1 || dataPartitions > MAX_DATA_PARTITIONS) {
            throw new InvalidArgumentException("dataPartitions",
                    "must be 1 to " + MAX_DATA_PARTITIONS + ", was " + dataPartitions);
        }
        if (defaultShards < 1 || defaultShards > CollectionSpec.MAX_SHARDS) {
            throw new InvalidArgumentException("defaultShards",
                    "must be 1 to " + CollectionSpec.MAX_SHARDS + ", was " + defaultShards);
        }
        checkDuration("checkpointInterval", checkpointInterval, Duration.ofMillis(10), Duration.ofDays(7));
        checkDuration("versionRetention", versionRetention, Duration.ZERO, Duration.ofDays(3650));
        checkDuration("waitTimeout", waitTimeout, Duration.ofMillis(1), Duration.ofHours(1));
        checkDuration("tickInterval", tickInterval, Duration.ofMillis(1), Duration.ofSeconds(10));
        checkDuration("readyLagThreshold", readyLagThreshold, Duration.ofMillis(1), MAX_READY_LAG_THRESHOLD);
        if (cluster == null) {
            throw new InvalidArgumentException("cluster", "must not be null (use Optional.empty() for embedded)");
        }
        if (!compactionIntervalOk(compactionInterval)) {
            throw new InvalidArgumentException("compactionInterval", "must be 0 (off) or between PT1S and P7D, was "
                    + compactionInterval);
        }
        if (!(compactionThreshold >= 0 && compactionThreshold <= 1)) {
            throw new InvalidArgumentException("compactionThreshold", "must be 0 to 1, was " + compactionThreshold);
        }
        checkDuration("journalRetention", journalRetention, Duration.ZERO, Duration.ofDays(36500));
        if (maxEntryBytes < 1024 || maxEntryBytes > MAX_ENTRY_BYTES) {
            throw new InvalidArgumentException("maxEntryBytes",
                    "must be 1024 to " + MAX_ENTRY_BYTES + ", was " + maxEntryBytes);
        }
    }

    private static boolean compactionIntervalOk(Duration d) {
        return d != null && (d.isZero() || (d.compareTo(Duration.ofSeconds(1)) >= 0 && d.compareTo(Duration.ofDays(7)) <= 0));
    }

    private static void checkDuration(String field, Duration d, Duration min, Duration max) {
        if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new InvalidArgumentException(field, "must be between " + min + " and " + max + ", was " + d);
        }
    }

    /**
     * @param directory data directory
     * @return a builder with every default set
     */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /** Fluent builder of {@link VecraftConfig}. Not thread-safe. */
    public static final class Builder {
        private final Path directory;
        private Durability durability = Durability.SYNC;
        private AckLevel ackLevel = AckLevel.APPLIED;
        private Consistency defaultConsistency = Consistency.EVENTUAL;
        private int dataPartitions = DEFAULT_DATA_PARTITIONS;
        private int defaultShards = DEFAULT_SHARDS;
        private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
        private Duration versionRetention = DEFAULT_VERSION_RETENTION;
        private Duration waitTimeout = DEFAULT_WAIT_TIMEOUT;
        private Duration tickInterval = DEFAULT_TICK_INTERVAL;
        private int maxEntryBytes = DEFAULT_MAX_ENTRY_BYTES;
        private ClusterConfig cluster;
        private Duration readyLagThreshold = DEFAULT_READY_LAG_THRESHOLD;
        private Duration compactionInterval = DEFAULT_COMPACTION_INTERVAL;
        private double compactionThreshold = DEFAULT_COMPACTION_THRESHOLD;
        private Duration journalRetention = DEFAULT_JOURNAL_RETENTION;

        private Builder(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
        }

        /**
         * @param durability journal durability
         * @return this builder
         */
        public Builder withDurability(Durability durability) {
            this.durability = durability;
            return this;
        }

        /**
         * @param ackLevel default acknowledgement level
         * @return this builder
         */
        public Builder withAckLevel(AckLevel ackLevel) {
            this.ackLevel = ackLevel;
            return this;
        }

        /**
         * @param consistency default read consistency (not READ_YOUR_WRITES)
         * @return this builder
         */
        public Builder withDefaultConsistency(Consistency consistency) {
            this.defaultConsistency = consistency;
            return this;
        }

        /**
         * @param partitions number of data journal partitions; fixed when the database is created
         * @return this builder
         */
        public Builder withDataPartitions(int partitions) {
            this.dataPartitions = partitions;
            return this;
        }

        /**
         * @param shards default shards per collection
         * @return this builder
         */
        public Builder withDefaultShards(int shards) {
            this.defaultShards = shards;
            return this;
        }

        /**
         * @param interval time between periodic checkpoints
         * @return this builder
         */
        public Builder withCheckpointInterval(Duration interval) {
            this.checkpointInterval = interval;
            return this;
        }

        /**
         * @param retention how long superseded versions stay readable
         * @return this builder
         */
        public Builder withVersionRetention(Duration retention) {
            this.versionRetention = retention;
            return this;
        }

        /**
         * @param timeout longest wait of a read or write
         * @return this builder
         */
        public Builder withWaitTimeout(Duration timeout) {
            this.waitTimeout = timeout;
            return this;
        }

        /**
         * @param interval heartbeat tick interval of idle partitions
         * @return this builder
         */
        public Builder withTickInterval(Duration interval) {
            this.tickInterval = interval;
            return this;
        }

        /**
         * @param bytes largest journal entry
         * @return this builder
         */
        public Builder withMaxEntryBytes(int bytes) {
            this.maxEntryBytes = bytes;
            return this;
        }

        /**
         * @param cluster run as a cluster through this provider instead of embedded
         * @return this builder
         */
        public Builder withCluster(ClusterConfig cluster) {
            if (cluster == null) {
                throw new InvalidArgumentException("cluster", "must not be null");
            }
            this.cluster = cluster;
            return this;
        }

        /**
         * @param threshold lag (safe time behind the clock) above which a shard makes the database not ready;
         *                  1 ms to 24 h
         * @return this builder
         */
        public Builder withReadyLagThreshold(Duration threshold) {
            this.readyLagThreshold = threshold;
            return this;
        }

        /**
         * @param interval time between background compaction runs; {@link Duration#ZERO} for none
         * @return this builder
         */
        public Builder withCompactionInterval(Duration interval) {
            this.compactionInterval = interval;
            return this;
        }

        /**
         * @param fraction reclaimable fraction of a shard's slots that triggers a rewrite, 0 to 1
         * @return this builder
         */
        public Builder withCompactionThreshold(double fraction) {
            this.compactionThreshold = fraction;
            return this;
        }

        /**
         * @param retention how long journal files are kept after every checkpoint covers them
         * @return this builder
         */
        public Builder withJournalRetention(Duration retention) {
            this.journalRetention = retention;
            return this;
        }

        /** @return the validated configuration */
        public VecraftConfig build() {
            return new VecraftConfig(directory, durability, ackLevel, defaultConsistency, dataPartitions,
                    defaultShards, checkpointInterval, versionRetention, waitTimeout, tickInterval, maxEntryBytes,
                    Optional.ofNullable(cluster), readyLagThreshold, compactionInterval, compactionThreshold,
                    journalRetention);
        }

        /** @return the database opened with this configuration; see {@link Vecraft#open(VecraftConfig)} */
        public Vecraft open() {
            return Vecraft.open(build());
        }
    }
}
