package io.vecraft.client.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vecraft.api.AlreadyExistsException;
import io.vecraft.api.CapacityException;
import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.api.VecraftTimeoutException;
import java.util.Optional;

/**
 * An RFC 9457 problem detail ({@code application/problem+json}) as the server sends it and the
 * client reads it, with the mapping from and to {@link VecraftException} subclasses.
 *
 * <p>JSON members: {@code type} (a URI below {@link #TYPE_BASE}, one per kind below),
 * {@code title}, {@code status}, {@code detail} (the human-readable message), {@code instance}
 * (the request path), and the extensions {@code requestId}, {@code field} (invalid-argument),
 * {@code kind} and {@code name} (not-found, already-exists).
 *
 * <table>
 *   <caption>kinds</caption>
 *   <tr><th>type suffix</th><th>status</th><th>exception</th></tr>
 *   <tr><td>invalid-argument</td><td>400</td><td>{@link InvalidArgumentException}</td></tr>
 *   <tr><td>unauthorized</td><td>401</td><td>{@link AccessDeniedException}</td></tr>
 *   <tr><td>forbidden</td><td>403</td><td>{@link AccessDeniedException}</td></tr>
 *   <tr><td>not-found</td><td>404</td><td>{@link NotFoundException}</td></tr>
 *   <tr><td>method-not-allowed</td><td>405</td><td>{@link VecraftException}</td></tr>
 *   <tr><td>already-exists</td><td>409</td><td>{@link AlreadyExistsException}</td></tr>
 *   <tr><td>payload-too-large</td><td>413</td><td>{@link InvalidArgumentException} (field {@code body})</td></tr>
 *   <tr><td>unsupported-media-type</td><td>415</td><td>{@link InvalidArgumentException}</td></tr>
 *   <tr><td>rate-limited</td><td>429</td><td>{@link CapacityException}</td></tr>
 *   <tr><td>capacity</td><td>503</td><td>{@link CapacityException}</td></tr>
 *   <tr><td>closed</td><td>503</td><td>{@link VecraftClosedException}</td></tr>
 *   <tr><td>timeout</td><td>504</td><td>{@link VecraftTimeoutException}</td></tr>
 *   <tr><td>corrupted-data</td><td>500</td><td>{@link CorruptedDataException}</td></tr>
 *   <tr><td>io</td><td>500</td><td>{@link VecraftIOException}</td></tr>
 *   <tr><td>internal</td><td>500</td><td>{@link VecraftException}</td></tr>
 * </table>
 *
 * @param type      the kind suffix (e.g. {@code not-found}); the JSON carries {@link #TYPE_BASE} + it
 * @param title     short summary of the kind
 * @param status    HTTP status
 * @param detail    what went wrong, for people
 * @param instance  the request path
 * @param requestId the request id, if any
 * @param field     the offending field (invalid-argument), if any
 * @param kind      the kind of thing (not-found, already-exists), if any
 * @param name      the name of the thing (not-found, already-exists), if any
 *
 * <p>Values are immutable and thread-safe.
 */
