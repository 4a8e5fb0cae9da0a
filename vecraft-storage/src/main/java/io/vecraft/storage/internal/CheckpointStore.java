package io.vecraft.storage.internal;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.VecraftIOException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Layout and publication of checkpoints under {@code <shard>/checkpoints/}: checkpoint
 * {@code n} is the directory {@code n/} plus the manifest file {@code manifest-n}. A checkpoint
 * is written into {@code n.tmp/}, its files and the directory are fsync'd, the directory is
 * renamed to {@code n/}, then {@code manifest-n.tmp} is written, fsync'd and atomically renamed
 * to {@code manifest-n}, and the parent directory is fsync'd. The manifest (format in FORMAT.md)
 * carries a CRC32C over its own bytes and the length and CRC32C of every file of the checkpoint,
 * so a checkpoint is valid iff its manifest and all its files verify; anything else
 * ({@code *.tmp}, a directory without manifest) is a partial checkpoint and is ignored.
 *
 * <p>Thread-safety: used by the shard's writer thread only.
 */
public final class CheckpointStore {

    /** Manifest magic, ASCII "VCRFMAN1" as a little-endian long. */
    public static final long MAGIC = 0x314e414d46524356L;
    /** Manifest format version. */
    public static final int FORMAT_VERSION = 1;
    /** Index kind code of an exact index. */
    public static final int INDEX_EXACT = 0;
    /** Index kind code of an HNSW index built by jelmerk hnswlib ({@code HnswVectorIndex}, graph.bin). */
    public static final int INDEX_HNSW = 1;
    /** Index kind code of an HNSW index built by {@code GraphVectorIndex} (hnsw-graph.bin). */
    public static final int INDEX_GRAPH = 2;
    private static final String MANIFEST = "manifest-";
    private static final String TMP = ".tmp";

    private final Path dir;

    /**
     * A checkpoint's manifest.
     *
     * @param number         checkpoint number (increasing)
     * @param createdMillis  wall-clock creation time
     * @param dimension      vector dimension
     * @param metricCode     metric code (as in the vector store header)
     * @param indexKind      {@link #INDEX_EXACT}, {@link #INDEX_HNSW} or {@link #INDEX_GRAPH}
     * @param m              HNSW m (0 for exact)
     * @param efConstruction HNSW efConstruction (0 for exact)
     * @param highWater      ordinal high-water mark: vector slots {@code [0, highWater)} belong to it
     * @param payloadLength  valid length of the payload log
     * @param applied        applied sequence per partition id
     * @param files          files of the checkpoint directory
     */
    public record Manifest(long number, long createdMillis, int dimension, int metricCode, int indexKind, int m,
                           int efConstruction, int highWater, long payloadLength, Map<Integer, Long> applied,
                           List<FileEntry> files) {
    }

    /**
     * One file of a checkpoint.
     *
     * @param name   file name inside the checkpoint directory
     * @param length its length in bytes
     * @param crc    CRC32C of its content
     */
    public record FileEntry(String name, long length, int crc) {
    }

    /** @param dir the {@code checkpoints} directory (created if absent) */
    public CheckpointStore(Path dir) {
        this.dir = dir;
        Files2.createDirectories(dir);
    }

    /** @return the checkpoints directory */
    public Path dir() {
        return dir;
    }

    /**
     * @param number a checkpoint number
     * @return its directory
     */
    public Path directory(long number) {
        return dir.resolve(Long.toString(number));
    }

