package io.vecraft.core.cluster;

import io.vecraft.cluster.spi.contract.TransportContract;
import io.vecraft.cluster.spi.transport.Transport;
import java.util.concurrent.atomic.AtomicInteger;

/** The in-JVM transport passes the transport contract. */
class InJvmTransportContractTest extends TransportContract {
    private final InJvmTransport network = new InJvmTransport(7);
    private final AtomicInteger addresses = new AtomicInteger();

    @Override
    protected Transport transport(String node) {
        return network.forNode(node);
    }

    @Override
    protected String address(String name) {
        return name + "-" + addresses.incrementAndGet();
    }

    @Override
    protected void shutdown() {
        network.close();
    }
}
