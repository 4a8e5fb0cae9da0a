package io.vecraft.journal;

import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Configuration of a {@link Journal}: immutable, built with {@link #builder(Path)} and validated
 * once in {@link Builder#build()}.
 *
 * <p>Thread-safe (immutable). The {@link HybridLogicalClock} it carries is shared by everything
 * opened with it.
 */
public final class JournalConfig {

    /** Default partitions: the system (DDL, metadata), transaction and first data partition. */
    public static final List<String> DEFAULT_PARTITIONS = List.of("system", "tx", "data-0");
    /** Largest number of partitions (the partition id is an unsigned 16-bit field on disk). */
    public static final int MAX_PARTITIONS = 1024;
    /** Partition names: 1..64 characters from {@code [a-z0-9._-]}, starting with a letter or digit. */
    public static final Pattern PARTITION_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    /** Default durability: acknowledge after fdatasync, with group commit. */
    public static final Durability DEFAULT_DURABILITY = Durability.SYNC;
    /** Default maximum payload: 16 MiB. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 16 << 20;
    /**
     * Hard upper limit of the payload maximum: 64 MiB. Chronicle Queue caps one excerpt at a
     * quarter of its mapped block; the journal sizes the block for the configured maximum
     * (see FORMAT.md), and 64 MiB keeps blocks at 512 MiB of address space.
     */
    public static final int MAX_PAYLOAD_BYTES = 64 << 20;
    /** Largest request id, in UTF-8 bytes. */
    public static final int MAX_REQUEST_ID_BYTES = 128;
    /** Default minimum spacing of heartbeat ticks (and heartbeat period): 100 ms. */
    public static final Duration DEFAULT_TICK_INTERVAL = Duration.ofMillis(100);
    /** Smallest accepted tick interval. */
    public static final Duration MIN_TICK_INTERVAL = Duration.ofMillis(1);
    /** Largest accepted tick interval. */
    public static final Duration MAX_TICK_INTERVAL = Duration.ofHours(1);
    /** Default roll cycle: one file per hour. */
    public static final JournalRollCycle DEFAULT_ROLL_CYCLE = JournalRollCycle.HOURLY;

    private final Path directory;
    private final List<String> partitions;
    private final Durability durability;
    private final int maxPayloadBytes;
    private final Duration tickInterval;
    private final JournalRollCycle rollCycle;
    private final boolean readOnly;
    private final HybridLogicalClock clock;
    private final FileForcer forcer;
    /** Null: the default for the durability mode (see {@link #zeroFillAhead()}). */
    private final Boolean zeroFillAhead;

    private JournalConfig(Builder b) {
        this.directory = b.directory;
        this.partitions = List.copyOf(b.partitions);
        this.durability = b.durability;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.tickInterval = b.tickInterval;
        this.rollCycle = b.rollCycle;
        this.readOnly = b.readOnly;
        this.clock = b.clock;
        this.forcer = b.forcer;
        this.zeroFillAhead = b.zeroFillAhead;
    }

    /**
     * @param directory the journal directory (created if absent unless read-only); one
     *                  sub-directory per partition
     * @return a builder with every other setting at its default
     */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /** @return a builder initialised with this configuration */
    public Builder toBuilder() {
        Builder b = new Builder(directory);
        b.partitions = new ArrayList<>(partitions);
        b.durability = durability;
        b.maxPayloadBytes = maxPayloadBytes;
        b.tickInterval = tickInterval;
        b.rollCycle = rollCycle;
        b.readOnly = readOnly;
        b.clock = clock;
        b.forcer = forcer;
        b.zeroFillAhead = zeroFillAhead;
        return b;
    }

    /** @return the journal directory */
    public Path directory() {
        return directory;
    }

    /** @return partition names; a partition's id is its index in this list */
    public List<String> partitions() {
        return partitions;
    }

    /** @return when an append is acknowledged relative to the disk */
    public Durability durability() {
        return durability;
    }

    /** @return the largest accepted payload, in bytes */
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** @return minimum spacing of heartbeat ticks on a partition, and the heartbeat period */
    public Duration tickInterval() {
        return tickInterval;
    }

    /** @return how often a partition starts a new file */
    public JournalRollCycle rollCycle() {
        return rollCycle;
    }

    /** @return true for an inspection-only open: no lock, no recovery writes, appends throw */
    public boolean readOnly() {
        return readOnly;
    }

    /** @return the clock stamping every entry */
    public HybridLogicalClock clock() {
        return clock;
    }

    FileForcer forcer() {
        return forcer;
    }

    /**
     * @return true if partitions reserve the space of the next appends ahead of the writer
     *         (see {@link Builder#withZeroFillAhead(boolean)}): as set, else true for SYNC and
     *         BATCH and false for ASYNC
     */
    public boolean zeroFillAhead() {
        return zeroFillAhead != null ? zeroFillAhead : !(durability instanceof Durability.Async);
    }

    @Override
    public String toString() {
        return "JournalConfig{directory=" + directory + ", partitions=" + partitions + ", durability=" + durability
                + ", maxPayloadBytes=" + maxPayloadBytes + ", tickInterval=" + tickInterval + ", rollCycle="
                + rollCycle + ", readOnly=" + readOnly + ", zeroFillAhead=" + zeroFillAhead() + "}";
    }

    /** Forces a file channel; replaced by tests to inject fsync failures. */
    @FunctionalInterface
    interface FileForcer {
        /** The production forcer: {@code FileChannel.force(false)} (fdatasync). */
        FileForcer FDATASYNC = channel -> channel.force(false);

        void force(FileChannel channel) throws IOException;
    }

    /**
     * Builder of {@link JournalConfig}. Not thread-safe.
     */
    public static final class Builder {
        private final Path directory;
        private List<String> partitions = new ArrayList<>(DEFAULT_PARTITIONS);
        private Durability durability = DEFAULT_DURABILITY;
        private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
        private Duration tickInterval = DEFAULT_TICK_INTERVAL;
        private JournalRollCycle rollCycle = DEFAULT_ROLL_CYCLE;
        private boolean readOnly;
        private HybridLogicalClock clock;
        private FileForcer forcer = FileForcer.FDATASYNC;
        private Boolean zeroFillAhead;

        private Builder(Path directory) {
            this.directory = directory;
        }

        /**
         * @param names partition names in id order, 1..{@value #MAX_PARTITIONS}, unique, matching
         *              {@link #PARTITION_NAME}; reopening must keep existing names in order
         *              (new names may be appended)
         * @return this
         */
        public Builder withPartitions(List<String> names) {
            this.partitions = names == null ? null : new ArrayList<>(names);
            return this;
        }

        /**
         * @param names partition names in id order
         * @return this
         */
        public Builder withPartitions(String... names) {
            return withPartitions(names == null ? null : List.of(names));
        }

        /**
         * @param durability SYNC, BATCH(interval) or ASYNC
         * @return this
         */
        public Builder withDurability(Durability durability) {
            this.durability = durability;
            return this;
        }

        /**
         * @param bytes the largest accepted payload, 0..{@value #MAX_PAYLOAD_BYTES}
         * @return this
         */
        public Builder withMaxPayloadBytes(int bytes) {
            this.maxPayloadBytes = bytes;
            return this;
        }

        /**
         * @param interval minimum spacing of ticks and heartbeat period,
         *                 {@link #MIN_TICK_INTERVAL}..{@link #MAX_TICK_INTERVAL}
         * @return this
         */
        public Builder withTickInterval(Duration interval) {
            this.tickInterval = interval;
            return this;
        }

        /**
         * @param rollCycle how often a partition starts a new file
         * @return this
         */
        public Builder withRollCycle(JournalRollCycle rollCycle) {
            this.rollCycle = rollCycle;
            return this;
        }

        /**
         * @param readOnly true to open for inspection: no lock is taken (works while another
         *                 process has the journal open), nothing is written (a torn tail is only
         *                 reported), appends and retention throw
         * @return this
         */
        public Builder withReadOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /**
         * @param clock the clock to stamp entries with (share one clock between journals that
         *              must be ordered together)
         * @return this
         */
        public Builder withClock(HybridLogicalClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Uses a new {@link HybridLogicalClock} over the given wall clock (tests step it by hand).
         *
         * @param wallClockMillis ms since the epoch
         * @return this
         */
        public Builder withWallClock(LongSupplier wallClockMillis) {
            this.clock = new HybridLogicalClock(Objects.requireNonNull(wallClockMillis, "wallClockMillis"),
                    HybridLogicalClock.DEFAULT_MAX_SKEW);
            return this;
        }

        /**
         * Reserve the space of the next appends in the cycle file ahead of the writer. Default: on
         * in SYNC and BATCH mode, off in ASYNC mode. The partition keeps 512 KiB-1.5 MiB past what
         * the next append may touch allocated, by ordinary writes (zeros past the data; the bytes
         * just after the last entry, where Chronicle may have started an index array, are read and
         * written back unchanged). Chronicle writes through a mapping of a sparse file, and on a
         * full disk a store into an unallocated page raises SIGBUS, which the JVM may deliver as an
         * {@code InternalError} only after the append returned, leaving a garbage entry behind an
         * acknowledgement. With the reservation a full disk fails the reservation's ordinary
         * write instead, before anything of the entry is written ({@code VecraftIOException}, and
         * the partition refuses appends until reopen). Not covered: the first entry written to a
         * cycle file by this process (after open, and of each new file), which is written before
         * the space after it can be reserved. It also makes SYNC faster: forces then write data
         * pages instead of also allocating blocks (BENCHMARKS.md, "Journal": 1,000-entry batches
         * about 2.8 x). In ASYNC mode it costs throughput (about a quarter for one writer of 1 KiB
         * entries, measured), so there it is off unless turned on here; an ASYNC partition on a
         * full disk can then acknowledge an entry that reads back as garbage (vecraft-journal
         * {@code FORMAT.md}). The on-disk format is the same either way.
         *
         * @param on whether to reserve space ahead, in every durability mode
         * @return this
         */
        public Builder withZeroFillAhead(boolean on) {
            this.zeroFillAhead = on;
            return this;
        }

        /** Test hook: replaces fdatasync, e.g. to inject failures. */
        Builder withForcer(FileForcer forcer) {
            this.forcer = Objects.requireNonNull(forcer, "forcer");
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the configuration
         * @throws InvalidArgumentException naming the first invalid field and its limit
         */
        public JournalConfig build() {
            if (directory == null) {
                throw new InvalidArgumentException("directory", "is required");
            }
            if (partitions == null || partitions.isEmpty() || partitions.size() > MAX_PARTITIONS) {
                throw new InvalidArgumentException("partitions", "must name 1.." + MAX_PARTITIONS
                        + " partitions, was " + (partitions == null ? "null" : partitions.size()));
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < partitions.size(); i++) {
                String name = partitions.get(i);
                if (name == null || !PARTITION_NAME.matcher(name).matches()) {
                    throw new InvalidArgumentException("partitions[" + i + "]",
                            "must match " + PARTITION_NAME.pattern() + ", was " + name);
                }
                if (!seen.add(name)) {
                    throw new InvalidArgumentException("partitions[" + i + "]", "duplicate name " + name);
                }
            }
            if (durability == null) {
                throw new InvalidArgumentException("durability", "is required");
            }
            if (maxPayloadBytes < 0 || maxPayloadBytes > MAX_PAYLOAD_BYTES) {
                throw new InvalidArgumentException("maxPayloadBytes",
                        "must be between 0 and " + MAX_PAYLOAD_BYTES + ", was " + maxPayloadBytes);
            }
            if (tickInterval == null || tickInterval.compareTo(MIN_TICK_INTERVAL) < 0
                    || tickInterval.compareTo(MAX_TICK_INTERVAL) > 0) {
                throw new InvalidArgumentException("tickInterval",
                        "must be between " + MIN_TICK_INTERVAL + " and " + MAX_TICK_INTERVAL + ", was " + tickInterval);
            }
            if (rollCycle == null) {
                throw new InvalidArgumentException("rollCycle", "is required");
            }
            if (clock == null) {
                clock = new HybridLogicalClock();
            }
            return new JournalConfig(this);
        }
    }
}
