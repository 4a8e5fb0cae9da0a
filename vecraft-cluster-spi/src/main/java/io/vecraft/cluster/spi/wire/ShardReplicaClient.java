package io.vecraft.cluster.spi.wire;

import io.vecraft.cluster.spi.ReplicaHit;
import io.vecraft.cluster.spi.ReplicaQuery;
import io.vecraft.cluster.spi.ReplicaStatus;
import io.vecraft.cluster.spi.ReplicaVersion;
import io.vecraft.cluster.spi.ShardId;
import io.vecraft.cluster.spi.ShardReplica;
import io.vecraft.cluster.spi.transport.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link ShardReplica} of one storage node, reached over a {@link Connection} with
 * {@link WireFormat} messages. No retries: the caller (the query processor) fails over to
 * another replica.
 *
 * <p>Thread-safe.
 */
public final class ShardReplicaClient implements ShardReplica {
    private final String node;
    private final Connection connection;
    private final Duration timeout;

    /**
     * @param node       storage node id
     * @param connection connection to it
     * @param timeout    deadline of each call (awaits add their own wait)
     */
    public ShardReplicaClient(String node, Connection connection, Duration timeout) {
        this.node = node;
        this.connection = connection;
        this.timeout = timeout;
    }

    @Override
    public String node() {
        return node;
    }

    private WireReader call(WireWriter w, Duration t) {
        return WireFormat.response(connection.call(w.toByteArray(), t));
    }

    private static WireWriter request(int kind, ShardId shard) {
        WireWriter w = WireFormat.message(kind);
        WireFormat.putShardId(w, shard);
        return w;
    }

    @Override
    public ReplicaStatus status(ShardId shard) {
        return WireFormat.getReplicaStatus(call(request(WireFormat.R_STATUS, shard), timeout));
    }

    @Override
    public ReplicaStatus awaitSafeTime(ShardId shard, long hlc, Duration wait) {
        WireWriter w = request(WireFormat.R_AWAIT, shard);
        w.putLong(hlc);
        w.putLong(wait.toMillis());
        return WireFormat.getReplicaStatus(call(w, timeout.plus(wait)));
    }

    @Override
    public List<ReplicaHit> search(ShardId shard, ReplicaQuery query) {
        WireWriter w = request(WireFormat.R_SEARCH, shard);
        WireFormat.putReplicaQuery(w, query);
        WireReader r = call(w, timeout);
        int n = WireFormat.count(r);
        List<ReplicaHit> hits = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            hits.add(WireFormat.getReplicaHit(r));
        }
        return hits;
    }

    @Override
    public Optional<ReplicaVersion> get(ShardId shard, String id, long snapshotHlc) {
        WireWriter w = request(WireFormat.R_GET, shard);
        w.putShortString(id);
        w.putLong(snapshotHlc);
        WireReader r = call(w, timeout);
        return r.getBoolean() ? Optional.of(WireFormat.getReplicaVersion(r)) : Optional.empty();
    }

    @Override
    public long count(ShardId shard, long snapshotHlc) {
        WireWriter w = request(WireFormat.R_COUNT, shard);
        w.putLong(snapshotHlc);
        return call(w, timeout).getLong();
    }

    @Override
    public List<ReplicaVersion> history(ShardId shard, String id) {
        WireWriter w = request(WireFormat.R_HISTORY, shard);
        w.putShortString(id);
        WireReader r = call(w, timeout);
        int n = WireFormat.count(r);
        List<ReplicaVersion> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(WireFormat.getReplicaVersion(r));
        }
        return out;
    }
}
