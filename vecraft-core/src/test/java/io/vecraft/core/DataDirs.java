package io.vecraft.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/** File helpers for crash, power-loss and corruption tests. Stateless. */
final class DataDirs {
    private DataDirs() {
    }

    /**
     * Copies a directory tree keeping sparse files sparse (Chronicle's cycle files and the shards' mapped
     * files are mostly holes): {@code cp -a --sparse=always}, which uses SEEK_DATA/SEEK_HOLE.
     */
    static void copy(Path src, Path dst) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("cp", "-a", "--sparse=always", src.toString(), dst.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("cp failed: " + out);
        }
    }

    /**
     * The end of the written data of a Chronicle cycle file: walks the excerpt headers (4-byte little-endian,
     * bit 31 incomplete, bit 30 metadata, bits 0..29 length, each excerpt 4-byte aligned) from {@code from} to
     * the first zero or incomplete header.
     *
     * @param file a {@code *.cq4} file
     * @param from a known excerpt boundary (0, or an earlier result)
     * @return the offset of the first byte after the last complete excerpt
     */
    static long cycleDataEnd(Path file, long from) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer h = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            long pos = from;
            while (pos + 4 <= size) {
                h.clear();
                if (ch.read(h, pos) < 4) {
                    break;
                }
                int header = h.getInt(0);
                if (header == 0 || (header & 0x8000_0000) != 0) {
                    break;
                }
                long next = (pos + 4 + (header & 0x3FFF_FFFF) + 3) & ~3L;
                if (next > size) {
                    break;
                }
                pos = next;
            }
            return pos;
        }
    }

    /** @return the offset after the last non-zero byte of the file (reads it whole) */
    static long lastNonZero(Path file) throws IOException {
        long last = 0;
        long pos = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = n - 1; i >= 0; i--) {
                    if (buf[i] != 0) {
                        last = pos + i + 1;
                        break;
                    }
                }
                pos += n;
            }
        }
        return last;
    }

    /**
     * Flips {@code bits} random bits in {@code [from, to)}.
     *
     * @return the byte offsets touched
     */
    static List<Long> flipBits(Path file, long from, long to, int bits, SplittableRandom rnd) throws IOException {
        List<Long> at = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (int i = 0; i < bits; i++) {
                long pos = from + (long) (rnd.nextDouble() * (to - from));
                ByteBuffer b = ByteBuffer.allocate(1);
                ch.read(b, pos);
                b.put(0, (byte) (b.get(0) ^ (1 << rnd.nextInt(8))));
                b.position(0);
                ch.write(b, pos);
                at.add(pos);
            }
        }
        return at;
    }

    static void truncate(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        }
    }

    /** @return relative path -> size, modification time and CRC32C of the content, for every file */
    static Map<String, String> fingerprint(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    CRC32C crc = new CRC32C();
                    try (InputStream in = Files.newInputStream(p)) {
                        byte[] buf = new byte[1 << 16];
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            crc.update(buf, 0, n);
                        }
                    }
                    out.put(dir.relativize(p).toString(), Files.size(p) + "/" + Files.getLastModifiedTime(p).toMillis()
                            + "/" + Long.toHexString(crc.getValue()));
                } else {
                    out.put(dir.relativize(p) + "/", "dir");
                }
            }
        }
        return out;
    }
}
