package io.vecraft.cluster.raft.transport;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.grpc.util.MutableHandlerRegistry;
import io.vecraft.api.CapacityException;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.cluster.spi.transport.Connection;
import io.vecraft.cluster.spi.transport.MessageHandler;
import io.vecraft.cluster.spi.transport.MessageStream;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import io.vecraft.cluster.spi.transport.StreamSink;
import io.vecraft.cluster.spi.transport.Transport;
import io.vecraft.cluster.spi.wire.WireFormat;
import io.vecraft.journal.ClockSkewException;
import io.vecraft.journal.HybridLogicalClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SPI {@link Transport} over gRPC (grpc-java, Netty transport from {@code grpc-netty-shaded}).
 * Addresses are {@link GrpcAddress} {@code host:port/name}: one gRPC server per {@code host:port}
 * serves every name listened on it, each as the gRPC service {@code vecraft.<name>} with two
 * methods whose messages are the SPI's {@link WireFormat} bytes as they are (a byte-array
 * marshaller; no protobuf schema sits in between):
 *
 * <pre>
 * vecraft.&lt;name&gt;/Call    unary: request bytes -&gt; response bytes (a WireFormat OK or ERROR message)
 * vecraft.&lt;name&gt;/Stream  bidirectional: client sends the request bytes, then credit messages
 *                         (i32 big-endian n &gt; 0: the server may send n more messages); the server
 *                         sends messages, at most as many as granted (back-pressure), and ends
 *                         with OK (normal end) or ABORTED carrying the handler's error as a
 *                         WireFormat ERROR message in the binary trailer vecraft-error-bin
 * </pre>
 *
 * <p>Every call carries the header {@code vecraft-hlc} (the sender's hybrid logical clock, decimal)
 * and every response header does too. When the transport is given the node's clock, it merges
 * every stamp it receives ({@link HybridLogicalClock#update}); a stamp further ahead of the local
 * wall clock than the clock's maximum skew is refused: the call fails with
 * {@link ClockSkewRefusedException} on the caller's side and nothing runs (trailer
 * {@code vecraft-skew}: {@code skewMs,maxMs}).
 *
 * <p>Deadlines: every unary call has the caller's timeout as its gRPC deadline; stream reads and
 * sends wait at most the timeout given to {@link MessageStream#poll} and {@link StreamSink#send}.
 * Errors: no server or a closed listener gives {@link NodeUnavailableException}, a passed
 * deadline {@link VecraftTimeoutException}, a handler's exception comes back as the same
 * {@link VecraftException} subclass (through the WireFormat error encoding).
 *
 * <p>Thread-safe. Handlers run on a cached pool of daemon threads {@code vecraft-grpc-call-N}
 * (calls) and {@code vecraft-grpc-stream-N} (streams, one thread per open stream).
 */
public final class GrpcTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcTransport.class);

    /** Default largest message, both directions: 128 MiB (a journal batch of large entries fits). */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 128 << 20;

    static final Metadata.Key<String> HLC = Metadata.Key.of("vecraft-hlc", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> SKEW = Metadata.Key.of("vecraft-skew", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<byte[]> ERROR = Metadata.Key.of("vecraft-error-bin", Metadata.BINARY_BYTE_MARSHALLER);

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("reading a message failed: " + e).asRuntimeException();
            }
        }
    };

    private final HybridLogicalClock clock;
    private final int maxMessageBytes;
    private final ExecutorService callPool;
    private final ExecutorService streamPool;
    private final Map<String, ServerHolder> servers = new ConcurrentHashMap<>();
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Set<GrpcConnection> connections = ConcurrentHashMap.newKeySet();
    private final Object serverLock = new Object();
    private volatile boolean closed;

    private GrpcTransport(Builder b) {
        this.clock = b.clock;
        this.maxMessageBytes = b.maxMessageBytes;
        AtomicInteger calls = new AtomicInteger();
        this.callPool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "vecraft-grpc-call-" + calls.incrementAndGet());
            t.setDaemon(true); // serves remote callers only; they retry elsewhere if the node goes
            return t;
        });
        AtomicInteger streams = new AtomicInteger();
        this.streamPool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "vecraft-grpc-stream-" + streams.incrementAndGet());
            t.setDaemon(true); // serves remote streams only
            return t;
        });
    }

    /** @return a builder (no clock, {@link #DEFAULT_MAX_MESSAGE_BYTES}) */
    public static Builder builder() {
        return new Builder();
    }

    /** Configuration of a {@link GrpcTransport}. Not thread-safe; build once. */
    public static final class Builder {
        private HybridLogicalClock clock;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;

        private Builder() {
        }

        /**
         * @param clock the node's clock: merged with every stamp received, refusing stamps beyond its
         *              maximum skew; null to neither send nor check stamps
         * @return this
         */
        public Builder withClock(HybridLogicalClock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * @param bytes largest message accepted, 1 KiB to 1 GiB
         * @return this
         */
        public Builder withMaxMessageBytes(int bytes) {
            if (bytes < 1024 || bytes > (1 << 30)) {
                throw new InvalidArgumentException("maxMessageBytes", "must be 1024 to " + (1 << 30) + ", was " + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /** @return the transport */
        public GrpcTransport build() {
            return new GrpcTransport(this);
        }
    }

    static MethodDescriptor<byte[], byte[]> callMethod(String service) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, "Call"))
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    static MethodDescriptor<byte[], byte[]> streamMethod(String service) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, "Stream"))
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    // ------------------------------------------------------------------ server side

    /** One gRPC server and the names it serves. */
    private static final class ServerHolder {
        final Server server;
        final MutableHandlerRegistry registry;
        final Map<String, ListenerImpl> listeners = new ConcurrentHashMap<>();

        ServerHolder(Server server, MutableHandlerRegistry registry) {
            this.server = server;
            this.registry = registry;
        }
    }

    @Override
    public Listener listen(String address, MessageHandler handler) {
        if (closed) {
            throw new io.vecraft.api.VecraftClosedException("gRPC transport");
        }
        if (handler == null) {
            throw new InvalidArgumentException("handler", "must not be null");
        }
        GrpcAddress a = GrpcAddress.parse(address);
        synchronized (serverLock) {
            ServerHolder holder = a.port() == 0 ? null : servers.get(a.hostPort());
            if (holder == null) {
                holder = startServer(a);
            }
            GrpcAddress actual = new GrpcAddress(a.host(), holder.server.getPort(), a.name());
            if (holder.listeners.containsKey(a.name())) {
                throw new InvalidArgumentException("address", "'" + actual + "' is already served");
            }
            ListenerImpl l = new ListenerImpl(holder, actual, handler);
            holder.listeners.put(a.name(), l);
            ServerServiceDefinition def = ServerServiceDefinition.builder(actual.serviceName())
                    .addMethod(callMethod(actual.serviceName()), ServerCalls.asyncUnaryCall(l::serveCall))
                    .addMethod(streamMethod(actual.serviceName()), ServerCalls.asyncBidiStreamingCall(l::openStream))
                    .build();
            holder.registry.addService(ServerInterceptors.intercept(def, new ServerClockInterceptor(actual)));
            return l;
        }
    }

    private ServerHolder startServer(GrpcAddress a) {
        MutableHandlerRegistry registry = new MutableHandlerRegistry();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(a.host(), a.port()))
                .fallbackHandlerRegistry(registry)
                .executor(callPool)
                .maxInboundMessageSize(maxMessageBytes)
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new InvalidArgumentException("address", "cannot listen on " + a.hostPort() + ": " + e.getMessage());
        }
        ServerHolder holder = new ServerHolder(server, registry);
        servers.put(a.host() + ":" + server.getPort(), holder);
        LOG.debug("gRPC server listening on {}:{}", a.host(), server.getPort());
        return holder;
    }

    /** A served name: dispatches calls and streams to its handler. */
    private final class ListenerImpl implements Listener {
        final ServerHolder holder;
        final GrpcAddress address;
        final MessageHandler handler;
        final Set<ServerStream> streams = ConcurrentHashMap.newKeySet();
        volatile boolean stopped;

        ListenerImpl(ServerHolder holder, GrpcAddress address, MessageHandler handler) {
            this.holder = holder;
            this.address = address;
            this.handler = handler;
        }

        void serveCall(byte[] request, StreamObserver<byte[]> out) {
            if (stopped) {
                out.onError(Status.UNIMPLEMENTED.withDescription(address + " is no longer served").asRuntimeException());
                return;
            }
            byte[] response;
            try {
                response = handler.handle(request);
            } catch (RuntimeException e) {
                response = WireFormat.error(e);
            }
            out.onNext(response);
            out.onCompleted();
        }

        StreamObserver<byte[]> openStream(StreamObserver<byte[]> out) {
            ServerStream s = new ServerStream(this, (ServerCallStreamObserver<byte[]>) out);
            streams.add(s);
            return s;
        }

        @Override
        public String address() {
            return address.toString();
        }

        @Override
        public void close() {
            synchronized (serverLock) {
                if (stopped) {
                    return;
                }
                stopped = true;
                holder.listeners.remove(address.name());
                ServerServiceDefinition def = findService(holder.registry, address.serviceName());
                if (def != null) {
                    holder.registry.removeService(def);
                }
                for (ServerStream s : streams) {
                    s.abort(Status.UNAVAILABLE.withDescription(address + " stopped serving"));
                }
                streams.clear();
                if (holder.listeners.isEmpty()) {
                    holder.server.shutdownNow();
                    servers.values().remove(holder);
                }
            }
        }
    }

    private static ServerServiceDefinition findService(MutableHandlerRegistry registry, String serviceName) {
        for (ServerServiceDefinition d : registry.getServices()) {
            if (d.getServiceDescriptor().getName().equals(serviceName)) {
                return d;
            }
        }
        return null;
    }

    /** Server side of one stream: the first client message is the request, the rest are credits. */
    private final class ServerStream implements StreamObserver<byte[]>, StreamSink {
        private final ListenerImpl listener;
        private final ServerCallStreamObserver<byte[]> out;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private long credits;
        private boolean started;
        private volatile boolean closed;

        ServerStream(ListenerImpl listener, ServerCallStreamObserver<byte[]> out) {
            this.listener = listener;
            this.out = out;
            out.setOnCancelHandler(this::markClosed);
        }

        private void markClosed() {
            lock.lock();
            try {
                closed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onNext(byte[] message) {
            if (!started) {
                started = true;
                try {
                    streamPool.execute(() -> serve(message));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    abort(Status.UNAVAILABLE.withDescription("transport closed"));
                }
                return;
            }
            if (message.length != 4) {
                abort(Status.INVALID_ARGUMENT.withDescription("a stream credit must be 4 bytes, was " + message.length));
                return;
            }
            int n = ByteBuffer.wrap(message).getInt();
            lock.lock();
            try {
                if (n > 0) {
                    credits += n;
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onError(Throwable t) {
            markClosed();
        }

        @Override
        public void onCompleted() {
            // The client closes streams by cancelling; a half-close just means no more credits.
        }

        private void serve(byte[] request) {
            try {
                listener.handler.stream(request, this);
                synchronized (this) {
                    if (!closed) {
                        markClosed();
                        out.onCompleted();
                    }
                }
            } catch (RuntimeException e) {
                Metadata trailers = new Metadata();
                trailers.put(ERROR, WireFormat.error(e));
                abort(Status.ABORTED.withDescription(String.valueOf(e.getMessage())), trailers);
            } finally {
                listener.streams.remove(this);
            }
        }

        void abort(Status status) {
            abort(status, new Metadata());
        }

        private void abort(Status status, Metadata trailers) {
            synchronized (this) {
                if (closed) {
                    return; // already ended, or the client went away
                }
                markClosed();
                try {
                    out.onError(status.asRuntimeException(trailers));
                } catch (RuntimeException e) {
                    LOG.debug("ending a stream of {} failed", listener.address, e);
                }
            }
        }

        @Override
        public boolean send(byte[] message, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            lock.lock();
            try {
                while (credits <= 0 && !closed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new VecraftTimeoutException("stream of " + listener.address + ": the client granted no "
                                + "window for " + timeout);
                    }
                    changed.awaitNanos(left);
                }
                if (closed) {
                    return false;
                }
                credits--;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                lock.unlock();
            }
            synchronized (this) {
                if (closed) {
                    return false;
                }
                try {
                    out.onNext(message);
                    return true;
                } catch (StatusRuntimeException e) {
                    markClosed();
                    return false;
                }
            }
        }

        @Override
        public boolean isClosed() {
            return closed;
        }
    }

    /** Merges the caller's stamp into the node clock (refusing skew) and stamps the response headers. */
    private final class ServerClockInterceptor implements ServerInterceptor {
        private final GrpcAddress address;

        ServerClockInterceptor(GrpcAddress address) {
            this.address = address;
        }

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                           ServerCallHandler<Q, R> next) {
            if (clock != null) {
                String stamp = headers.get(HLC);
                if (stamp != null) {
                    try {
                        clock.update(Long.parseLong(stamp));
                    } catch (ClockSkewException e) {
                        Metadata trailers = new Metadata();
                        trailers.put(SKEW, e.skewMillis() + "," + e.maxSkewMillis());
                        call.close(Status.FAILED_PRECONDITION.withDescription(address + " refused the call: "
                                + e.getMessage()), trailers);
                        return new ServerCall.Listener<>() {
                        };
                    } catch (NumberFormatException e) {
                        call.close(Status.INVALID_ARGUMENT.withDescription("malformed vecraft-hlc header '" + stamp + "'"),
                                new Metadata());
                        return new ServerCall.Listener<>() {
                        };
                    }
                }
            }
            return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                @Override
                public void sendHeaders(Metadata responseHeaders) {
                    if (clock != null) {
                        responseHeaders.put(HLC, Long.toString(clock.now()));
                    }
                    super.sendHeaders(responseHeaders);
                }
            }, headers);
        }
    }

    // ------------------------------------------------------------------ client side

    /** Stamps calls with the node clock and merges the stamps of responses (refusing skew). */
    private final class ClientClockInterceptor implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> responseListener, Metadata headers) {
                    if (clock != null) {
                        headers.put(HLC, Long.toString(clock.now()));
                    }
                    ClientCall<Q, R> self = this;
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(responseListener) {
                        private volatile RuntimeException refused;

                        @Override
                        public void onHeaders(Metadata h) {
                            String stamp = clock == null ? null : h.get(HLC);
                            if (stamp != null) {
                                try {
                                    clock.update(Long.parseLong(stamp));
                                } catch (ClockSkewException | NumberFormatException e) {
                                    refused = e;
                                    self.cancel("response refused: " + e.getMessage(), e);
                                }
                            }
                            super.onHeaders(h);
                        }

                        @Override
                        public void onMessage(R message) {
                            if (refused == null) {
                                super.onMessage(message);
                            }
                        }

                        @Override
                        public void onClose(Status status, Metadata trailers) {
                            RuntimeException r = refused;
                            super.onClose(r == null ? status : Status.CANCELLED.withDescription("response refused: "
                                    + r.getMessage()).withCause(r), trailers);
                        }
                    }, headers);
                }
            };
        }
    }

    private ManagedChannel channel(GrpcAddress a) {
        return channels.computeIfAbsent(a.hostPort(), hp -> NettyChannelBuilder.forAddress(a.host(), a.port())
                .usePlaintext()
                .maxInboundMessageSize(maxMessageBytes)
                .intercept(new ClientClockInterceptor())
                // Response callbacks only complete a future or queue a message: run them on the
                // event loop instead of handing them to another thread (one scheduling hop less).
                .directExecutor()
                .build());
    }

    @Override
    public GrpcConnection connect(String address) {
        if (closed) {
            throw new io.vecraft.api.VecraftClosedException("gRPC transport");
        }
        GrpcAddress a = GrpcAddress.parse(address);
        GrpcConnection c = new GrpcConnection(a, channel(a));
        connections.add(c);
        return c;
    }

    /**
     * Maps a gRPC failure to the SPI's exceptions.
     *
     * @param address the address called
     * @param t       the failure
     * @param timeout the call's deadline (for the message)
     * @return the exception to throw
     */
    RuntimeException failure(GrpcAddress address, Throwable t, Duration timeout) {
        if (t instanceof VecraftException ve) {
            return ve;
        }
        Status status = Status.fromThrowable(t);
        Metadata trailers = Status.trailersFromThrowable(t);
        Throwable cause = status.getCause();
        if (cause instanceof ClockSkewException cs) {
            return new ClockSkewRefusedException(address.toString(), "response stamp refused: " + cs.getMessage(),
                    cs.skewMillis(), cs.maxSkewMillis());
        }
        switch (status.getCode()) {
            case DEADLINE_EXCEEDED:
                return new VecraftTimeoutException("call to " + address + " got no answer within " + timeout);
            case UNAVAILABLE: {
                ManagedChannel ch = channels.get(address.hostPort());
                if (ch != null) {
                    ch.resetConnectBackoff(); // try again at once on the next call (node restarts)
                }
                return new NodeUnavailableException(address.toString(), String.valueOf(status.getDescription()));
            }
            case UNIMPLEMENTED:
                return new NodeUnavailableException(address.toString(), "not served there (" + status.getDescription() + ")");
            case FAILED_PRECONDITION: {
                String skew = trailers == null ? null : trailers.get(SKEW);
                if (skew != null) {
                    String[] parts = skew.split(",");
                    return new ClockSkewRefusedException(address.toString(), String.valueOf(status.getDescription()),
                            parseLong(parts[0]), parts.length > 1 ? parseLong(parts[1]) : -1);
                }
                return new VecraftException("call to " + address + " refused: " + status.getDescription());
            }
            case ABORTED: {
                byte[] error = trailers == null ? null : trailers.get(ERROR);
                if (error != null) {
                    try {
                        WireFormat.response(error);
                    } catch (RuntimeException e) {
                        return e;
                    }
                }
                return new VecraftException("call to " + address + " aborted: " + status.getDescription());
            }
            case CANCELLED:
                return new NodeUnavailableException(address.toString(), "call cancelled (" + status.getDescription() + ")");
            case RESOURCE_EXHAUSTED:
                return new CapacityException("call to " + address + ": " + status.getDescription());
            default:
                return new NodeUnavailableException(address.toString(), status.getCode() + ": " + status.getDescription());
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * A connection to one address. Besides the blocking {@link #call}, {@link #callAsync} lets a
     * caller wait on its own terms (e.g. give up early when the node is declared dead).
     *
     * <p>Thread-safe.
     */
    public final class GrpcConnection implements Connection {
        private final GrpcAddress address;
        private final ManagedChannel channel;
        private final MethodDescriptor<byte[], byte[]> call;
        private final MethodDescriptor<byte[], byte[]> stream;
        private final Set<ClientStream> streams = ConcurrentHashMap.newKeySet();
        private volatile boolean closedConnection;

        GrpcConnection(GrpcAddress address, ManagedChannel channel) {
            this.address = address;
            this.channel = channel;
            this.call = callMethod(address.serviceName());
            this.stream = streamMethod(address.serviceName());
        }

        @Override
        public String address() {
            return address.toString();
        }

        /**
         * Sends a request; the future completes with the response bytes or fails with the SPI
         * exception ({@link NodeUnavailableException}, {@link VecraftTimeoutException}, ...).
         * Cancelling the future cancels the call.
         *
         * @param request the encoded request
         * @param timeout the call's deadline
         * @return the response future
         */
        public CompletableFuture<byte[]> callAsync(byte[] request, Duration timeout) {
            if (closed || closedConnection) {
                return CompletableFuture.failedFuture(new NodeUnavailableException(address.toString(),
                        "connection closed"));
            }
            ClientCall<byte[], byte[]> c = channel.newCall(call, CallOptions.DEFAULT
                    .withDeadlineAfter(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS));
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            ClientCalls.asyncUnaryCall(c, request, new StreamObserver<>() {
                @Override
                public void onNext(byte[] value) {
                    f.complete(value);
                }

                @Override
                public void onError(Throwable t) {
                    f.completeExceptionally(failure(address, t, timeout));
                }

                @Override
                public void onCompleted() {
                    if (!f.isDone()) {
                        f.completeExceptionally(new NodeUnavailableException(address.toString(), "no response"));
                    }
                }
            });
            f.whenComplete((r, e) -> {
                if (f.isCancelled()) {
                    c.cancel("cancelled by the caller", null);
                }
            });
            return f;
        }

        @Override
        public byte[] call(byte[] request, Duration timeout) {
            CompletableFuture<byte[]> f = callAsync(request, timeout);
            try {
                // The gRPC deadline ends the call; the extra second only guards against a lost callback.
                return f.get(timeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                throw c instanceof RuntimeException re ? re : new VecraftException("call to " + address + " failed", c);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new VecraftTimeoutException("call to " + address + " got no answer within " + timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.cancel(true);
                throw new VecraftException("interrupted calling " + address, e);
            }
        }

        @Override
        public MessageStream stream(byte[] request, int window) {
            if (window < 1) {
                throw new InvalidArgumentException("window", "must be at least 1, was " + window);
            }
            if (closed || closedConnection) {
                throw new NodeUnavailableException(address.toString(), "connection closed");
            }
            ClientStream s = new ClientStream(this, window);
            streams.add(s);
            StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(stream,
                    CallOptions.DEFAULT), s);
            synchronized (s) {
                requests.onNext(request);
                requests.onNext(credit(window));
            }
            return s;
        }

        @Override
        public void close() {
            closedConnection = true;
            for (ClientStream s : streams) {
                s.close();
            }
            streams.clear();
            connections.remove(this);
        }
    }

    private static byte[] credit(int n) {
        return ByteBuffer.allocate(4).putInt(n).array();
    }

    /** Client side of a stream: buffers what the server sends (at most the window) and grants credits as it is read. */
    private final class ClientStream implements MessageStream, ClientResponseObserver<byte[], byte[]> {
        private final GrpcConnection connection;
        private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
        private final int grantEvery;
        private ClientCallStreamObserver<byte[]> requests;
        private int consumed;
        private volatile boolean done;
        private volatile RuntimeException failure;
        private volatile boolean closedByClient;

        ClientStream(GrpcConnection connection, int window) {
            this.connection = connection;
            this.grantEvery = window <= 8 ? 1 : window / 4;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<byte[]> requestStream) {
            this.requests = requestStream;
        }

        @Override
        public void onNext(byte[] value) {
            queue.add(value);
        }

        @Override
        public void onError(Throwable t) {
            if (!closedByClient) {
                failure = failure(connection.address, t, Duration.ZERO);
            }
            done = true;
            queue.add(new byte[0]); // wakes a waiting poll
        }

        @Override
        public void onCompleted() {
            done = true;
            queue.add(new byte[0]);
        }

        @Override
        public byte[] poll(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                byte[] m;
                try {
                    long left = deadline - System.nanoTime();
                    m = left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
                if (m == null) {
                    if (done && queue.isEmpty()) {
                        return ended();
                    }
                    return null;
                }
                if (m.length == 0) {
                    if (queue.isEmpty()) {
                        queue.add(m); // keep the end marker for later polls
                        return ended();
                    }
                    continue;
                }
                grant();
                return m;
            }
        }

        private byte[] ended() {
            RuntimeException f = failure;
            if (f != null) {
                throw f;
            }
            if (closedByClient) {
                throw new NoSuchElementException("stream closed");
            }
            throw new NoSuchElementException("stream ended by " + connection.address);
        }

        private synchronized void grant() {
            if (++consumed >= grantEvery && !done) {
                try {
                    requests.onNext(credit(consumed));
                } catch (RuntimeException e) {
                    LOG.debug("granting stream credit to {} failed", connection.address, e);
                }
                consumed = 0;
            }
        }

        @Override
        public boolean isDone() {
            return done && (queue.isEmpty() || (queue.size() == 1 && queue.peek().length == 0));
        }

        @Override
        public synchronized void close() {
            if (closedByClient) {
                return;
            }
            closedByClient = true;
            if (!done && requests != null) {
                requests.cancel("closed by the client", null);
            }
            connection.streams.remove(this);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (GrpcConnection c : connections) {
            c.close();
        }
        synchronized (serverLock) {
            for (ServerHolder h : servers.values()) {
                for (ListenerImpl l : h.listeners.values()) {
                    for (ServerStream s : l.streams) {
                        s.abort(Status.UNAVAILABLE.withDescription("transport closed"));
                    }
                }
                h.server.shutdownNow();
            }
            servers.clear();
        }
        for (ManagedChannel ch : channels.values()) {
            ch.shutdownNow();
        }
        try {
            for (ManagedChannel ch : channels.values()) {
                ch.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        channels.clear();
        callPool.shutdownNow();
        streamPool.shutdownNow();
    }
}
