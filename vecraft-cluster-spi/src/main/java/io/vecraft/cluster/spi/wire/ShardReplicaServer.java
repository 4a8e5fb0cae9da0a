package io.vecraft.cluster.spi.wire;

import io.vecraft.api.InvalidArgumentException;
import io.vecraft.cluster.spi.ReplicaHit;
import io.vecraft.cluster.spi.ReplicaVersion;
import io.vecraft.cluster.spi.ShardId;
import io.vecraft.cluster.spi.ShardReplica;
import io.vecraft.cluster.spi.transport.MessageHandler;
import java.nio.BufferUnderflowException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Serves a node's local {@link ShardReplica} on a transport address with {@link WireFormat}.
 *
 * <p>Thread-safe if the replica is.
 */
public final class ShardReplicaServer implements MessageHandler {
    private final ShardReplica replica;

    /** @param replica the local replicas to expose */
    public ShardReplicaServer(ShardReplica replica) {
        this.replica = replica;
    }

    @Override
    public byte[] handle(byte[] request) {
        try {
            WireFormat.Envelope e = WireFormat.open(request);
            WireReader r = e.reader();
            WireWriter out = WireFormat.ok();
            ShardId shard = WireFormat.getShardId(r);
            switch (e.kind()) {
                case WireFormat.R_STATUS -> WireFormat.putReplicaStatus(out, replica.status(shard));
                case WireFormat.R_AWAIT -> {
                    long hlc = r.getLong();
                    WireFormat.putReplicaStatus(out, replica.awaitSafeTime(shard, hlc,
                            Duration.ofMillis(Math.max(0, r.getLong()))));
                }
                case WireFormat.R_SEARCH -> {
                    List<ReplicaHit> hits = replica.search(shard, WireFormat.getReplicaQuery(r));
                    out.putInt(hits.size());
                    for (ReplicaHit h : hits) {
                        WireFormat.putReplicaHit(out, h);
                    }
                }
                case WireFormat.R_GET -> {
                    Optional<ReplicaVersion> v = replica.get(shard, r.getShortString(), r.getLong());
                    out.putBoolean(v.isPresent());
                    v.ifPresent(x -> WireFormat.putReplicaVersion(out, x));
                }
                case WireFormat.R_COUNT -> out.putLong(replica.count(shard, r.getLong()));
                case WireFormat.R_HISTORY -> {
                    List<ReplicaVersion> versions = replica.history(shard, r.getShortString());
                    out.putInt(versions.size());
                    for (ReplicaVersion v : versions) {
                        WireFormat.putReplicaVersion(out, v);
                    }
                }
                default -> throw new InvalidArgumentException("wire.kind", "shard replica does not serve kind " + e.kind());
            }
            return out.toByteArray();
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return WireFormat.error(WireFormat.malformed("replica request", e));
        } catch (RuntimeException e) {
            return WireFormat.error(e);
        }
    }
}
