package io.vecraft.core;

import io.vecraft.api.spi.ForceObserver;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A power-loss model built from what was forced: a {@link ForceObserver} that, for every file under
 * {@code root}, copies the file's content into a shadow store when a force of it returns, and records a
 * directory's entries when a force of the directory returns; both are keyed by inode, so a rename carries
 * them (as it does on disk). A power cut is
 * {@link #materialize}: a copy of the directory tree in which a directory holds exactly the entries it had at
 * its last directory force (a directory never forced is empty, except {@code root}, whose own entry the test
 * created) and a file holds its content as of its last force (empty if it was never forced). Everything not
 * forced is lost; the copy may also hold data written after a force started, as real hardware may.
 *
 * <p>Chronicle cycle files ({@code *.cq4}) are copied only up to the end of their written excerpts (they are
 * hundreds of MiB of holes); mapped shard files with {@code cp --sparse=always}.
 *
 * <p>Simplifications: content is copied whole at each force (no reordering or tearing of the writes inside a
 * file; torn writes are covered by the corruption and torn-tail tests); a directory entry becomes durable
 * only when its directory is forced (stricter than ext4, which commits metadata with any later fsync); if
 * the file system reuses the inode of a deleted file for a new file that is never forced, the new file would
 * get the old content: Vecraft never forces only its lock files and the derived id map, whose content is
 * never read.
 *
 * <p>Thread-safe: every callback and {@link #materialize} run under the instance lock, so a cut sees no force
 * half-recorded.
 */
final class PowerLossSimulator implements ForceObserver {
    /** A durable directory entry: a file or directory identified by its inode (file key). */
    private record Entry(boolean directory, Object key) {
    }

    private final Path root;
    private final Path store;
    private final Map<Object, Path> content = new HashMap<>();
    private final Map<Object, Long> cycleEnds = new HashMap<>();
    /** Directory inode -> its entries as of its last force. Keyed by inode: a renamed directory keeps them. */
    private final Map<Object, Map<String, Entry>> listings = new HashMap<>();
    private long snapshots;
    private long forces;

    /**
     * @param root  the database directory to watch
     * @param store where forced content is kept
     */
    PowerLossSimulator(Path root, Path store) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.store = store;
        Files.createDirectories(store);
    }

    @Override
    public synchronized void afterForce(Path path, Kind kind) {
        Path p = path.toAbsolutePath().normalize();
        if (!p.startsWith(root)) {
            return;
        }
        forces++;
        try {
            if (kind == Kind.DIRECTORY) {
                Map<String, Entry> entries = new TreeMap<>();
                try (Stream<Path> s = Files.list(p)) {
                    for (Path e : (Iterable<Path>) s::iterator) {
                        BasicFileAttributes a = Files.readAttributes(e, BasicFileAttributes.class);
                        entries.put(e.getFileName().toString(), new Entry(a.isDirectory(), a.fileKey()));
                    }
                }
                listings.put(key(p), entries);
            } else {
                Object key = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
                Path copy = store.resolve("f" + (snapshots++));
                String name = p.getFileName().toString();
                if (name.endsWith(".cq4")) {
                    long end = DataDirs.cycleDataEnd(p, cycleEnds.getOrDefault(key, 0L));
                    cycleEnds.put(key, end);
                    try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ);
                         FileChannel out = FileChannel.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        long done = 0;
                        while (done < end) {
                            done += in.transferTo(done, end - done, out);
                        }
                    }
                    try (RandomAccessFile raf = new RandomAccessFile(copy.toFile(), "rw")) {
                        raf.setLength(Files.size(p)); // same apparent size, the rest a hole
                    }
                } else if (kind == Kind.MAPPED) {
                    DataDirs.copy(p, copy);
                } else {
                    Files.copy(p, copy);
                }
                Path previous = content.put(key, copy);
                if (previous != null) {
                    Files.deleteIfExists(previous);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("power-loss simulator could not record " + p, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** @return forces seen under the root */
    synchronized long forces() {
        return forces;
    }

    /**
     * Writes the state the disk would hold after a power cut now.
     *
     * @param target a directory that does not exist yet
     */
    synchronized void materialize(Path target) throws IOException, InterruptedException {
        Files.createDirectories(target);
        copyDir(key(root), target);
    }

    private static Object key(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    }

    private void copyDir(Object dirKey, Path target) throws IOException, InterruptedException {
        Map<String, Entry> entries = listings.get(dirKey);
        if (entries == null) {
            return;
        }
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Path to = target.resolve(e.getKey());
            if (e.getValue().directory()) {
                Files.createDirectories(to);
                copyDir(e.getValue().key(), to);
            } else {
                Path c = content.get(e.getValue().key());
                if (c == null) {
                    Files.createFile(to); // the entry is durable, its data never was
                } else if (Files.size(c) > (8 << 20)) {
                    DataDirs.copy(c, to);
                } else {
                    Files.copy(c, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
