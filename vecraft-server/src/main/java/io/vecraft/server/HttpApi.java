package io.vecraft.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vecraft.api.AckLevel;
import io.vecraft.api.Consistency;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.WriteOptions;
import io.vecraft.client.wire.JsonCodec;
import io.vecraft.client.wire.Problem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The HTTP front end: a Jetty handler that matches the request to a {@link Route}, then applies,
 * in order, the request id, authentication, authorisation, the rate limit and the body size limit,
 * runs the route and writes JSON (or a problem detail). Every request is timed into the Micrometer
 * registry ({@code vecraft.server.requests}) and recorded in the operation log.
 *
 * <p>Thread-safe: stateless per request; called concurrently by Jetty's worker threads.
 */
final class HttpApi extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    /** Methods timed under their own name; any other (clients may send any token) is timed as OTHER. */
    private static final java.util.Set<String> METHODS = java.util.Set.of("GET", "HEAD", "POST", "PUT", "DELETE",
            "PATCH", "OPTIONS", "TRACE", "CONNECT");

    /** Request header carrying the caller's request id (echoed in the response and journal receipts). */
    static final String REQUEST_ID = "X-Request-Id";
    static final String API_KEY = "X-Api-Key";
    static final String CONSISTENCY = "X-Consistency-Level";
    static final String MAX_STALENESS = "X-Max-Staleness-Ms";
    static final String SESSION_HLC = "X-Session-Hlc";
    static final String ACK_LEVEL = "X-Ack-Level";

    /** Handles one matched request. */
    @FunctionalInterface
    interface Action {
        Reply run(Call call) throws Exception;
    }

    /**
     * A route: method, path template ({@code {name}} segments bind parameters), the role it needs
     * ({@code null} = public), and the action.
     */
    record Route(String method, String template, Role role, String summary, Action action) {
        Map<String, String> match(String method, List<String> segments) {
            if (!this.method.equals(method)) {
                return null;
            }
            String[] parts = template.substring(1).split("/");
            if (parts.length != segments.size()) {
                return null;
            }
            Map<String, String> params = new HashMap<>(2);
            for (int i = 0; i < parts.length; i++) {
                if (parts[i].startsWith("{")) {
                    params.put(parts[i].substring(1, parts[i].length() - 1), segments.get(i));
                } else if (!parts[i].equals(segments.get(i))) {
                    return null;
                }
            }
            return params;
        }

        boolean pathMatches(List<String> segments) {
            String[] parts = template.substring(1).split("/");
            if (parts.length != segments.size()) {
                return false;
            }
            for (int i = 0; i < parts.length; i++) {
                if (!parts[i].startsWith("{") && !parts[i].equals(segments.get(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A response: status, content type and bytes. */
    record Reply(int status, String contentType, byte[] body) {
        static Reply json(int status, JsonNode node) {
            return new Reply(status, "application/json", JsonCodec.bytes(node));
        }

        static Reply ok(JsonNode node) {
            return json(200, node);
        }

        static Reply noContent() {
            return new Reply(204, null, new byte[0]);
        }

        static Reply text(int status, String contentType, String text) {
            return new Reply(status, contentType, text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** What an action sees of its request. Used by one thread. */
    final class Call {
        final Request request;
        final Map<String, String> params;
        final String requestId;
        final Gatekeeper.Caller caller;
        private Fields query;

        Call(Request request, Map<String, String> params, String requestId, Gatekeeper.Caller caller) {
            this.request = request;
            this.params = params;
            this.requestId = requestId;
            this.caller = caller;
        }

        /** Parses the query string on first use: malformed percent-encoding or UTF-8 is bad input (400). */
        private Fields queryFields() {
            if (query == null) {
                try {
                    query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
                } catch (RuntimeException e) {
                    throw new InvalidArgumentException("query", "is not a well-formed query string ("
                            + e.getMessage() + ")");
                }
            }
            return query;
        }

        String param(String name) {
            return params.get(name);
        }

        Optional<String> query(String name) {
            return Optional.ofNullable(queryFields().getValue(name));
        }

        long queryLong(String name, long dflt) {
            Optional<String> v = query(name);
            if (v.isEmpty()) {
                return dflt;
            }
            try {
                return Long.parseLong(v.get());
            } catch (NumberFormatException e) {
                throw new InvalidArgumentException(name, "must be an integer, was '" + v.get() + "'");
            }
        }

        String header(String name) {
            return request.getHeaders().get(name);
        }

        /** @return the body as JSON (400 when malformed, 413 when over the limit) */
        JsonNode body() {
            return JsonCodec.parse(readBody(request, maxBodyBytes));
        }

        /** @return write options carrying the request id and the ack level header */
        WriteOptions writeOptions(JsonNode body) {
            WriteOptions o = WriteOptions.defaults().withRequestId(requestId);
            String ack = body != null && body.hasNonNull("ackLevel") ? body.get("ackLevel").asText() : header(ACK_LEVEL);
            if (ack != null) {
                try {
                    o = o.withAckLevel(AckLevel.valueOf(ack.strip().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidArgumentException("ackLevel", "must be APPLIED or DURABLE, was '" + ack + "'");
                }
            }
            return o;
        }

        /** @return the consistency from the headers, or null */
        Consistency headerConsistency() {
            String level = header(CONSISTENCY);
            if (level == null) {
                return null;
            }
            Long staleness = null;
            String s = header(MAX_STALENESS);
            if (s != null) {
                try {
                    staleness = Long.parseLong(s.strip());
                } catch (NumberFormatException e) {
                    throw new InvalidArgumentException(MAX_STALENESS, "must be milliseconds, was '" + s + "'");
                }
            }
            long session = 0;
            String h = header(SESSION_HLC);
            if (h != null) {
                try {
                    session = Long.parseLong(h.strip());
                } catch (NumberFormatException e) {
                    throw new InvalidArgumentException(SESSION_HLC, "must be an HLC (long), was '" + h + "'");
                }
            }
            return JsonCodec.consistency(level, staleness, session, CONSISTENCY);
        }

        /** @return read options from the consistency headers and the {@code asOf} query parameter */
        ReadOptions readOptions() {
            ReadOptions o = ReadOptions.defaults();
            Consistency c = headerConsistency();
            if (c != null) {
                o = o.withConsistency(c);
            }
            long asOf = queryLong("asOf", 0);
            if (asOf != 0) {
                o = o.asOf(asOf);
            }
            return o;
        }
    }

    private final List<Route> routes;
    private final Gatekeeper gate;
    private final int maxBodyBytes;
    private final boolean statusPublic;
    private final MeterRegistry meters;
    private final OperationLog operations;

    HttpApi(List<Route> routes, Gatekeeper gate, ServerConfig config, MeterRegistry meters, OperationLog operations) {
        this.routes = List.copyOf(routes);
        this.gate = gate;
        this.maxBodyBytes = config.maxBodyBytes();
        this.statusPublic = config.statusPagePublic();
        this.meters = meters;
        this.operations = operations;
    }

    /** @return the routes, in match order */
    List<Route> routes() {
        return routes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String method = request.getMethod();
        String rawPath = request.getHttpURI().getPath();
        String requestIdHeader = request.getHeaders().get(REQUEST_ID);
        String requestId = requestId(requestIdHeader);
        response.getHeaders().put(REQUEST_ID, requestId);
        String template = "unmatched";
        Gatekeeper.Caller caller = null;
        Reply reply;
        MDC.put("requestId", requestId);
        try {
            checkRequestId(requestIdHeader);
            List<String> segments = segments(rawPath);
            Route route = null;
            Map<String, String> params = null;
            for (Route r : routes) {
                params = r.match(method, segments);
                if (params != null) {
                    route = r;
                    break;
                }
            }
            if (route == null) {
                boolean pathKnown = routes.stream().anyMatch(r -> r.pathMatches(segments));
                throw pathKnown
                        ? new ApiError(405, "method-not-allowed", "Method not allowed", method + " is not supported on " + rawPath)
                        : new ApiError(404, "not-found", "Not found", "no route for " + method + " " + rawPath);
            }
            template = route.template();
            Role required = route.role();
            if (required == Role.READ && statusPublic && route.template().equals("/status")) {
                required = null;
            }
            if (required != null) {
                caller = gate.authenticate(presentedKey(request));
                MDC.put("caller", caller.name());
                gate.authorize(caller, required, method + " " + route.template());
                gate.admit(caller);
            }
            long length = request.getLength();
            if (length > maxBodyBytes) {
                throw ApiError.tooLarge("request body of " + length + " bytes exceeds the limit of " + maxBodyBytes + " bytes");
            }
            reply = route.action().run(new Call(request, params, requestId, caller));
        } catch (ApiError e) {
            reply = problem(e.problem(rawPath, requestId));
            if (e.retryAfterSeconds > 0) {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(e.retryAfterSeconds));
            }
            if (e.status == 413) {
                // The unread rest of the body cannot be trusted to be drained: end the connection.
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
        } catch (Throwable e) {
            Problem p = Problem.of(e, rawPath, requestId);
            if (p.status() >= 500) {
                LOG.warn("{} {} failed (request {}): {}", method, rawPath, requestId, e.toString(), e);
            }
            if (p.type().equals("capacity")) {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            }
            reply = problem(p);
        } finally {
            MDC.remove("caller");
        }
        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
        try {
            Timer.builder("vecraft.server.requests").description("requests answered by the gateway")
                    .tag("protocol", "http").tag("method", METHODS.contains(method) ? method : "OTHER")
                    .tag("route", template)
                    .tag("status", Integer.toString(reply.status())).register(meters)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            if (!template.equals("/metrics") && !template.equals("/status") && !template.startsWith("/health")
                    && !template.equals("/readyz")) {
                operations.add(new OperationLog.Entry(Instant.now(), "http", method + " " + template,
                        Integer.toString(reply.status()), requestId, caller == null ? "-" : caller.name(), micros));
            }
            LOG.debug("{} {} -> {} in {} us", method, rawPath, reply.status(), micros);
        } finally {
            MDC.remove("requestId");
        }
        response.setStatus(reply.status());
        if (reply.contentType() != null) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        }
        response.write(true, ByteBuffer.wrap(reply.body()), callback);
        return true;
    }

    private static Reply problem(Problem p) {
        return new Reply(p.status(), Problem.MEDIA_TYPE + "; charset=utf-8", JsonCodec.bytes(p.toJson()));
    }

    private static String presentedKey(Request request) {
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7);
        }
        return request.getHeaders().get(API_KEY);
    }

    /**
     * @param header the caller's request id, or null
     * @return it when usable, else a new UUID (an unusable one is then refused by {@link #checkRequestId})
     */
    static String requestId(String header) {
        return header != null && usable(header.strip()) ? header.strip() : UUID.randomUUID().toString();
    }

    /**
     * @param header the caller's request id, or null
     * @throws InvalidArgumentException naming {@code X-Request-Id} when it is given but unusable
     */
    static void checkRequestId(String header) {
        if (header != null && !usable(header.strip())) {
            throw new InvalidArgumentException(REQUEST_ID, "must be 1 to " + WriteOptions.MAX_REQUEST_ID_BYTES
                    + " printable ASCII characters without spaces, was " + header.length() + " characters");
        }
    }

    private static boolean usable(String id) {
        return !id.isEmpty() && id.length() <= WriteOptions.MAX_REQUEST_ID_BYTES && id.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    /** Splits a raw (percent-encoded) path into decoded segments. */
    static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        if (rawPath == null || rawPath.isEmpty() || rawPath.equals("/")) {
            return out;
        }
        int start = rawPath.charAt(0) == '/' ? 1 : 0;
        String p = rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
        for (String s : p.substring(start).split("/", -1)) {
            out.add(percentDecode(s));
        }
        return out;
    }

    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new InvalidArgumentException("path", "bad percent-encoding in '" + s + "'");
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else if (c == '%') {
                throw new InvalidArgumentException("path", "bad percent-encoding in '" + s + "'");
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Reads a request body, refusing more than {@code limit} bytes.
     *
     * @throws ApiError 413 when the body is larger than the limit
     */
    static byte[] readBody(Request request, int limit) {
        try (InputStream in = Content.Source.asInputStream(request)) {
            // Grows with what arrives: a declared Content-Length alone must not reserve the whole limit.
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(request.getLength(), 256),
                    Math.min(limit, 64 * 1024)));
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > limit) {
                    throw ApiError.tooLarge("request body exceeds the limit of " + limit + " bytes");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new InvalidArgumentException("body", "could not be read: " + e.getMessage());
        }
    }
}
