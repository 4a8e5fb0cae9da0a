package io.vecraft.core;

import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.cluster.spi.Membership;
import io.vecraft.cluster.spi.ReplicaHit;
import io.vecraft.cluster.spi.ReplicaQuery;
import io.vecraft.cluster.spi.ReplicaStatus;
import io.vecraft.cluster.spi.ShardId;
import io.vecraft.cluster.spi.ShardReplica;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import io.vecraft.storage.Include;
import io.vecraft.storage.ShardHit;
import io.vecraft.storage.ShardSearch;
import io.vecraft.storage.StoredVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

/**
 * A shard in cluster mode: the replicas the shard map assigns it (seed: Query-Processor over
 * Storage-Nodes). Reads go to one live replica whose safe time covers the snapshot, preferring
 * the most caught-up; if none does yet, the read asks the most caught-up live replica to catch
 * up and waits (pull-before-read), bounded by the deadline. A replica that fails or cannot be
 * reached is skipped and the read moves to the next. Write acknowledgements wait for every live
 * replica.
 *
 * <p>Thread-safe.
 */
final class RemoteShard implements ShardHandle {
    private final String name;
    private final ShardId id;
    private final List<ShardReplica> replicas;
    private final Membership membership;
    private final Duration callTimeout;
    private final RemoteJournalGateway gateway;
    /** Last safe time each replica reported (0 = unknown or unreachable). */
    private final AtomicLongArray safe;

    RemoteShard(String name, ShardId id, List<ShardReplica> replicas, Membership membership, Duration callTimeout,
                RemoteJournalGateway gateway) {
        this.name = name;
        this.id = id;
        this.replicas = List.copyOf(replicas);
        this.membership = membership;
        this.callTimeout = callTimeout;
        this.gateway = gateway;
        this.safe = new AtomicLongArray(replicas.size());
    }

    ShardId id() {
        return id;
    }

    List<ShardReplica> replicas() {
        return replicas;
    }

    @Override
    public String name() {
        return name;
    }

    private boolean alive(int i) {
        return membership.isAlive(replicas.get(i).node());
    }

    private void record(int i, ReplicaStatus s) {
        if (s.healthy()) {
            // What the replica says now, even if lower than before: a node restarted from an older
            // checkpoint is behind what it reported earlier and must not be picked on the old value.
            safe.set(i, s.safeHlc());
            gateway.observe(s.safeHlc());
        } else {
            safe.set(i, 0);
        }
    }

    @Override
    public long safeTime() {
        long best = 0;
        for (int i = 0; i < replicas.size(); i++) {
            if (alive(i)) {
                best = Math.max(best, safe.get(i));
            }
        }
        if (best == 0) {
            refreshStatuses();
            for (int i = 0; i < replicas.size(); i++) {
                if (alive(i)) {
                    best = Math.max(best, safe.get(i));
                }
            }
        }
        return best;
    }

    private void refreshStatuses() {
        for (int i = 0; i < replicas.size(); i++) {
            if (!alive(i)) {
                continue;
            }
            try {
                record(i, replicas.get(i).status(id));
            } catch (VecraftException e) {
                safe.set(i, 0);
            }
        }
    }

    @Override
    public void checkHealthy() {
        for (int i = 0; i < replicas.size(); i++) {
            if (alive(i)) {
                return;
            }
        }
        throw new VecraftException("shard " + name + ": none of its replicas " + nodes() + " is alive");
    }

    private List<String> nodes() {
        return replicas.stream().map(ShardReplica::node).toList();
    }

    @Override
    public void requestRefresh(long hlc) {
        // Remote replicas are asked to catch up by awaitSafeTime (pull-before-read).
    }

