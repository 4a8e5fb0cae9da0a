package io.vecraft.storage.internal;

import io.vecraft.api.VecraftIOException;
import io.vecraft.api.spi.ForceObserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A file region mapped into memory as a sequence of fixed-size chunks, so that a file can grow
 * past 2 GiB (one {@link MappedByteBuffer} per chunk) and grow without remapping what readers
 * already use. Chunk {@code c} covers file bytes {@code [base + c * chunkBytes, base + (c + 1) * chunkBytes)};
 * positions passed to this class are relative to {@code base}.
 *
 * <p>Every chunk buffer is little-endian. The file is extended (sparsely) when a chunk is mapped.
 *
 * <p>Thread-safety: one writer thread calls {@link #ensureCapacity}, the {@code put} methods and
 * {@link #force}; any thread may call the {@code get} methods and {@link #chunk} concurrently,
 * for positions below what the writer has published through some other happens-before edge.
 * The chunk array is published through a volatile field, so growth never disturbs readers.
 */
public final class MappedChunks {

    private final Path path;
    private final FileChannel channel;
    private final long base;
    private final int chunkBytes;
    /** log2 of {@link #chunkBytes} when it is a power of two, else -1 (a shift is cheaper than a 64-bit divide). */
    private final int chunkShift;
    private volatile MappedByteBuffer[] chunks = new MappedByteBuffer[0];

    /**
     * @param path       the file (for messages)
     * @param channel    an open read-write channel of the file; owned by the caller
     * @param base       file offset of position 0
     * @param chunkBytes bytes per mapped chunk
     */
    public MappedChunks(Path path, FileChannel channel, long base, int chunkBytes) {
        if (chunkBytes <= 0) {
            throw new IllegalArgumentException("chunkBytes must be positive: " + chunkBytes);
        }
        this.path = path;
        this.channel = channel;
        this.base = base;
        this.chunkBytes = chunkBytes;
        this.chunkShift = Integer.bitCount(chunkBytes) == 1 ? Integer.numberOfTrailingZeros(chunkBytes) : -1;
    }

    /** @return bytes per chunk */
    public int chunkBytes() {
        return chunkBytes;
    }

    /** @return bytes currently mapped (a multiple of {@link #chunkBytes()}) */
    public long mappedBytes() {
        return (long) chunks.length * chunkBytes;
    }

    /**
     * Maps chunks until at least {@code bytes} bytes (relative to base) are mapped. Writer only.
     *
     * @param bytes needed capacity
     * @throws VecraftIOException if mapping fails
     */
    public void ensureCapacity(long bytes) {
        MappedByteBuffer[] current = chunks;
        long needed = (bytes + chunkBytes - 1) / chunkBytes;
        if (needed <= current.length) {
            return;
        }
        if (needed > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many chunks: " + needed);
        }
        MappedByteBuffer[] grown = Arrays.copyOf(current, (int) needed);
        for (int c = current.length; c < needed; c++) {
            long position = base + (long) c * chunkBytes;
            try {
                MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, position, chunkBytes);
                buffer.order(ByteOrder.LITTLE_ENDIAN);
                grown[c] = buffer;
            } catch (IOException | RuntimeException e) {
                throw new VecraftIOException("cannot map " + path + " at " + position + " (" + chunkBytes + " bytes)", e);
            }
        }
        chunks = grown;
    }

    private int chunkOf(long position) {
        return chunkShift >= 0 ? (int) (position >>> chunkShift) : (int) (position / chunkBytes);
    }

    /**
     * @param index chunk index
     * @return the chunk's little-endian buffer; use absolute accessors only
     */
    public ByteBuffer chunk(int index) {
        return chunks[index];
    }

    /** @return the number of mapped chunks */
    public int chunkCount() {
        return chunks.length;
    }

    /**
     * Copies bytes in, possibly across chunk boundaries. Writer only.
     *
     * @param position relative position
     * @param src      source
     * @param off      offset in source
     * @param len      number of bytes
     */
    public void put(long position, byte[] src, int off, int len) {
        ensureCapacity(position + len);
        MappedByteBuffer[] cs = chunks;
        while (len > 0) {
            int c = chunkOf(position);
            int within = (int) (position - (long) c * chunkBytes);
            int n = Math.min(len, chunkBytes - within);
            cs[c].put(within, src, off, n);
            position += n;
            off += n;
            len -= n;
        }
    }

    /**
     * Copies bytes out, possibly across chunk boundaries.
     *
     * @param position relative position
     * @param dst      destination
     * @param off      offset in destination
     * @param len      number of bytes
     * @throws IndexOutOfBoundsException if the range is not mapped
     */
    public void get(long position, byte[] dst, int off, int len) {
        MappedByteBuffer[] cs = chunks;
        while (len > 0) {
            int c = chunkOf(position);
            int within = (int) (position - (long) c * chunkBytes);
            int n = Math.min(len, chunkBytes - within);
            cs[c].get(within, dst, off, n);
            position += n;
            off += n;
            len -= n;
        }
    }

    /**
     * Forces every mapped chunk to the storage device. Writer only.
     *
     * @throws VecraftIOException if the force fails
     */
    public void force() {
        MappedByteBuffer[] cs = chunks;
        try {
            ForceObserver.force(path, ForceObserver.Kind.MAPPED, () -> {
                for (MappedByteBuffer c : cs) {
                    try {
                        c.force();
                    } catch (UncheckedIOException e) {
                        throw e.getCause();
                    }
                }
            });
        } catch (IOException | RuntimeException e) {
            throw new VecraftIOException("cannot force " + path, e);
        }
    }
}
