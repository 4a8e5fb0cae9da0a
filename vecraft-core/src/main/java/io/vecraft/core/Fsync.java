package io.vecraft.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** fsync of directories, so renames and new files survive a power loss. Stateless. */
final class Fsync {
    private Fsync() {
    }

    /**
     * @param dir directory to force
     * @throws IOException if the force fails
     */
    static void directory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
