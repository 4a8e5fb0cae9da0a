package io.vecraft.core;

import org.slf4j.MDC;

/**
 * Request tracing: puts a request id into the SLF4J MDC under {@link #MDC_KEY} for the duration of
 * an operation, so every log line written meanwhile on that thread carries it, and restores what
 * the caller had there afterwards (the caller may use the same key for its own request id).
 *
 * <pre>{@code
 * try (RequestContext ignored = RequestContext.enter(requestId)) { ... }
 * }</pre>
 *
 * <p>Not thread-safe: an instance belongs to the thread that entered it and must be closed there.
 */
final class RequestContext implements AutoCloseable {
    /** The MDC key of the request id: {@value}. */
    static final String MDC_KEY = "vecraft.requestId";

    private final String previous;
    private final boolean changed;

    private RequestContext(String previous, boolean changed) {
        this.previous = previous;
        this.changed = changed;
    }

    /**
     * @param requestId the request id; null or empty leaves the MDC unchanged
     * @return the scope; close it on the same thread
     */
    static RequestContext enter(String requestId) {
        if (requestId == null || requestId.isEmpty()) {
            return new RequestContext(null, false);
        }
        String previous = MDC.get(MDC_KEY);
        MDC.put(MDC_KEY, requestId);
        return new RequestContext(previous, true);
    }

    @Override
    public void close() {
        if (!changed) {
            return;
        }
        if (previous == null) {
            MDC.remove(MDC_KEY);
        } else {
            MDC.put(MDC_KEY, previous);
        }
    }
}
