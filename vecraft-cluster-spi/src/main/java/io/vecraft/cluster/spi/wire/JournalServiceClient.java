package io.vecraft.cluster.spi.wire;

import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.cluster.spi.AppendAck;
import io.vecraft.cluster.spi.EntryMessage;
import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.ReadBatch;
import io.vecraft.cluster.spi.Watermark;
import io.vecraft.cluster.spi.transport.Connection;
import io.vecraft.cluster.spi.transport.MessageStream;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * A {@link JournalService} that sends every call, encoded with {@link WireFormat}, to the node
 * currently leading the partition. When the node is unavailable (leader died, isolated) it asks
 * the resolver again and retries until the call timeout, so callers see a leader change as a
 * slower call, not an error. Appends are retried too: a retried append may be applied twice if
 * the first attempt committed before its answer was lost (callers that care use request ids).
 *
 * <p>Thread-safe.
 */
public final class JournalServiceClient implements JournalService {
    private final Function<String, Connection> leaderOf;
    private final Duration timeout;
    private volatile List<String> partitions;

    /**
     * @param leaderOf resolves a partition name to a connection to its current leader (or any
     *                 journal node for {@link #partitions()}, given the partition {@code ""})
     * @param timeout  deadline of each call, retries included
     */
    public JournalServiceClient(Function<String, Connection> leaderOf, Duration timeout) {
        this.leaderOf = leaderOf;
        this.timeout = timeout;
    }

    private interface Call<T> {
        T run(Connection c, Duration left);
    }

    private <T> T withLeader(String partition, Call<T> call) {
        if (!partition.isEmpty() && !partitions().contains(partition)) {
            throw new NotFoundException("journal partition", partition);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        NodeUnavailableException last = null;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new VecraftTimeoutException("journal partition " + partition + ": no leader answered within "
                        + timeout + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
            }
            Connection c;
            try {
                c = leaderOf.apply(partition);
            } catch (NodeUnavailableException e) {
                last = e;
                pause(left);
                continue;
            }
            try {
                return call.run(c, Duration.ofNanos(left));
            } catch (NodeUnavailableException e) {
                last = e;
                pause(left);
            }
        }
    }

    private static void pause(long leftNanos) {
        // Back off briefly before asking for the leader again (an election takes a few heartbeats).
        long nanos = Math.min(leftNanos, 20_000_000L);
        java.util.concurrent.locks.LockSupport.parkNanos(nanos);
    }

    @Override
    public List<String> partitions() {
        List<String> p = partitions;
        if (p == null) {
            p = withLeader("", (c, left) -> {
                WireReader r = WireFormat.response(c.call(WireFormat.message(WireFormat.J_PARTITIONS).toByteArray(), left));
                int n = WireFormat.count(r);
                List<String> names = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    names.add(r.getShortString());
                }
                return List.copyOf(names);
            });
            partitions = p;
        }
        return p;
    }

    @Override
    public AppendAck append(String partition, int type, String requestId, long transactionId, byte[] payload) {
        WireWriter w = WireFormat.message(WireFormat.J_APPEND);
        w.putShortString(partition);
        w.putByte(type);
        w.putShortString(requestId);
        w.putLong(transactionId);
        w.putBytes(payload);
        byte[] request = w.toByteArray();
        return withLeader(partition, (c, left) -> WireFormat.getAppendAck(WireFormat.response(c.call(request, left))));
    }

    @Override
    public ReadBatch read(String partition, long fromSequence, int maxEntries, Duration maxWait) {
        WireWriter w = WireFormat.message(WireFormat.J_READ);
        w.putShortString(partition);
        w.putLong(fromSequence);
        w.putInt(maxEntries);
        w.putLong(maxWait.toMillis());
        byte[] request = w.toByteArray();
        return withLeader(partition, (c, left) -> WireFormat.getReadBatch(WireFormat.response(
                c.call(request, left.plus(maxWait)))));
    }

    @Override
    public EntryStream stream(String partition, long fromSequence, int window) {
        WireWriter w = WireFormat.message(WireFormat.J_STREAM);
        w.putShortString(partition);
        w.putLong(fromSequence);
        byte[] request = w.toByteArray();
        MessageStream s = withLeader(partition, (c, left) -> c.stream(request, window));
        return new EntryStream() {
            @Override
            public EntryMessage poll(Duration t) {
                byte[] m;
                try {
                    m = s.poll(t);
                } catch (NoSuchElementException e) {
                    throw new NodeUnavailableException(partition, "stream ended by the server");
                }
                return m == null ? null : WireFormat.getEntry(WireFormat.response(m));
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    @Override
    public Watermark watermark(String partition) {
        WireWriter w = WireFormat.message(WireFormat.J_WATERMARK);
        w.putShortString(partition);
        byte[] request = w.toByteArray();
        return withLeader(partition, (c, left) -> WireFormat.getWatermark(WireFormat.response(c.call(request, left))));
    }

    @Override
    public long firstSequence(String partition) {
        WireWriter w = WireFormat.message(WireFormat.J_FIRST);
        w.putShortString(partition);
        byte[] request = w.toByteArray();
        return withLeader(partition, (c, left) -> WireFormat.response(c.call(request, left)).getLong());
    }
}
