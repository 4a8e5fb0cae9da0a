package io.vecraft.api;

/** Thrown on use of a database, collection, journal or shard after {@code close()}. */
public class VecraftClosedException extends VecraftException {
    private static final long serialVersionUID = 1L;

    /** @param what the closed thing, e.g. {@code "database /data/vecraft"} */
    public VecraftClosedException(String what) {
        super(what + " is closed");
    }
}