    /** Live replicas, most caught-up first. */
    private List<Integer> candidates() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            if (alive(i)) {
                order.add(i);
            }
        }
        order.sort(Comparator.comparingLong((Integer i) -> safe.get(i)).reversed());
        return order;
    }

    /**
     * Finds a live replica whose safe time is at least {@code hlc}, asking replicas to catch up
     * if none is known to be.
     *
     * @return the replica index
     */
    private int replicaAt(long hlc, long deadlineNanos, String what) {
        VecraftException last = null;
        while (true) {
            List<Integer> order = candidates();
            for (int i : order) {
                if (safe.get(i) >= hlc) {
                    return i;
                }
            }
            for (int i : order) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    ReplicaStatus s = replicas.get(i).awaitSafeTime(id, hlc,
                            Duration.ofNanos(Math.min(left, callTimeout.toNanos())));
                    record(i, s);
                    if (s.healthy() && s.safeHlc() >= hlc) {
                        return i;
                    }
                } catch (NodeUnavailableException | NotFoundException | VecraftTimeoutException e) {
                    safe.set(i, 0);
                    last = e;
                }
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                throw new VecraftTimeoutException(what + ": no live replica of shard " + name + " " + nodes()
                        + " reached safe time " + hlc + " in time"
                        + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
            }
            if (order.isEmpty()) {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
            }
        }
    }

    @Override
    public void awaitSafeTime(long hlc, long deadlineNanos, String what) {
        replicaAt(hlc, deadlineNanos, what);
    }

    @Override
    public void awaitApplied(long hlc, long deadlineNanos, String what) {
        for (int i = 0; i < replicas.size(); i++) {
            while (alive(i) && safe.get(i) < hlc) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    throw new VecraftTimeoutException(what + ": replica " + replicas.get(i).node() + " of shard " + name
                            + " did not apply up to " + hlc + " in time");
                }
                try {
                    record(i, replicas.get(i).awaitSafeTime(id, hlc, Duration.ofNanos(Math.min(left,
                            callTimeout.toNanos()))));
                } catch (NodeUnavailableException e) {
                    break; // a dead replica catches up from the journal when it returns
                } catch (NotFoundException e) {
                    // not hosting it yet (just created): keep waiting until the deadline
                    java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
                }
            }
        }
    }

    private interface ReplicaCall<T> {
        T call(ShardReplica r);
    }

    /** Runs a read on a replica covering {@code snapshot}, failing over on unreachable replicas. */
    private <T> T read(long snapshot, String what, ReplicaCall<T> call) {
        long deadline = System.nanoTime() + callTimeout.toNanos();
        while (true) {
            int i = replicaAt(snapshot, deadline, what);
            try {
                return call.call(replicas.get(i));
            } catch (NodeUnavailableException | NotFoundException e) {
                safe.set(i, 0);
                if (System.nanoTime() - deadline >= 0) {
                    throw e;
                }
            }
        }
    }

    @Override
    public List<ShardHit> search(ShardSearch s) {
        ReplicaQuery q = new ReplicaQuery(s.query(), s.k(), s.filter(), s.asOfHlc(), s.ef(), s.include().vector(),
                s.include().metadata(), s.include().document());
        List<ReplicaHit> hits = read(s.asOfHlc(), "search in " + name, r -> r.search(id, q));
        List<ShardHit> out = new ArrayList<>(hits.size());
        for (ReplicaHit h : hits) {
            out.add(new ShardHit(h.id(), h.distance(), h.versionHlc(), h.vector(), h.metadata(), h.document()));
        }
        return out;
    }

    @Override
    public Optional<StoredVersion> get(String recordId, long asOfHlc, Include include) {
        return read(asOfHlc, "get in " + name, r -> r.get(id, recordId, asOfHlc)).map(ReplicaHost::fromReplica);
    }

    @Override
    public long count(long asOfHlc) {
        return read(asOfHlc, "count in " + name, r -> r.count(id, asOfHlc));
    }

    @Override
    public List<StoredVersion> history(String recordId) {
        Function<ShardReplica, List<StoredVersion>> f = r -> r.history(id, recordId).stream()
                .map(ReplicaHost::fromReplica).toList();
        return read(0, "history in " + name, f::apply);
    }

    @Override
    public void checkpointNow(long deadlineNanos) {
        // Replicas checkpoint on their own schedule and on close.
    }

    @Override
    public void stop(boolean checkpoint) {
        // Nothing local to stop: the replicas belong to the storage nodes.
    }
}
