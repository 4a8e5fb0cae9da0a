package io.vecraft.api;

import java.time.Duration;
import java.util.List;

/**
 * The health of an open database, for liveness and readiness probes, returned by
 * {@link Vecraft#health()}.
 *
 * <ul>
 *   <li><b>live</b>: the database can keep working without a reopen (restart). False once it is
 *       closed, or when a journal partition or a shard applier has failed (fsync error, full disk,
 *       damaged data): those refuse writes (or stop applying) until the database is reopened.</li>
 *   <li><b>ready</b>: live, and every shard has applied the journal to within
 *       {@link VecraftConfig#readyLagThreshold()} of now (not replaying a backlog).</li>
 *   <li><b>status</b>: {@link Status#UP} when ready, {@link Status#DEGRADED} when live but not ready
 *       (lagging), {@link Status#DOWN} when not live.</li>
 * </ul>
 *
 * @param status  overall status
 * @param live    see above
 * @param ready   see above
 * @param reasons why the status is not UP, one human-readable sentence each; empty when UP
 * @param shards  per shard: safe time and lag, in collection then shard order
 */
public record Health(Status status, boolean live, boolean ready, List<String> reasons, List<ShardHealth> shards) {

    /** Overall status. */
    public enum Status {
        /** Live and ready. */
        UP,
        /** Live but not ready: some shard lags behind the journal by more than the threshold. */
        DEGRADED,
        /** Not live: closed, or a journal partition or applier failed; reopen the database. */
        DOWN
    }

    /** Copies the lists (unmodifiable) and checks consistency. */
    public Health {
        if (status == null) {
            throw new InvalidArgumentException("status", "must not be null");
        }
        reasons = List.copyOf(reasons);
        shards = List.copyOf(shards);
        if (ready && !live) {
            throw new InvalidArgumentException("ready", "a database that is not live cannot be ready");
        }
        Status expected = !live ? Status.DOWN : ready ? Status.UP : Status.DEGRADED;
        if (status != expected) {
            throw new InvalidArgumentException("status", "must be " + expected + " for live=" + live
                    + ", ready=" + ready + ", was " + status);
        }
    }

    /**
     * One shard's view.
     *
     * @param name       e.g. {@code docs/0}
     * @param safeTime   HLC up to which the shard has applied every journal entry for it
     * @param lag        how far its safe time is behind the database clock now (zero if ahead)
     * @param failed     true if its applier stopped after an error
     */
    public record ShardHealth(String name, long safeTime, Duration lag, boolean failed) {
        /** Validates. */
        public ShardHealth {
            if (name == null || lag == null || lag.isNegative()) {
                throw new InvalidArgumentException("shard", "name and a non-negative lag are required");
            }
        }
    }
}
