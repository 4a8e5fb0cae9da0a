package io.vecraft.cluster.raft;

import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.cluster.raft.transport.GrpcTransport;
import io.vecraft.cluster.spi.Membership;
import io.vecraft.cluster.spi.transport.Connection;
import io.vecraft.cluster.spi.transport.MessageStream;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import io.vecraft.cluster.spi.wire.WireFormat;
import io.vecraft.cluster.spi.wire.WireReader;
import java.nio.BufferUnderflowException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A connection to one node that gives up early instead of waiting out a caller's long deadline on a
 * node that does not answer (the fail-over half of query routing and journal leader failover):
 *
 * <ul>
 *   <li>each attempt is capped at {@code attemptTimeout} (plus the wait the request itself asks
 *       for: {@code maxWait} of a journal read, {@code timeout} of a replica's await-safe-time);
 *       past the cap the call fails with {@link NodeUnavailableException}, which the SPI clients
 *       answer by retrying at the (new) leader or the next replica;</li>
 *   <li>while waiting, if membership declares the node dead (its lease expired: killed, stopped
 *       or cut off), the call is cancelled and fails with {@link NodeUnavailableException} at once;</li>
 *   <li>likewise if the request was sent to the node as a journal partition's leader and
 *       membership now names another live leader (a new leader was elected while the old one
 *       is frozen or partitioned away).</li>
 * </ul>
 * The caller's own deadline still applies ({@link VecraftTimeoutException}).
 *
 * <p>Thread-safe.
 */
final class GuardedConnection implements Connection {
    private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final GrpcTransport.GrpcConnection delegate;
    private final String node;
    private final Membership membership;
    private final Duration attemptTimeout;
    private final boolean journal;

    GuardedConnection(GrpcTransport.GrpcConnection delegate, String node, Membership membership, Duration attemptTimeout,
                      boolean journal) {
        this.delegate = delegate;
        this.node = node;
        this.membership = membership;
        this.attemptTimeout = attemptTimeout;
        this.journal = journal;
    }

    /** @return the partition a journal request addresses, or null */
    static String partitionOf(byte[] request) {
        try {
            WireFormat.Envelope e = WireFormat.open(request);
            return switch (e.kind()) {
                case WireFormat.J_APPEND, WireFormat.J_READ, WireFormat.J_WATERMARK -> e.reader().getShortString();
                default -> null;
            };
        } catch (BufferUnderflowException | IllegalArgumentException | VecraftException ex) {
            return null;
        }
    }

    /** @return why the call should be given up now, or null */
    private String abandon(String partition) {
        if (!membership.isAlive(node)) {
            return "node " + node + " was declared dead (lease expired)";
        }
        if (partition != null) {
            String leader = membership.leader(partition).orElse(node);
            if (!leader.equals(node)) {
                return "partition " + partition + " has a new leader " + leader;
            }
        }
        return null;
    }

    @Override
    public String address() {
        return delegate.address();
    }

    /** @return how long the request itself may legitimately wait on the server, ms */
    static long requestedWaitMillis(byte[] request) {
        try {
            WireFormat.Envelope e = WireFormat.open(request);
            WireReader r = e.reader();
            switch (e.kind()) {
                case WireFormat.J_READ -> {
                    r.getShortString();
                    r.getLong();
                    r.getInt();
                    return Math.max(0, r.getLong());
                }
                case WireFormat.R_AWAIT -> {
                    WireFormat.getShardId(r);
                    r.getLong();
                    return Math.max(0, r.getLong());
                }
                default -> {
                    return 0;
                }
            }
        } catch (BufferUnderflowException | IllegalArgumentException | VecraftException ex) {
            return 0;
        }
    }

    @Override
    public byte[] call(byte[] request, Duration timeout) {
        long start = System.nanoTime();
        long callerDeadline = start + timeout.toNanos();
        long cap = attemptTimeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(requestedWaitMillis(request));
        long attemptDeadline = start + Math.min(cap, timeout.toNanos());
        String partition = journal ? partitionOf(request) : null;
        CompletableFuture<byte[]> f = delegate.callAsync(request, Duration.ofNanos(attemptDeadline - start));
        while (true) {
            long left = attemptDeadline - System.nanoTime();
            try {
                return f.get(Math.max(1, Math.min(left, CHECK_NANOS)), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                long now = System.nanoTime();
                String why = now - start > GRACE_NANOS ? abandon(partition) : null;
                if (why != null) {
                    f.cancel(true);
                    throw new NodeUnavailableException(address(), why);
                }
                if (now - attemptDeadline >= 0) {
                    f.cancel(true);
                    if (now - callerDeadline >= 0) {
                        throw new VecraftTimeoutException("call to " + address() + " got no answer within " + timeout);
                    }
                    throw new NodeUnavailableException(address(), "no answer within " + Duration.ofNanos(cap)
                            + "; trying elsewhere");
                }
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof VecraftTimeoutException && System.nanoTime() - callerDeadline < 0) {
                    throw new NodeUnavailableException(address(), "no answer within " + Duration.ofNanos(cap)
                            + "; trying elsewhere");
                }
                throw c instanceof RuntimeException re ? re : new VecraftException("call to " + address() + " failed", c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.cancel(true);
                throw new VecraftException("interrupted calling " + address(), e);
            }
        }
    }

    @Override
    public MessageStream stream(byte[] request, int window) {
        return delegate.stream(request, window);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
