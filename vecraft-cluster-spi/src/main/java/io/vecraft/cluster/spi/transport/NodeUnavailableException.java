package io.vecraft.cluster.spi.transport;

import io.vecraft.api.VecraftException;

/**
 * A node could not be reached: it is down, isolated, or not serving the address. Callers fail
 * over to another replica or retry after a leader change.
 */
public class NodeUnavailableException extends VecraftException {
    private static final long serialVersionUID = 1L;

    private final String address;

    /**
     * @param address the unreachable address
     * @param message why
     */
    public NodeUnavailableException(String address, String message) {
        super("node " + address + " unavailable: " + message);
        this.address = address;
    }

    /** @return the unreachable address */
    public String address() {
        return address;
    }
}
