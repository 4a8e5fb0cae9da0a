package io.vecraft.server;

import io.vecraft.client.wire.Problem;

/**
 * A refusal decided by the gateway itself (authentication, authorisation, rate limit, size
 * limit, routing), as opposed to an exception thrown by the database.
 *
 * <p>Immutable; thread-safe.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final String type;
    final String title;
    final int status;
    final long retryAfterSeconds;

    ApiError(int status, String type, String title, String detail) {
        this(status, type, title, detail, 0);
    }

    ApiError(int status, String type, String title, String detail, long retryAfterSeconds) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    Problem problem(String instance, String requestId) {
        return Problem.simple(type, title, status, getMessage(), instance, requestId);
    }

    static ApiError unauthorized(String detail) {
        return new ApiError(401, "unauthorized", "Unauthorized", detail);
    }

    static ApiError forbidden(String detail) {
        return new ApiError(403, "forbidden", "Forbidden", detail);
    }

    static ApiError tooLarge(String detail) {
        return new ApiError(413, "payload-too-large", "Payload too large", detail);
    }

    static ApiError rateLimited(String detail, long retryAfterSeconds) {
        return new ApiError(429, "rate-limited", "Too many requests", detail, retryAfterSeconds);
    }
}
