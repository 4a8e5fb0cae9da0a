package io.vecraft.cluster.raft.transport;

import io.vecraft.cluster.spi.contract.TransportContract;
import io.vecraft.cluster.spi.transport.Transport;
import io.vecraft.cluster.raft.local.FreePorts;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The gRPC transport passes the transport contract over loopback TCP. */
class GrpcTransportContractTest extends TransportContract {
    private final int port = FreePorts.one();
    private final AtomicInteger names = new AtomicInteger();
    private final List<Transport> made = new ArrayList<>();

    @Override
    protected Transport transport(String node) {
        Transport t = GrpcTransport.builder().build();
        made.add(t);
        return t;
    }

    @Override
    protected String address(String name) {
        return "127.0.0.1:" + port + "/" + name + "-" + names.incrementAndGet();
    }

    @Override
    protected void shutdown() {
        for (Transport t : made) {
            t.close();
        }
    }
}
