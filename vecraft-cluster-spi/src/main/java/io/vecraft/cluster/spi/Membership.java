package io.vecraft.cluster.spi;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Who is in the cluster and alive, and who leads each journal partition (seed:
 * Fail-over-Manager). Liveness comes from heartbeats; leaders from the provider's election.
 *
 * <p>Thread-safe.
 */
public interface Membership {

    /** @return every known node */
    List<NodeInfo> nodes();

    /**
     * @param nodeId a node id
     * @return true if the node is currently considered alive
     */
    boolean isAlive(String nodeId);

    /**
     * @param partition journal partition name
     * @return the node currently leading it, if any
     */
    Optional<String> leader(String partition);

    /**
     * @param listener receives node up/down and leader changes, on a provider thread
     * @return a handle; closing it unregisters the listener
     */
    AutoCloseable onChange(Consumer<MembershipEvent> listener);

    /**
     * A node.
     *
     * @param id      node id
     * @param address transport address
     * @param role    "journal", "storage", "metadata" or a combination
     * @param alive   whether it is currently alive
     */
    record NodeInfo(String id, String address, String role, boolean alive) {
    }

    /**
     * A membership change.
     *
     * @param type      what changed
     * @param nodeId    the node concerned
     * @param partition the partition (leader changes), else empty
     * @param term      election term (leader changes), else 0
     */
    record MembershipEvent(Type type, String nodeId, String partition, long term) {
        /** Kind of change. */
        public enum Type {
            /** A node became alive. */
            NODE_UP,
            /** A node stopped heartbeating or was stopped. */
            NODE_DOWN,
            /** A partition got a new leader. */
            LEADER_CHANGED
        }
    }
}
