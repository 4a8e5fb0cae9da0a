package io.vecraft.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Copies a prefix of a file into a channel, computing its CRC32C on the way, and leaves holes
 * where the source has whole blocks of zeros (journal cycle files and vector stores are sparse):
 * a zero block is skipped by moving the destination position, except the last one, which is
 * written so that the destination gets the full length. Stateless; thread-safe.
 */
final class FileCopy {
    static final int BLOCK = 64 << 10;

    private FileCopy() {
    }

    /**
     * What a copy did.
     *
     * @param length  bytes covered (the requested prefix)
     * @param crc     CRC32C of those bytes
     * @param written bytes actually written (holes excluded)
     */
    record Copied(long length, int crc, long written) {
    }

    /**
     * @param source file to read
     * @param length prefix to copy; the file must be at least this long
     * @param out    destination, positioned at 0
     * @return length, CRC32C and written bytes
     * @throws IOException if reading or writing fails, or the file is shorter than {@code length}
     */
    static Copied copy(Path source, long length, SeekableByteChannel out) throws IOException {
        CRC32C crc = new CRC32C();
        long written = 0;
        ByteBuffer buf = ByteBuffer.allocate(BLOCK);
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
            if (in.size() < length) {
                throw new IOException(source + " has " + in.size() + " bytes, " + length + " are needed");
            }
            long pos = 0;
            while (pos < length) {
                int want = (int) Math.min(BLOCK, length - pos);
                buf.clear().limit(want);
                while (buf.hasRemaining()) {
                    if (in.read(buf, pos + buf.position()) < 0) {
                        throw new IOException(source + " ended early at byte " + (pos + buf.position()));
                    }
                }
                buf.flip();
                crc.update(buf.duplicate());
                boolean last = pos + want >= length;
                if (last || !allZero(buf)) {
                    out.position(pos);
                    while (buf.hasRemaining()) {
                        written += out.write(buf);
                    }
                }
                pos += want;
            }
        }
        return new Copied(length, (int) crc.getValue(), written);
    }

    /**
     * @param file a file
     * @return its length and CRC32C
     * @throws IOException if it cannot be read
     */
    static Copied checksum(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        long n = 0;
        ByteBuffer buf = ByteBuffer.allocate(BLOCK);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            int r;
            while ((r = in.read(buf.clear())) > 0) {
                buf.flip();
                crc.update(buf);
                n += r;
            }
        }
        return new Copied(n, (int) crc.getValue(), 0);
    }

    private static boolean allZero(ByteBuffer b) {
        int p = b.position();
        int end = b.limit();
        for (; p + 8 <= end; p += 8) {
            if (b.getLong(p) != 0) {
                return false;
            }
        }
        for (; p < end; p++) {
            if (b.get(p) != 0) {
                return false;
            }
        }
        return true;
    }
}
