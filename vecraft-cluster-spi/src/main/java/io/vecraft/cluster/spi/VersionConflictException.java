package io.vecraft.cluster.spi;

import io.vecraft.api.VecraftException;

/** A compare-and-set in the {@link MetadataStore} found another version than expected. */
public class VersionConflictException extends VecraftException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final long expected;
    private final long actual;

    /**
     * @param key      the key
     * @param expected expected version
     * @param actual   actual version (0 if absent)
     */
    public VersionConflictException(String key, long expected, long actual) {
        super("metadata key '" + key + "': expected version " + expected + ", found " + actual);
        this.key = key;
        this.expected = expected;
        this.actual = actual;
    }

    /** @return the key */
    public String key() {
        return key;
    }

    /** @return the expected version */
    public long expected() {
        return expected;
    }

    /** @return the version found (0 if absent) */
    public long actual() {
        return actual;
    }
}
