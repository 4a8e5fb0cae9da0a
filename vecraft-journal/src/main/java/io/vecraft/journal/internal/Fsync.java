package io.vecraft.journal.internal;

import io.vecraft.api.VecraftIOException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** fsync helpers. Stateless and thread-safe. */
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
            ch.force(true);
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
            ch.force(true);
        }
    }
}
