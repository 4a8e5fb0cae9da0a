package io.vecraft.cluster.spi.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.cluster.spi.transport.Connection;
import io.vecraft.cluster.spi.transport.MessageHandler;
import io.vecraft.cluster.spi.transport.MessageStream;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import io.vecraft.cluster.spi.transport.StreamSink;
import io.vecraft.cluster.spi.transport.Transport;
import io.vecraft.cluster.spi.wire.WireFormat;
import io.vecraft.cluster.spi.wire.WireReader;
import io.vecraft.cluster.spi.wire.WireWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Transport} must do. A provider's test extends this class and returns
 * transports for two nodes that can reach each other.
 */
public abstract class TransportContract {
    private Transport server;
    private Transport client;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /**
     * @param node a node name
     * @return the transport as that node uses it (connected to the same network as the others)
     */
    protected abstract Transport transport(String node);

    /** @return an address the server node may listen on (unique per call) */
    protected abstract String address(String name);

    /** Releases the network; called after each test. */
    protected abstract void shutdown();

    @BeforeEach
    void setUp() {
        server = transport("server");
        client = transport("client");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        client.close();
        server.close();
        shutdown();
    }

    private String listenEcho() {
        String a = address("echo");
        toClose.add(server.listen(a, request -> {
            WireFormat.Envelope e = WireFormat.open(request);
            WireWriter w = WireFormat.ok();
            w.putBytes(e.reader().getBytes());
            return w.toByteArray();
        }));
        return a;
    }

    private static byte[] echoRequest(byte[] body) {
        WireWriter w = WireFormat.message(WireFormat.PROVIDER_BASE);
        w.putBytes(body);
        return w.toByteArray();
    }

    @Test
    void requestResponseRoundTripsBytesFromManyThreads() throws Exception {
        String a = listenEcho();
        Connection c = client.connect(a);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
                    for (int i = 0; i < 200; i++) {
                        byte[] body = new byte[rnd.nextInt(5000)];
                        rnd.nextBytes(body);
                        WireReader r = WireFormat.response(c.call(echoRequest(body), Duration.ofSeconds(10)));
                        assertArrayEquals(body, r.getBytes());
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unknownAddressIsUnavailable() {
        Connection c = client.connect(address("nobody"));
        assertThrows(NodeUnavailableException.class, () -> c.call(echoRequest(new byte[1]), Duration.ofSeconds(5)));
    }

    @Test
    void serverErrorsArriveAsTheSameException() {
        String a = address("errors");
        toClose.add(server.listen(a, request -> WireFormat.error(new NotFoundException("collection", "x"))));
        Connection c = client.connect(a);
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> WireFormat.response(c.call(echoRequest(new byte[0]), Duration.ofSeconds(5))));
        assertEquals("collection", e.kind());
        assertEquals("x", e.name());
    }

    @Test
    void aSlowServerTimesOutTheCall() throws Exception {
        String a = address("slow");
        CountDownLatch release = new CountDownLatch(1);
        toClose.add(server.listen(a, request -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return WireFormat.ok().toByteArray();
        }));
        Connection c = client.connect(a);
        try {
            assertThrows(VecraftTimeoutException.class, () -> c.call(echoRequest(new byte[0]), Duration.ofMillis(200)));
        } finally {
            release.countDown();
        }
    }

    @Test
    void closedListenerStopsServing() {
        String a = address("closing");
        Transport.Listener l = server.listen(a, request -> WireFormat.ok().toByteArray());
        Connection c = client.connect(a);
        WireFormat.response(c.call(echoRequest(new byte[0]), Duration.ofSeconds(5)));
        l.close();
        assertThrows(NodeUnavailableException.class, () -> c.call(echoRequest(new byte[0]), Duration.ofSeconds(5)));
    }

    @Test
    void anAddressIsServedOnce() {
        String a = address("twice");
        toClose.add(server.listen(a, request -> WireFormat.ok().toByteArray()));
        assertThrows(InvalidArgumentException.class, () -> server.listen(a, request -> WireFormat.ok().toByteArray()));
    }

    @Test
    void streamsDeliverInOrderWithBackPressure() throws Exception {
        String a = address("stream");
        AtomicInteger sent = new AtomicInteger();
        CountDownLatch stopped = new CountDownLatch(1);
        toClose.add(server.listen(a, new MessageHandler() {
            @Override
            public byte[] handle(byte[] request) {
                return WireFormat.ok().toByteArray();
            }

            @Override
            public void stream(byte[] request, StreamSink sink) {
                int n = WireFormat.open(request).reader().getInt();
                try {
                    for (int i = 0; i < n; i++) {
                        WireWriter w = WireFormat.ok();
                        w.putInt(i);
                        if (!sink.send(w.toByteArray(), Duration.ofSeconds(10))) {
                            return;
                        }
                        sent.incrementAndGet();
                    }
                } finally {
                    stopped.countDown();
                }
            }
        }));
        WireWriter req = WireFormat.message(WireFormat.PROVIDER_BASE);
        req.putInt(1_000);
        int window = 8;
        MessageStream s = client.connect(a).stream(req.toByteArray(), window);
        byte[] first = s.poll(Duration.ofSeconds(10));
        assertNotNull(first);
        assertEquals(0, WireFormat.response(first).getInt());
        // Not reading: the server fills the window, then must block. Wait (bounded) until it has
        // filled it, then give it a moment to run further if back-pressure were broken: there is
        // no event for "did not happen", so this observation window is time-based by nature.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sent.get() < window && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        assertTrue(sent.get() >= window, "the server filled the window: " + sent.get());
        assertTrue(sent.get() <= 1 + window + 1, "server ran " + sent.get() + " messages ahead of a window of " + window);
        for (int i = 1; i < 1_000; i++) {
            byte[] m = s.poll(Duration.ofSeconds(10));
            assertNotNull(m, "message " + i);
            assertEquals(i, WireFormat.response(m).getInt());
        }
        assertThrows(NoSuchElementException.class, () -> s.poll(Duration.ofSeconds(10)));
        s.close();
        assertTrue(stopped.await(10, TimeUnit.SECONDS));
    }

    @Test
    void closingAStreamStopsTheServer() throws Exception {
        String a = address("endless");
        CountDownLatch stopped = new CountDownLatch(1);
        toClose.add(server.listen(a, new MessageHandler() {
            @Override
            public byte[] handle(byte[] request) {
                return WireFormat.ok().toByteArray();
            }

            @Override
            public void stream(byte[] request, StreamSink sink) {
                try {
                    while (sink.send(WireFormat.ok().toByteArray(), Duration.ofSeconds(10))) {
                        // send until the client goes away
                    }
                } finally {
                    stopped.countDown();
                }
            }
        }));
        MessageStream s = client.connect(a).stream(WireFormat.message(WireFormat.PROVIDER_BASE).toByteArray(), 4);
        assertNotNull(s.poll(Duration.ofSeconds(10)));
        s.close();
        assertTrue(stopped.await(10, TimeUnit.SECONDS), "the server noticed the closed stream");
    }
}
