package io.vecraft.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How fresh a read must be. Every read runs at one snapshot time T (an HLC); the consistency
 * level chooses T and whether the read waits for the shards to catch up to it. Waits are bounded
 * by the database's wait timeout and fail with {@link VecraftTimeoutException}.
 *
 * <ul>
 *   <li>{@link #EVENTUAL}: T = the shards' current safe time; never waits.</li>
 *   <li>{@link #bounded(Duration) BOUNDED(d)}: waits until every involved shard's safe time is at
 *       least {@code now - d}; reads at that safe time.</li>
 *   <li>{@link #readYourWrites(Session) READ_YOUR_WRITES(s)}: T is at least the HLC of the
 *       session's last write; waits only for that.</li>
 *   <li>{@link #STRONG}: T = now; waits until every involved shard has applied every entry up
 *       to T, so the read sees every write acknowledged before it started.</li>
 * </ul>
 *
 * <p>Values are immutable and thread-safe.
 */
public sealed interface Consistency {

    /** Read at the current safe time without waiting. */
    Consistency EVENTUAL = new Eventual();

    /** Read at "now", waiting until every earlier write is applied. */
    Consistency STRONG = new Strong();

    /**
     * @param maxStaleness how far behind "now" the snapshot may be, 0 to 1 day
     * @return bounded-staleness consistency
     */
    static Consistency bounded(Duration maxStaleness) {
        return new Bounded(maxStaleness);
    }

    /**
     * @param session the session whose writes must be visible
     * @return read-your-writes consistency
     */
    static Consistency readYourWrites(Session session) {
        return new ReadYourWrites(session);
    }

    /** See {@link Consistency#EVENTUAL}. */
    record Eventual() implements Consistency {
        @Override
        public String toString() {
            return "EVENTUAL";
        }
    }

    /** See {@link Consistency#STRONG}. */
    record Strong() implements Consistency {
        @Override
        public String toString() {
            return "STRONG";
        }
    }

    /**
     * See {@link Consistency#bounded(Duration)}.
     *
     * @param maxStaleness how far behind "now" the snapshot may be
     */
    record Bounded(Duration maxStaleness) implements Consistency {
        /** Largest accepted staleness. */
        public static final Duration MAX_STALENESS = Duration.ofDays(1);

        /** Validates. */
        public Bounded {
            if (maxStaleness == null || maxStaleness.isNegative() || maxStaleness.compareTo(MAX_STALENESS) > 0) {
                throw new InvalidArgumentException("consistency.maxStaleness",
                        "must be between 0 and " + MAX_STALENESS + ", was " + maxStaleness);
            }
        }

        @Override
        public String toString() {
            return "BOUNDED(" + maxStaleness.toMillis() + "ms)";
        }
    }

    /**
     * See {@link Consistency#readYourWrites(Session)}.
     *
     * @param session the session
     */
    record ReadYourWrites(Session session) implements Consistency {
        /** Validates. */
        public ReadYourWrites {
            Objects.requireNonNull(session, "session");
        }

        @Override
        public String toString() {
            return "READ_YOUR_WRITES(" + session + ")";
        }
    }
}