    /** @return numbers of the manifests present, newest first */
    public List<Long> manifestNumbers() {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(MANIFEST) && !name.endsWith(TMP)) {
                    try {
                        out.add(Long.parseLong(name.substring(MANIFEST.length())));
                    } catch (NumberFormatException ignored) {
                        // not ours
                    }
                }
            }
        } catch (IOException e) {
            throw new VecraftIOException("cannot list " + dir, e);
        }
        out.sort(Collections.reverseOrder());
        return out;
    }

    /** @return the highest checkpoint number used by any entry (manifest or directory), or 0 */
    public long highestNumber() {
        long max = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(MANIFEST)) {
                    name = name.substring(MANIFEST.length());
                }
                if (name.endsWith(TMP)) {
                    name = name.substring(0, name.length() - TMP.length());
                }
                try {
                    max = Math.max(max, Long.parseLong(name));
                } catch (NumberFormatException ignored) {
                    // not ours
                }
            }
        } catch (IOException e) {
            throw new VecraftIOException("cannot list " + dir, e);
        }
        return max;
    }

    /**
     * Reads and verifies a manifest and every file it lists.
     *
     * @param number checkpoint number
     * @return the manifest
     * @throws CorruptedDataException naming the file and offset of the first failed check
     */
    public Manifest readVerified(long number) {
        Path file = dir.resolve(MANIFEST + number);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new VecraftIOException("cannot read " + file, e);
        }
        Manifest m = decode(file, bytes);
        if (m.number() != number) {
            throw new CorruptedDataException(file.toString(), 16, "manifest names checkpoint " + m.number());
        }
        Path cdir = directory(number);
        for (FileEntry f : m.files()) {
            Path p = cdir.resolve(f.name());
            long len;
            int crc;
            try (InputStream in = Files.newInputStream(p)) {
                CRC32C c = new CRC32C();
                byte[] buf = new byte[1 << 16];
                long total = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    c.update(buf, 0, n);
                    total += n;
                }
                len = total;
                crc = (int) c.getValue();
            } catch (IOException e) {
                throw new CorruptedDataException(p.toString(), -1, "checkpoint file unreadable: " + e, e);
            }
            if (len != f.length()) {
                throw new CorruptedDataException(p.toString(), Math.min(len, f.length()), "length " + len
                        + ", manifest says " + f.length());
            }
            if (crc != f.crc()) {
                throw new CorruptedDataException(p.toString(), 0, "CRC32C 0x" + Integer.toHexString(crc)
                        + ", manifest says 0x" + Integer.toHexString(f.crc()));
            }
        }
        return m;
    }

    private static Manifest decode(Path file, byte[] bytes) {
        String loc = file.toString();
        if (bytes.length < 72) {
            throw new CorruptedDataException(loc, bytes.length, "manifest truncated: " + bytes.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int crcAt = bytes.length - 4;
        CRC32C c = new CRC32C();
        c.update(bytes, 0, crcAt);
        if ((int) c.getValue() != b.getInt(crcAt)) {
            throw new CorruptedDataException(loc, crcAt, "manifest CRC32C mismatch: computed 0x"
                    + Integer.toHexString((int) c.getValue()) + ", stored 0x" + Integer.toHexString(b.getInt(crcAt)));
        }
        if (b.getLong(0) != MAGIC) {
            throw new CorruptedDataException(loc, 0, "bad manifest magic 0x" + Long.toHexString(b.getLong(0)));
        }
        if (b.getInt(8) != FORMAT_VERSION) {
            throw new CorruptedDataException(loc, 8, "unsupported manifest version " + b.getInt(8));
        }
        try {
            b.position(16);
            long number = b.getLong();
            long created = b.getLong();
            int dim = b.getInt();
            int metric = b.getInt();
            int kind = b.getInt();
            if (kind != INDEX_EXACT && kind != INDEX_HNSW && kind != INDEX_GRAPH) {
                throw new CorruptedDataException(loc, 40, "unknown index kind " + kind
                        + " (expected 0 exact, 1 HNSW by hnswlib, 2 HNSW by GraphVectorIndex)");
            }
            int m = b.getInt();
            int efc = b.getInt();
            int hw = b.getInt();
            long payload = b.getLong();
            int partitions = b.getInt();
            if (partitions < 0 || partitions > 1_000_000) {
                throw new CorruptedDataException(loc, b.position() - 4, "bad partition count " + partitions);
            }
            Map<Integer, Long> applied = new TreeMap<>();
            for (int i = 0; i < partitions; i++) {
                applied.put(b.getInt(), b.getLong());
            }
            int files = b.getInt();
            if (files < 0 || files > 1000) {
                throw new CorruptedDataException(loc, b.position() - 4, "bad file count " + files);
            }
            List<FileEntry> list = new ArrayList<>();
            for (int i = 0; i < files; i++) {
                int nameLen = Short.toUnsignedInt(b.getShort());
                byte[] name = new byte[nameLen];
                b.get(name);
                String n = new String(name, StandardCharsets.UTF_8);
                if (n.contains("/") || n.contains("\\") || n.startsWith(".")) {
                    throw new CorruptedDataException(loc, b.position(), "bad file name " + n);
                }
                list.add(new FileEntry(n, b.getLong(), b.getInt()));
            }
            if (b.position() != crcAt) {
                throw new CorruptedDataException(loc, b.position(), "trailing bytes before the CRC");
            }
            return new Manifest(number, created, dim, metric, kind, m, efc, hw, payload,
                    Collections.unmodifiableMap(applied), List.copyOf(list));
        } catch (java.nio.BufferUnderflowException e) {
            throw new CorruptedDataException(loc, b.position(), "manifest truncated", e);
        }
    }

    static byte[] encode(Manifest m) {
        ByteBuffer b = ByteBuffer.allocate(1024 + 12 * m.applied().size() + 300 * m.files().size())
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putInt(FORMAT_VERSION).putInt(0);
        b.putLong(m.number()).putLong(m.createdMillis());
        b.putInt(m.dimension()).putInt(m.metricCode()).putInt(m.indexKind()).putInt(m.m()).putInt(m.efConstruction());
        b.putInt(m.highWater()).putLong(m.payloadLength());
        b.putInt(m.applied().size());
        for (Map.Entry<Integer, Long> e : new TreeMap<>(m.applied()).entrySet()) {
            b.putInt(e.getKey()).putLong(e.getValue());
        }
        b.putInt(m.files().size());
        for (FileEntry f : m.files()) {
            byte[] name = f.name().getBytes(StandardCharsets.UTF_8);
            b.putShort((short) name.length).put(name).putLong(f.length()).putInt(f.crc());
        }
        CRC32C c = new CRC32C();
        c.update(b.array(), 0, b.position());
        b.putInt((int) c.getValue());
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /**
     * Creates an empty {@code n.tmp/} directory for a new checkpoint.
     *
     * @param number the checkpoint number
     * @return the directory
     */
    public Path begin(long number) {
        Path tmp = dir.resolve(number + TMP);
        Files2.deleteRecursively(tmp);
        Files2.deleteRecursively(directory(number));
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new VecraftIOException("cannot create " + tmp, e);
        }
        return tmp;
    }

    /**
     * Fsyncs the files of {@code n.tmp/} and the directory, renames it to {@code n/}, then writes
     * and atomically publishes the manifest.
     *
     * @param manifest the manifest (its files must be in {@code n.tmp/})
     * @return the published checkpoint directory
     */
    public Path publish(Manifest manifest) {
        long n = manifest.number();
        Path tmp = dir.resolve(n + TMP);
        for (FileEntry f : manifest.files()) {
            Files2.fsync(tmp.resolve(f.name()));
        }
        Files2.fsyncDirectory(tmp);
        Path target = directory(n);
        move(tmp, target);
        Files2.fsyncDirectory(dir);
        Path mtmp = dir.resolve(MANIFEST + n + TMP);
        try {
            Files.write(mtmp, encode(manifest));
        } catch (IOException e) {
            throw new VecraftIOException("cannot write " + mtmp, e);
        }
        Files2.fsync(mtmp);
        move(mtmp, dir.resolve(MANIFEST + n));
        Files2.fsyncDirectory(dir);
        return target;
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new VecraftIOException("file system cannot rename " + from + " atomically", e);
        } catch (IOException e) {
            throw new VecraftIOException("cannot rename " + from + " to " + to, e);
        }
    }

    /**
     * Deletes every checkpoint not in {@code keep}, every partial checkpoint and every manifest
     * of a deleted checkpoint. Manifests go first, so a crash mid-way leaves only unreferenced
     * directories.
     *
     * @param keep checkpoint numbers to keep
     */
    public void retainOnly(java.util.Set<Long> keep) {
        List<Path> entries = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(entries::add);
        } catch (IOException e) {
            throw new VecraftIOException("cannot list " + dir, e);
        }
        entries.sort((a, b) -> {
            boolean ma = a.getFileName().toString().startsWith(MANIFEST);
            boolean mb = b.getFileName().toString().startsWith(MANIFEST);
            return Boolean.compare(mb, ma);
        });
        for (Path p : entries) {
            String name = p.getFileName().toString();
            String num = name.startsWith(MANIFEST) ? name.substring(MANIFEST.length()) : name;
            boolean tmp = num.endsWith(TMP);
            if (tmp) {
                Files2.deleteRecursively(p);
                continue;
            }
            try {
                if (!keep.contains(Long.parseLong(num))) {
                    Files2.deleteRecursively(p);
                }
            } catch (NumberFormatException ignored) {
                // not ours: leave it
            }
        }
        Files2.fsyncDirectory(dir);
    }
}
