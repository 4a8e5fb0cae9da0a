package io.vecraft.cluster.raft.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Free loopback TCP ports (found by binding port 0 and releasing it; another process may take one
 * before it is used, which callers then see as a clear bind error).
 *
 * <p>Thread-safe.
 */
public final class FreePorts {
    private FreePorts() {
    }

    /** @return a port that was free a moment ago */
    public static int one() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
