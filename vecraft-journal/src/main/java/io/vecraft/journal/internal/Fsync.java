package io.vecraft.journal.internal;

import io.vecraft.api.VecraftIOException;
import io.vecraft.api.spi.ForceObserver;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** fsync helpers; every force goes through the installed {@link ForceObserver}. Stateless and thread-safe. */
public final class Fsync {
    private Fsync() {
    }

    /**
     * fsyncs a directory so that file creations, renames and deletions in it are durable.
     *
     * @param dir the directory
     * @throws VecraftIOException on failure
     */
    public static void directory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ForceObserver.force(dir, ForceObserver.Kind.DIRECTORY, () -> ch.force(true));
        } catch (IOException e) {
            throw new VecraftIOException("fsync of directory " + dir + " failed", e);
        }
    }

    /**
     * fsyncs a regular file.
     *
     * @param file the file
     * @throws IOException on failure
     */
    public static void file(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            force(ch, file, true);
        }
    }

    /**
     * Forces an open channel through the installed {@link ForceObserver}, if any.
     *
     * @param ch       the channel
     * @param file     its file (for the observer)
     * @param metaData true for fsync, false for fdatasync
     * @throws IOException on failure
     */
    public static void force(FileChannel ch, Path file, boolean metaData) throws IOException {
        ForceObserver.force(file, ForceObserver.Kind.FILE, () -> ch.force(metaData));
    }
}
