package io.vecraft.cluster.raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.cluster.raft.local.FreePorts;
import io.vecraft.cluster.spi.transport.Connection;
import io.vecraft.cluster.spi.wire.WireFormat;
import io.vecraft.journal.HybridLogicalClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Every message carries the sender's HLC; receivers merge it and refuse stamps beyond their maximum skew. */
class GrpcTransportClockTest {
    private static final Duration MAX_SKEW = Duration.ofSeconds(1);

    private static byte[] ping() {
        return WireFormat.message(WireFormat.PROVIDER_BASE).toByteArray();
    }

    @Test
    void everyCallAndResponseMovesTheOtherSidesClockPastTheSendersStamp() {
        HybridLogicalClock serverClock = new HybridLogicalClock(System::currentTimeMillis, MAX_SKEW);
        // The client runs 300 ms ahead (within the skew limit): the server must catch up with it.
        HybridLogicalClock clientClock = new HybridLogicalClock(() -> System.currentTimeMillis() + 300, MAX_SKEW);
        String address = "127.0.0.1:" + FreePorts.one() + "/clock";
        try (GrpcTransport server = GrpcTransport.builder().withClock(serverClock).build();
             GrpcTransport client = GrpcTransport.builder().withClock(clientClock).build()) {
            server.listen(address, request -> WireFormat.ok().toByteArray());
            Connection c = client.connect(address);
            long before = clientClock.now();
            WireFormat.response(c.call(ping(), Duration.ofSeconds(5)));
            assertTrue(serverClock.last() > before, "the server merged the client's stamp");
            long serverStamp = serverClock.now();
            WireFormat.response(c.call(ping(), Duration.ofSeconds(5)));
            assertTrue(clientClock.last() > serverStamp, "the client merged the response stamp");
        }
    }

    @Test
    void aCallerWhoseClockRunsTooFarAheadIsRefusedAndNothingRuns() {
        HybridLogicalClock serverClock = new HybridLogicalClock(System::currentTimeMillis, MAX_SKEW);
        HybridLogicalClock runaway = new HybridLogicalClock(() -> System.currentTimeMillis() + 5_000, MAX_SKEW);
        String address = "127.0.0.1:" + FreePorts.one() + "/skew";
        AtomicInteger served = new AtomicInteger();
        try (GrpcTransport server = GrpcTransport.builder().withClock(serverClock).build();
             GrpcTransport client = GrpcTransport.builder().withClock(runaway).build()) {
            server.listen(address, request -> {
                served.incrementAndGet();
                return WireFormat.ok().toByteArray();
            });
            long serverBefore = serverClock.now();
            ClockSkewRefusedException e = assertThrows(ClockSkewRefusedException.class,
                    () -> client.connect(address).call(ping(), Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("refused the call"), e.getMessage());
            // 5 s ahead at stamping, less the delivery time (1.5 s seen on a loaded 2-core machine): above the limit
            assertTrue(e.skewMillis() > MAX_SKEW.toMillis() && e.skewMillis() <= 6_000, "skew " + e.skewMillis());
            assertEquals(1_000, e.maxSkewMillis());
            assertEquals(0, served.get(), "the handler never ran");
            assertTrue(HybridLogicalClock.physicalMillis(serverClock.now())
                    < HybridLogicalClock.physicalMillis(serverBefore) + 2_000, "the server clock was not dragged ahead");
        }
    }

    @Test
    void aResponseStampedTooFarAheadIsRefusedByTheCaller() {
        HybridLogicalClock runaway = new HybridLogicalClock(() -> System.currentTimeMillis() + 5_000, MAX_SKEW);
        HybridLogicalClock clientClock = new HybridLogicalClock(System::currentTimeMillis, MAX_SKEW);
        String address = "127.0.0.1:" + FreePorts.one() + "/skew-back";
        try (GrpcTransport server = GrpcTransport.builder().withClock(runaway).build();
             GrpcTransport client = GrpcTransport.builder().withClock(clientClock).build()) {
            server.listen(address, request -> WireFormat.ok().toByteArray());
            ClockSkewRefusedException e = assertThrows(ClockSkewRefusedException.class,
                    () -> client.connect(address).call(ping(), Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("response stamp refused"), e.getMessage());
        }
    }
}
