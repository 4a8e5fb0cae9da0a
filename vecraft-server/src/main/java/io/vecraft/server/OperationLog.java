package io.vecraft.server;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent requests the server answered, for the status page.
 *
 * <p>Thread-safe (synchronised; one short critical section per request).
 */
final class OperationLog {

    /**
     * One answered request.
     *
     * @param time      when it finished
     * @param protocol  {@code http} or {@code grpc}
     * @param operation method and route (or gRPC method)
     * @param status    HTTP status or gRPC code
     * @param requestId the request id
     * @param caller    the key name
     * @param micros    how long it took
     */
    record Entry(Instant time, String protocol, String operation, String status, String requestId, String caller,
                 long micros) {
    }

    private final int capacity;
    private final ArrayDeque<Entry> entries;

    OperationLog(int capacity) {
        this.capacity = capacity;
        this.entries = new ArrayDeque<>(capacity);
    }

    synchronized void add(Entry e) {
        if (entries.size() == capacity) {
            entries.removeFirst();
        }
        entries.addLast(e);
    }

    /** @return newest first */
    synchronized List<Entry> recent() {
        List<Entry> out = new ArrayList<>(entries);
        java.util.Collections.reverse(out);
        return out;
    }
}
