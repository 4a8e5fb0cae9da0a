package io.vecraft.core;

import io.vecraft.api.spi.ForceObserver;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * fsync of files and directories, so renames and new files survive a power loss; every force goes
 * through the installed {@link ForceObserver}. Stateless.
 */
final class Fsync {
    private Fsync() {
    }

    /**
     * @param dir directory to force
     * @throws IOException if the force fails
     */
    static void directory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ForceObserver.force(dir, ForceObserver.Kind.DIRECTORY, () -> ch.force(true));
        }
    }

    /**
     * @param ch   an open channel
     * @param file its file (for the observer)
     * @throws IOException if the force fails
     */
    static void file(FileChannel ch, Path file) throws IOException {
        ForceObserver.force(file, ForceObserver.Kind.FILE, () -> ch.force(true));
    }
}
