package io.vecraft.api;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The local-directory {@link SnapshotDestination}: files are created under the directory (which
 * must be absent or empty), forced one by one at {@link #commit}, then the manifest is written to a
 * temporary name, forced, and renamed to {@value SnapshotDestination#MANIFEST}; directories are
 * forced too.
 *
 * <p>Not thread-safe (one snapshot writes it).
 */
public final class DirectorySnapshotDestination implements SnapshotDestination {
    private final Path root;
    private final List<Path> created = new ArrayList<>();
    private final Set<Path> dirs = new LinkedHashSet<>();
    private boolean checked;

    /** @param root an absent or empty directory */
    public DirectorySnapshotDestination(Path root) {
        if (root == null) {
            throw new InvalidArgumentException("directory", "must not be null");
        }
        this.root = root.toAbsolutePath();
    }

    /** @return the directory */
    public Path root() {
        return root;
    }

    @Override
    public String describe() {
        return root.toString();
    }

    private void checkEmpty() throws IOException {
        if (checked) {
            return;
        }
        if (Files.exists(root)) {
            if (!Files.isDirectory(root)) {
                throw new InvalidArgumentException("directory", root + " is not a directory");
            }
            try (Stream<Path> s = Files.list(root)) {
                if (s.findAny().isPresent()) {
                    throw new InvalidArgumentException("directory", root + " is not empty; a snapshot needs an "
                            + "absent or empty directory");
                }
            }
        }
        Files.createDirectories(root);
        dirs.add(root);
        checked = true;
    }

    @Override
    public SeekableByteChannel create(String relativePath) throws IOException {
        checkEmpty();
        Path p = resolve(relativePath);
        Files.createDirectories(p.getParent());
        for (Path d = p.getParent(); d != null && d.startsWith(root); d = d.getParent()) {
            dirs.add(d);
        }
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        created.add(p);
        return ch;
    }

    private Path resolve(String relativePath) {
        if (relativePath == null || relativePath.isEmpty() || relativePath.startsWith("/")
                || relativePath.contains("..") || relativePath.contains("\\")) {
            throw new InvalidArgumentException("relativePath", "must be a relative path without '..', was "
                    + relativePath);
        }
        return root.resolve(relativePath);
    }

    @Override
    public void commit(byte[] manifest) throws IOException {
        checkEmpty();
        for (Path p : created) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        Path tmp = root.resolve(MANIFEST + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(manifest);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, root.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE);
        List<Path> ordered = new ArrayList<>(dirs);
        ordered.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path d : ordered) {
            forceDirectory(d);
        }
    }

    private static void forceDirectory(Path d) throws IOException {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems refuse to open directories; nothing more can be done there
            if (Files.isDirectory(d)) {
                return;
            }
            throw e;
        }
    }

    @Override
    public void abort() {
        if (!checked) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!q.equals(root)) {
                    Files.deleteIfExists(q);
                }
            }
        } catch (IOException ignored) {
            // best effort
        }
    }
}
