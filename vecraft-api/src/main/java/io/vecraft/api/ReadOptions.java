package io.vecraft.api;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Options of a point read ({@link Collection#get(String, ReadOptions)}) or a count. Immutable;
 * {@code withX} returns a copy.
 */
public final class ReadOptions {
    private static final ReadOptions DEFAULTS = new ReadOptions(null, 0);

    private final Consistency consistency;
    private final long asOfHlc;

    private ReadOptions(Consistency consistency, long asOfHlc) {
        this.consistency = consistency;
        this.asOfHlc = asOfHlc;
    }

    /** @return the database's default consistency, latest snapshot */
    public static ReadOptions defaults() {
        return DEFAULTS;
    }

    /**
     * @param consistency the consistency level
     * @return a copy
     */
    public ReadOptions withConsistency(Consistency consistency) {
        if (consistency == null) {
            throw new InvalidArgumentException("consistency", "must not be null");
        }
        return new ReadOptions(consistency, asOfHlc);
    }

    /**
     * Time travel: read the state as of {@code hlc}, which must lie within the version
     * retention window; if it is after the shards' safe time the read waits for it (bounded).
     *
     * @param hlc a hybrid logical timestamp, positive (see {@link Hlc#of})
     * @return a copy
     */
    public ReadOptions asOf(long hlc) {
        if (hlc <= 0) {
            throw new InvalidArgumentException("asOf", "must be a positive HLC, was " + hlc);
        }
        return new ReadOptions(consistency, hlc);
    }

    /** @return the consistency level, if set */
    public Optional<Consistency> consistency() {
        return Optional.ofNullable(consistency);
    }

    /** @return the as-of HLC, if set */
    public OptionalLong asOfHlc() {
        return asOfHlc > 0 ? OptionalLong.of(asOfHlc) : OptionalLong.empty();
    }
}
