package io.vecraft.server;

import java.util.Optional;

/**
 * Authentication (API key to {@link Caller}), authorisation (role check) and rate limiting,
 * shared by the HTTP and gRPC front ends so both enforce the same rules.
 *
 * <p>Thread-safe.
 */
final class Gatekeeper {

    /**
     * Who is calling.
     *
     * @param name  the key's name ({@code anonymous} when authentication is off)
     * @param role  what the key may do
     * @param rate  requests per second (0 = unlimited)
     * @param burst bucket size (0 = derived)
     */
    record Caller(String name, Role role, double rate, int burst) {
    }

    private final Optional<ApiKeys> keys;
    private final double defaultRate;
    private final int defaultBurst;
    private final RateLimiter limiter = new RateLimiter();

    Gatekeeper(ServerConfig config) {
        this.keys = config.keys();
        this.defaultRate = config.defaultRatePerSecond();
        this.defaultBurst = config.defaultBurst();
    }

    /** @return whether requests need a key */
    boolean authEnabled() {
        return keys.isPresent();
    }

    /**
     * @param presentedKey the key from the request, or null
     * @return the caller
     * @throws ApiError 401 when a key is needed and missing or unknown
     */
    Caller authenticate(String presentedKey) {
        if (keys.isEmpty()) {
            return new Caller("anonymous", Role.ADMIN, defaultRate, defaultBurst);
        }
        if (presentedKey == null || presentedKey.isBlank()) {
            throw ApiError.unauthorized("an API key is required: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'");
        }
        ApiKeys.Entry e = keys.get().authenticate(presentedKey.strip())
                .orElseThrow(() -> ApiError.unauthorized("unknown API key"));
        double rate = e.ratePerSecond() < 0 ? defaultRate : e.ratePerSecond();
        int burst = e.burst() > 0 ? e.burst() : (e.ratePerSecond() < 0 ? defaultBurst : 0);
        return new Caller(e.name(), e.role(), rate, burst);
    }

    /**
     * @param caller   the caller
     * @param required the role the operation needs
     * @param what     the operation, for the message
     * @throws ApiError 403 when the caller's role is too weak
     */
    void authorize(Caller caller, Role required, String what) {
        if (!caller.role().allows(required)) {
            throw ApiError.forbidden("key '" + caller.name() + "' has role " + caller.role() + "; " + what
                    + " needs role " + required);
        }
    }

    /**
     * @param caller the caller
     * @throws ApiError 429 when the caller's bucket is empty
     */
    void admit(Caller caller) {
        RateLimiter.Decision d = limiter.tryAcquire(caller.name(), caller.rate(), caller.burst());
        if (!d.allowed()) {
            throw ApiError.rateLimited("rate limit of key '" + caller.name() + "' (" + caller.rate()
                    + " requests/s) exceeded; retry after " + d.retryAfterSeconds() + " s", d.retryAfterSeconds());
        }
    }
}