public record Problem(String type, String title, int status, String detail, String instance, String requestId,
                      String field, String kind, String name) {

    /** Media type of problem details. */
    public static final String MEDIA_TYPE = "application/problem+json";
    /** Prefix of every problem type URI. */
    public static final String TYPE_BASE = "https://vecraft.io/problems/";

    /**
     * Maps an exception thrown by the database to a problem.
     *
     * @param e         the exception
     * @param instance  the request path
     * @param requestId the request id (may be null)
     * @return the problem
     */
    public static Problem of(Throwable e, String instance, String requestId) {
        if (e instanceof InvalidArgumentException ia) {
            return new Problem("invalid-argument", "Invalid argument", 400, ia.getMessage(), instance, requestId,
                    ia.field(), null, null);
        }
        if (e instanceof NotFoundException nf) {
            return new Problem("not-found", "Not found", 404, nf.getMessage(), instance, requestId, null,
                    nf.kind(), nf.name());
        }
        if (e instanceof AlreadyExistsException ae) {
            return new Problem("already-exists", "Already exists", 409, ae.getMessage(), instance, requestId, null,
                    ae.kind(), ae.name());
        }
        if (e instanceof CapacityException) {
            return simple("capacity", "Over capacity", 503, e.getMessage(), instance, requestId);
        }
        if (e instanceof VecraftTimeoutException) {
            return simple("timeout", "Timed out", 504, e.getMessage(), instance, requestId);
        }
        if (e instanceof VecraftClosedException) {
            return simple("closed", "Database closed", 503, e.getMessage(), instance, requestId);
        }
        if (e instanceof CorruptedDataException) {
            return simple("corrupted-data", "Corrupted data", 500, e.getMessage(), instance, requestId);
        }
        if (e instanceof VecraftIOException) {
            return simple("io", "I/O error", 500, e.getMessage(), instance, requestId);
        }
        return simple("internal", "Internal error", 500,
                e instanceof VecraftException ? e.getMessage() : "internal error (" + e.getClass().getSimpleName()
                        + "); see the server log for request " + requestId, instance, requestId);
    }

    /**
     * @param type      kind suffix
     * @param title     summary
     * @param status    HTTP status
     * @param detail    message
     * @param instance  request path
     * @param requestId request id (may be null)
     * @return a problem without field/kind/name
     */
    public static Problem simple(String type, String title, int status, String detail, String instance,
                                 String requestId) {
        return new Problem(type, title, status, detail, instance, requestId, null, null, null);
    }

    /** @return the JSON form */
    public ObjectNode toJson() {
        ObjectNode o = JsonCodec.object();
        o.put("type", TYPE_BASE + type);
        o.put("title", title);
        o.put("status", status);
        o.put("detail", detail);
        if (instance != null) {
            o.put("instance", instance);
        }
        if (requestId != null) {
            o.put("requestId", requestId);
        }
        if (field != null) {
            o.put("field", field);
        }
        if (kind != null) {
            o.put("kind", kind);
        }
        if (name != null) {
            o.put("name", name);
        }
        return o;
    }

    /**
     * @param n      a problem JSON object (may be missing members)
     * @param status the HTTP status of the response
     * @return the problem
     */
    public static Problem fromJson(JsonNode n, int status) {
        String type = n.path("type").asText("");
        if (type.startsWith(TYPE_BASE)) {
            type = type.substring(TYPE_BASE.length());
        }
        return new Problem(type, n.path("title").asText(""), status, n.path("detail").asText(""),
                n.path("instance").asText(null), n.path("requestId").asText(null), n.path("field").asText(null),
                n.path("kind").asText(null), n.path("name").asText(null));
    }

    /** @return the exception a Java caller of the embedded database would have seen */
    public VecraftException toException() {
        String msg = detail + (requestId == null ? "" : " [request " + requestId + "]");
        switch (type) {
            case "invalid-argument": {
                String f = field == null ? "request" : field;
                String m = detail.startsWith(f + ": ") ? detail.substring(f.length() + 2) : detail;
                return new InvalidArgumentException(f, m);
            }
            case "payload-too-large":
            case "unsupported-media-type":
                return new InvalidArgumentException(Optional.ofNullable(field).orElse("body"), detail);
            case "not-found":
                return kind != null && name != null ? new NotFoundException(kind, name) : new VecraftException(msg);
            case "already-exists":
                return kind != null && name != null ? new AlreadyExistsException(kind, name) : new VecraftException(msg);
            case "rate-limited":
            case "capacity":
                return new CapacityException(msg);
            case "timeout":
                return new VecraftTimeoutException(msg);
            case "closed":
                return new VecraftClosedException(msg);
            case "corrupted-data":
                return new CorruptedDataException("server", -1, msg);
            case "io":
                return new VecraftIOException(msg, null);
            case "unauthorized":
            case "forbidden":
                return new AccessDeniedException(status, msg);
            default:
                return new VecraftException("HTTP " + status + " " + title + ": " + msg);
        }
    }

    /**
     * The server refused the caller's credentials (401: missing or unknown API key; 403: the key's
     * role does not allow the operation). Thread-safe (immutable).
     */
    public static final class AccessDeniedException extends VecraftException {
        private static final long serialVersionUID = 1L;
        private final int status;

        /**
         * @param status  401 or 403
         * @param message what was refused
         */
        public AccessDeniedException(int status, String message) {
            super(message);
            this.status = status;
        }

        /** @return 401 or 403 */
        public int status() {
            return status;
        }
    }
}
