package io.vecraft.api;

import java.time.Duration;
import java.util.Objects;

/**
 * When an acknowledged write is on stable storage.
 *
 * <table>
 *   <caption>What each mode promises</caption>
 *   <tr><th>mode</th><th>after a process crash</th><th>after a power loss / kernel crash</th></tr>
 *   <tr><td>{@link #SYNC}</td><td>every acknowledged write survives</td>
 *       <td>every acknowledged write survives (acknowledged only after fdatasync; concurrent
 *       writers share one sync: group commit)</td></tr>
 *   <tr><td>{@link #batch(Duration) BATCH(d)}</td><td>every acknowledged write survives (it is in
 *       the OS page cache)</td><td>writes acknowledged in the last {@code d} (plus one sync
 *       duration) may be lost; nothing corrupt is ever served</td></tr>
 *   <tr><td>{@link #ASYNC}</td><td>every acknowledged write survives</td>
 *       <td>any write not yet written back by the OS may be lost; nothing corrupt is ever
 *       served</td></tr>
 * </table>
 *
 * <p>Values are immutable and thread-safe.
 */
public sealed interface Durability {

    /** Acknowledge after the entry is forced to disk; concurrent writers share one force. */
    Durability SYNC = new Sync();

    /** Acknowledge once the entry is in the OS page cache; never force. */
    Durability ASYNC = new Async();

    /**
     * Acknowledge once the entry is in the OS page cache; force at least every {@code interval}.
     *
     * @param interval the maximum time between forces, 1 ms to 1 h
     * @return the mode
     * @throws InvalidArgumentException if the interval is out of range
     */
    static Durability batch(Duration interval) {
        return new Batch(interval);
    }

    /** Force before acknowledging. See {@link Durability#SYNC}. */
    record Sync() implements Durability {
        @Override
        public String toString() {
            return "SYNC";
        }
    }

    /** Never force. See {@link Durability#ASYNC}. */
    record Async() implements Durability {
        @Override
        public String toString() {
            return "ASYNC";
        }
    }

    /**
     * Force at least every {@code interval}. See {@link Durability#batch(Duration)}.
     *
     * @param interval the maximum time between forces
     */
    record Batch(Duration interval) implements Durability {
        /** Smallest accepted interval. */
        public static final Duration MIN_INTERVAL = Duration.ofMillis(1);
        /** Largest accepted interval. */
        public static final Duration MAX_INTERVAL = Duration.ofHours(1);

        /** Validates the interval. */
        public Batch {
            Objects.requireNonNull(interval, "interval");
            if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
                throw new InvalidArgumentException("durability.interval",
                        "must be between " + MIN_INTERVAL + " and " + MAX_INTERVAL + ", was " + interval);
            }
        }

        @Override
        public String toString() {
            return "BATCH(" + interval.toMillis() + "ms)";
        }
    }
}
