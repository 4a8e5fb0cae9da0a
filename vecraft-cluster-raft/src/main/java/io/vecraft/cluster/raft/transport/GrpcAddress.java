package io.vecraft.cluster.raft.transport;

import io.vecraft.api.InvalidArgumentException;
import java.util.regex.Pattern;

/**
 * A transport address of the gRPC transport: {@code host:port/name}. {@code host:port} is the
 * gRPC server (one per node process and port); {@code name} is the service served there (e.g.
 * {@code journal}, {@code replica}), so one port carries every service of a node. The name maps to
 * the gRPC service {@code vecraft.<name>}.
 *
 * @param host host name or IPv4 literal
 * @param port TCP port, 0..65535 (0 only when listening: the server picks a free port)
 * @param name service name, {@value #NAME_PATTERN_TEXT}
 */
public record GrpcAddress(String host, int port, String name) {
    private static final String NAME_PATTERN_TEXT = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";
    private static final Pattern NAME = Pattern.compile(NAME_PATTERN_TEXT);

    /** Validates the parts. */
    public GrpcAddress {
        if (host == null || host.isEmpty()) {
            throw new InvalidArgumentException("address.host", "must be non-empty");
        }
        if (port < 0 || port > 65_535) {
            throw new InvalidArgumentException("address.port", "must be 0 to 65535, was " + port);
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidArgumentException("address.name", "must match " + NAME_PATTERN_TEXT + ", was '" + name + "'");
        }
    }

    /**
     * @param address {@code host:port/name}
     * @return the parsed address
     * @throws InvalidArgumentException if malformed
     */
    public static GrpcAddress parse(String address) {
        if (address == null) {
            throw new InvalidArgumentException("address", "must not be null");
        }
        int slash = address.indexOf('/');
        int colon = slash < 0 ? -1 : address.lastIndexOf(':', slash);
        if (slash < 0 || colon < 0) {
            throw new InvalidArgumentException("address", "must be host:port/name, was '" + address + "'");
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1, slash));
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException("address.port", "must be a number in '" + address + "'");
        }
        return new GrpcAddress(address.substring(0, colon), port, address.substring(slash + 1));
    }

    /**
     * @param hostPort {@code host:port} of a node
     * @param name     service name
     * @return {@code host:port/name}
     */
    public static String of(String hostPort, String name) {
        return hostPort + "/" + name;
    }

    /** @return {@code host:port} */
    public String hostPort() {
        return host + ":" + port;
    }

    /** @return the gRPC service name, {@code vecraft.<name>} */
    String serviceName() {
        return "vecraft." + name;
    }

    @Override
    public String toString() {
        return host + ":" + port + "/" + name;
    }
}
