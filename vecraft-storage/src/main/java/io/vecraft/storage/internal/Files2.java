package io.vecraft.storage.internal;

import io.vecraft.api.VecraftIOException;
import io.vecraft.api.spi.ForceObserver;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * File-system helpers: fsync of files and directories (through the installed {@link ForceObserver}),
 * recursive delete. Stateless and thread-safe.
 */
public final class Files2 {
    private Files2() {
    }

    /**
     * Forces a file's content and metadata to the device.
     *
     * @param file the file
     */
    public static void fsync(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            force(ch, file);
        } catch (IOException e) {
            throw new VecraftIOException("cannot fsync " + file, e);
        }
    }

    /**
     * Forces an open channel (content and metadata) through the installed {@link ForceObserver}.
     *
     * @param ch   the channel
     * @param file its file (for the observer)
     * @throws IOException on failure
     */
    public static void force(FileChannel ch, Path file) throws IOException {
        ForceObserver.force(file, ForceObserver.Kind.FILE, () -> ch.force(true));
    }

    /**
     * Forces a directory's entries to the device (so renames and creations inside it survive a
     * power loss). A no-op where the platform cannot open directories.
     *
     * @param dir the directory
     */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ForceObserver.force(dir, ForceObserver.Kind.DIRECTORY, () -> ch.force(true));
        } catch (IOException e) {
            // Opening a directory for reading is not supported everywhere (e.g. Windows); Linux is the target.
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows")) {
                throw new VecraftIOException("cannot fsync directory " + dir, e);
            }
        }
    }

    /**
     * Creates a directory and any missing parents, fsyncing the parent of each directory it
     * creates, so that the new directories survive a power loss.
     *
     * @param dir the directory
     */
    public static void createDirectories(Path dir) {
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return;
        }
        Path parent = abs.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectories(abs);
        } catch (IOException e) {
            throw new VecraftIOException("cannot create directory " + abs, e);
        }
        if (parent != null) {
            fsyncDirectory(parent);
        }
    }

    /**
     * Deletes a file or a directory tree if present.
     *
     * @param path the path
     */
    public static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new VecraftIOException("cannot delete " + path, e);
        }
    }
}
