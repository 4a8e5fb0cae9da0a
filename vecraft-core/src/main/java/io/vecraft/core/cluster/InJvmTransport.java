package io.vecraft.core.cluster;

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
import java.time.Duration;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process {@link Transport}: a request is a byte array handed to the handler of the
 * addressed node on a transport thread and the response bytes handed back, so every message is
 * still encoded and decoded with {@link WireFormat} exactly as over a network. Each node talks
 * through its own {@link #forNode view}, which lets tests inject faults per node:
 *
 * <ul>
 *   <li>{@link #isolate(String)}: every message to or from the node fails as unreachable, and its
 *       open streams break (a network partition around it);</li>
 *   <li>{@link #delay(String, Duration)}: messages to the node wait before delivery;</li>
 *   <li>{@link #dropRate(String, double)}: that fraction of requests to the node is lost (the
 *       caller sees the node as unreachable for that call);</li>
 *   <li>killing a node = closing its view: it stops serving.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class InJvmTransport implements AutoCloseable {
    private final Map<String, Served> served = new ConcurrentHashMap<>();
    private final Set<String> isolated = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> delays = new ConcurrentHashMap<>();
    private final Map<String, Double> dropRates = new ConcurrentHashMap<>();
    private final SplittableRandom random;
    private final ExecutorService pool;
    private volatile boolean closed;

    private record Served(String node, String address, MessageHandler handler) {
    }

    /** @param seed seed of the drop decisions (fault injection is reproducible) */
    public InJvmTransport(long seed) {
        this.random = new SplittableRandom(seed);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "vecraft-injvm-net-" + n.incrementAndGet());
            t.setDaemon(true); // carries calls of waiting callers only
            return t;
        });
    }

    /**
     * @param node the node using the view
     * @return the transport as that node sees it (messages it sends are "from" it)
     */
    public Transport forNode(String node) {
        return new NodeView(node);
    }

    /** @param node node to cut off from every other node */
    public void isolate(String node) {
        isolated.add(node);
    }

    /** @param node node to reconnect */
    public void heal(String node) {
        isolated.remove(node);
    }

    /**
     * @param node  destination node
     * @param delay delay of every message to it (zero to stop delaying)
     */
    public void delay(String node, Duration delay) {
        if (delay.isZero()) {
            delays.remove(node);
        } else {
            delays.put(node, delay.toNanos());
        }
    }

    /**
     * @param node destination node
     * @param rate fraction of requests to it that are lost, 0 to 1
     */
    public void dropRate(String node, double rate) {
        if (rate < 0 || rate > 1) {
            throw new InvalidArgumentException("rate", "must be 0 to 1, was " + rate);
        }
        if (rate == 0) {
            dropRates.remove(node);
        } else {
            dropRates.put(node, rate);
        }
    }

    boolean reachable(String from, String to) {
        return !closed && !isolated.contains(from) && !isolated.contains(to);
    }

    private boolean dropped(String to) {
        Double rate = dropRates.get(to);
        if (rate == null) {
            return false;
        }
        synchronized (random) {
            return random.nextDouble() < rate;
        }
    }

    private static void pause(long nanos) {
        // Simulated network latency (fault injection), not a test wait.
        long end = System.nanoTime() + nanos;
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(left);
        }
    }

    private Served route(String from, String address) {
        Served s = served.get(address);
        if (s == null) {
            throw new NodeUnavailableException(address, "no node serves this address (down?)");
        }
        if (!reachable(from, s.node())) {
            throw new NodeUnavailableException(address, "unreachable from " + from + " (network partition)");
        }
        return s;
    }

    @Override
    public void close() {
        closed = true;
        served.clear();
        pool.shutdownNow();
    }

    /** One node's view of the transport. */
    private final class NodeView implements Transport {
        private final String node;
        private final Set<String> myAddresses = ConcurrentHashMap.newKeySet();

        NodeView(String node) {
            this.node = node;
        }

        @Override
        public Listener listen(String address, MessageHandler handler) {
            if (address == null || address.isEmpty()) {
                throw new InvalidArgumentException("address", "must be non-empty");
            }
            if (served.putIfAbsent(address, new Served(node, address, handler)) != null) {
                throw new InvalidArgumentException("address", "'" + address + "' is already served");
            }
            myAddresses.add(address);
            return new Listener() {
                @Override
                public String address() {
                    return address;
                }

                @Override
                public void close() {
                    served.remove(address);
                    myAddresses.remove(address);
                }
            };
        }

        @Override
        public Connection connect(String address) {
            return new InJvmConnection(node, address);
        }

        @Override
        public void close() {
            for (String a : myAddresses) {
                served.remove(a);
            }
            myAddresses.clear();
        }
    }

    /** A connection from one node to an address. */
    private final class InJvmConnection implements Connection {
        private final String from;
        private final String address;

        InJvmConnection(String from, String address) {
            this.from = from;
            this.address = address;
        }

        @Override
        public String address() {
            return address;
        }

        @Override
        public byte[] call(byte[] request, Duration timeout) {
            Served s = route(from, address);
            if (dropped(s.node())) {
                throw new NodeUnavailableException(address, "request lost (injected drop)");
            }
            byte[] copy = request.clone();
            Long delay = delays.get(s.node());
            Future<byte[]> f;
            try {
                f = pool.submit(() -> {
                    if (delay != null) {
                        pause(delay);
                    }
                    return s.handler().handle(copy);
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                throw new NodeUnavailableException(address, "transport closed");
            }
            try {
                byte[] response = f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                if (!reachable(from, s.node()) || served.get(address) != s) {
                    // The node died or was cut off while serving: the answer never arrives.
                    throw new NodeUnavailableException(address, "connection lost during the call");
                }
                return response.clone();
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new VecraftTimeoutException("call to " + address + " got no answer within " + timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.cancel(true);
                throw new VecraftException("interrupted calling " + address, e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                return WireFormat.error(c instanceof RuntimeException re ? re : new VecraftException(String.valueOf(c)));
            }
        }

        @Override
        public MessageStream stream(byte[] request, int window) {
            if (window < 1) {
                throw new InvalidArgumentException("window", "must be at least 1, was " + window);
            }
            Served s = route(from, address);
            InJvmStream stream = new InJvmStream(from, s, window);
            byte[] copy = request.clone();
            try {
                pool.submit(() -> stream.serve(copy));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                throw new NodeUnavailableException(address, "transport closed");
            }
            return stream;
        }

        @Override
        public void close() {
            // Stateless: nothing to release.
        }
    }

    /** A server-to-client stream with a bounded window. */
    private final class InJvmStream implements MessageStream, StreamSink {
        private final String from;
        private final Served server;
        private final BlockingQueue<byte[]> queue;
        private volatile boolean clientClosed;
        private volatile boolean ended;
        private volatile RuntimeException failure;

        InJvmStream(String from, Served server, int window) {
            this.from = from;
            this.server = server;
            this.queue = new ArrayBlockingQueue<>(window);
        }

        void serve(byte[] request) {
            try {
                server.handler().stream(request, this);
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                ended = true;
            }
        }

        private boolean broken() {
            return !reachable(from, server.node()) || served.get(server.address()) != server;
        }

        @Override
        public boolean send(byte[] message, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            byte[] copy = message.clone();
            while (!clientClosed && !broken()) {
                try {
                    if (queue.offer(copy, 50, TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new VecraftTimeoutException("stream to " + from + ": window full for " + timeout);
                }
            }
            return false;
        }

        @Override
        public boolean isClosed() {
            return clientClosed || broken();
        }

        @Override
        public byte[] poll(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                byte[] m = queue.poll();
                if (m != null) {
                    return m;
                }
                if (broken()) {
                    throw new NodeUnavailableException(server.address(), "stream broken (node down or partitioned)");
                }
                if (ended) {
                    m = queue.poll();
                    if (m != null) {
                        return m;
                    }
                    RuntimeException f = failure;
                    if (f != null) {
                        throw f;
                    }
                    throw new NoSuchElementException("stream ended by " + server.address());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                try {
                    m = queue.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
                if (m != null) {
                    return m;
                }
            }
        }

        @Override
        public boolean isDone() {
            return ended && queue.isEmpty() || broken();
        }

        @Override
        public void close() {
            clientClosed = true;
            queue.clear();
        }
    }
}
