package io.vecraft.api.spi;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Sees every force to disk that Vecraft issues: {@code fsync}/{@code fdatasync} of a file, {@code msync} of a
 * mapped file and {@code fsync} of a directory. A test and diagnostics hook, not for applications: crash
 * tests use it to copy what was forced into a shadow directory (a power-loss simulation: whatever was not
 * forced is lost) and fault-injection tests use it to make a force fail.
 *
 * <p>Install one with {@link #install(ForceObserver)}; it then applies to every database, journal and shard
 * in the JVM until {@link #uninstall()}. With none installed a force costs one volatile read more.
 *
 * <p>Threading: the callbacks run on the thread doing the force, possibly on many threads at once, so an
 * observer must be thread-safe. {@link #afterForce} must not throw.
 */
public interface ForceObserver {

    /** What is being forced. */
    enum Kind {
        /** A regular file forced through its channel ({@code fsync} or {@code fdatasync}). */
        FILE,
        /** The mapped pages of a memory-mapped file ({@code msync}); the whole mapping of the file. */
        MAPPED,
        /** A directory, so that entries created, renamed or deleted in it are durable. */
        DIRECTORY
    }

    /**
     * Called before a force. Throwing makes the force fail exactly as if the operating system had reported
     * an error: the caller sees the {@link IOException} (wrapped in a
     * {@link io.vecraft.api.VecraftIOException}) and the force is not performed.
     *
     * @param path the file or directory
     * @param kind what is forced
     * @throws IOException to inject a failure
     */
    default void beforeForce(Path path, Kind kind) throws IOException {
    }

    /**
     * Called after a force returned successfully: everything written to {@code path} before
     * {@link #beforeForce} is now on disk.
     *
     * @param path the file or directory
     * @param kind what was forced
     */
    default void afterForce(Path path, Kind kind) {
    }

    /**
     * Installs the JVM-wide observer, replacing any earlier one.
     *
     * @param observer the observer, not null
     */
    static void install(ForceObserver observer) {
        if (observer == null) {
            throw new io.vecraft.api.InvalidArgumentException("observer", "must not be null (use uninstall())");
        }
        ForceObserverHolder.current = observer;
    }

    /** Removes the JVM-wide observer, if any. */
    static void uninstall() {
        ForceObserverHolder.current = null;
    }

    /** @return the installed observer, or null when none is (the normal case) */
    static ForceObserver installed() {
        return ForceObserverHolder.current;
    }

    /**
     * Runs a force between the installed observer's callbacks; what every force in Vecraft goes through.
     *
     * @param path  the file or directory
     * @param kind  what is forced
     * @param force the force itself
     * @throws IOException if the observer or the force fails
     */
    static void force(Path path, Kind kind, Force force) throws IOException {
        ForceObserver o = ForceObserverHolder.current;
        if (o == null) {
            force.run();
            return;
        }
        o.beforeForce(path, kind);
        force.run();
        o.afterForce(path, kind);
    }

    /** A force: {@code FileChannel.force}, {@code MappedByteBuffer.force} and the like. */
    @FunctionalInterface
    interface Force {
        /**
         * @throws IOException if the force fails
         */
        void run() throws IOException;
    }
}
