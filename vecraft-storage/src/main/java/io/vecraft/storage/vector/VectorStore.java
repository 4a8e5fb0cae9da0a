package io.vecraft.storage.vector;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Metric;
import io.vecraft.api.VecraftIOException;
import io.vecraft.storage.internal.Crc;
import io.vecraft.storage.internal.Files2;
import io.vecraft.storage.internal.MappedChunks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Memory-mapped store of float32 vectors in fixed-size slots addressed by ordinal: the one copy
 * of every vector a shard holds. The file starts with a {@value #HEADER_BYTES}-byte header
 * (magic, format version, dimension, metric, slot size, slots per chunk, CRC32C) and grows in
 * chunks of {@link #slotsPerChunk()} slots, each chunk mapped separately (no 2 GiB limit, and
 * a slot never straddles two mappings, so distance kernels read one buffer). Each slot holds a
 * small header (ordinal, CRC32C of the vector bytes) followed by the little-endian floats; see
 * FORMAT.md.
 *
 * <p>Thread-safety: one writer thread calls {@link #ensureSlots}, {@link #write}, {@link #force},
 * {@link #truncate} and {@link #close}; the read methods may be called from any thread for
 * ordinals whose write has been published to that thread (the shard publishes through its
 * version table). Closing does not unmap: buffers are released by the garbage collector, so a
 * late reader never faults.
 */
public final class VectorStore implements AutoCloseable {

    /** File magic, ASCII "VCRFVEC1" read as a little-endian long. */
    public static final long MAGIC = 0x3143455646524356L;
    /** Current format version. */
    public static final int FORMAT_VERSION = 1;
    /** Bytes reserved for the file header; slots start here (page aligned). */
    public static final int HEADER_BYTES = 4096;
    /** Bytes of the header covered by its CRC; the CRC itself sits at this offset. */
    static final int HEADER_CRC_OFFSET = 60;
    /** Bytes of the per-slot header (ordinal, CRC32C). */
    public static final int SLOT_HEADER_BYTES = 8;
    /** Default target size of one mapped chunk. */
    public static final int DEFAULT_CHUNK_BYTES = 64 << 20;

    private final Path path;
    private final FileChannel channel;
    private final int dimension;
    private final Metric metric;
    private final int slotBytes;
    private final int chunkShift;
    private final int chunkMask;
    private final MappedChunks chunks;
    private volatile Object[] segments = new Object[0];
    private volatile FloatBuffer[] floatViews = new FloatBuffer[0];
    private boolean closed;

    private VectorStore(Path path, FileChannel channel, int dimension, Metric metric, int slotBytes, int slotsPerChunk) {
        this.path = path;
        this.channel = channel;
        this.dimension = dimension;
        this.metric = metric;
        this.slotBytes = slotBytes;
        this.chunkShift = Integer.numberOfTrailingZeros(slotsPerChunk);
        this.chunkMask = slotsPerChunk - 1;
        this.chunks = new MappedChunks(path, channel, HEADER_BYTES, slotsPerChunk * slotBytes);
    }

    /**
     * @param dimension vector dimension
     * @return bytes of one slot: header plus floats, rounded up to 8
     */
    public static int slotBytes(int dimension) {
        return (SLOT_HEADER_BYTES + 4 * dimension + 7) & ~7;
    }

    /**
     * Opens or creates a store.
     *
     * @param file            the file
     * @param dimension       expected dimension
     * @param metric          expected metric
     * @param chunkTargetBytes target bytes per mapped chunk (only used when creating)
     * @return the store
     * @throws CorruptedDataException   if the header fails its checks
     * @throws InvalidArgumentException if the file was created for another dimension or metric
     */
    public static VectorStore open(Path file, int dimension, Metric metric, int chunkTargetBytes) {
        boolean exists = Files.exists(file);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new VecraftIOException("cannot open " + file, e);
        }
        try {
            int slotBytes = slotBytes(dimension);
            int slotsPerChunk;
            if (!exists || size(file, ch) == 0) {
                slotsPerChunk = Integer.highestOneBit(Math.max(1, chunkTargetBytes / slotBytes));
                writeHeader(file, ch, dimension, metric, slotBytes, slotsPerChunk);
            } else {
                slotsPerChunk = readHeader(file, ch, dimension, metric, slotBytes);
            }
            return new VectorStore(file, ch, dimension, metric, slotBytes, slotsPerChunk);
        } catch (RuntimeException e) {
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static long size(Path file, FileChannel ch) {
        try {
            return ch.size();
        } catch (IOException e) {
            throw new VecraftIOException("cannot stat " + file, e);
        }
    }

    private static void writeHeader(Path file, FileChannel ch, int dimension, Metric metric, int slotBytes,
                                    int slotsPerChunk) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.putLong(0, MAGIC);
        h.putInt(8, FORMAT_VERSION);
        h.putInt(12, dimension);
        h.putInt(16, metricCode(metric));
        h.putInt(20, slotBytes);
        h.putInt(24, slotsPerChunk);
        h.putInt(HEADER_CRC_OFFSET, Crc.crc32c(h.array(), 0, HEADER_CRC_OFFSET));
        try {
            ch.write(h, 0);
            Files2.force(ch, file);
        } catch (IOException e) {
            throw new VecraftIOException("cannot write header of " + file, e);
        }
    }

    private static int readHeader(Path file, FileChannel ch, int dimension, Metric metric, int slotBytes) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (h.hasRemaining()) {
                if (ch.read(h, h.position()) < 0) {
                    throw new CorruptedDataException(file.toString(), h.position(),
                            "vector store header truncated: expected " + HEADER_BYTES + " bytes, file has " + ch.size());
                }
            }
        } catch (IOException e) {
            throw new VecraftIOException("cannot read header of " + file, e);
        }
        String loc = file.toString();
        long magic = h.getLong(0);
        if (magic != MAGIC) {
            throw new CorruptedDataException(loc, 0, "bad magic: expected 0x" + Long.toHexString(MAGIC)
                    + ", found 0x" + Long.toHexString(magic));
        }
        int crc = Crc.crc32c(h.array(), 0, HEADER_CRC_OFFSET);
        if (crc != h.getInt(HEADER_CRC_OFFSET)) {
            throw new CorruptedDataException(loc, HEADER_CRC_OFFSET, "header CRC32C mismatch: computed 0x"
                    + Integer.toHexString(crc) + ", stored 0x" + Integer.toHexString(h.getInt(HEADER_CRC_OFFSET)));
        }
        int version = h.getInt(8);
        if (version != FORMAT_VERSION) {
            throw new CorruptedDataException(loc, 8, "unsupported format version " + version + ", expected " + FORMAT_VERSION);
        }
        int storedMetric = h.getInt(16);
        Metric stored = metricOf(storedMetric, loc);
        int storedDim = h.getInt(12);
        if (storedDim != dimension) {
            throw new InvalidArgumentException("config.dimension", "vector store " + file + " holds dimension "
                    + storedDim + ", configuration says " + dimension);
        }
        if (stored != metric) {
            throw new InvalidArgumentException("config.metric", "vector store " + file + " was created for "
                    + stored + ", configuration says " + metric);
        }
        if (h.getInt(20) != slotBytes) {
            throw new CorruptedDataException(loc, 20, "slot size " + h.getInt(20) + ", expected " + slotBytes);
        }
        int slotsPerChunk = h.getInt(24);
        if (slotsPerChunk <= 0 || Integer.bitCount(slotsPerChunk) != 1
                || (long) slotsPerChunk * slotBytes > Integer.MAX_VALUE) {
            throw new CorruptedDataException(loc, 24, "slots per chunk must be a power of two with chunks under 2 GiB, was "
                    + slotsPerChunk);
        }
        return slotsPerChunk;
    }

    /**
     * @param metric a metric
     * @return its code in file headers (0 L2, 1 COSINE, 2 DOT)
     */
    public static int metricCode(Metric metric) {
        switch (metric) {
            case L2:
                return 0;
            case COSINE:
                return 1;
            case DOT:
                return 2;
            default:
                throw new InvalidArgumentException("metric", "unknown metric " + metric);
        }
    }

    /**
     * @param code     a metric code
     * @param location file for the error message
     * @return the metric
     * @throws CorruptedDataException for an unknown code
     */
    public static Metric metricOf(int code, String location) {
        switch (code) {
            case 0:
                return Metric.L2;
            case 1:
                return Metric.COSINE;
            case 2:
                return Metric.DOT;
            default:
                throw new CorruptedDataException(location, 16, "unknown metric code " + code + " (expected 0 L2, 1 COSINE, 2 DOT)");
        }
    }

    /** @return the file */
    public Path path() {
        return path;
    }

    /** @return the dimension */
    public int dimension() {
        return dimension;
    }

    /** @return the metric */
    public Metric metric() {
        return metric;
    }

    /** @return bytes per slot */
    public int slotBytes() {
        return slotBytes;
    }

    /** @return slots per mapped chunk (a power of two) */
    public int slotsPerChunk() {
        return chunkMask + 1;
    }

    /** @return number of slots currently mapped */
    public long capacity() {
        return (long) chunks.chunkCount() << chunkShift;
    }

    /**
     * Maps chunks until {@code slots} slots exist. Writer only.
     *
     * @param slots needed slots
     */
    public void ensureSlots(int slots) {
        if (slots > capacity()) {
            chunks.ensureCapacity((long) slots * slotBytes);
            FloatBuffer[] views = Arrays.copyOf(floatViews, chunks.chunkCount());
            for (int c = 0; c < views.length; c++) {
                if (views[c] == null) {
                    views[c] = chunks.chunk(c).duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                }
            }
            floatViews = views;
            if (Segments.available()) {
                Object[] segs = Arrays.copyOf(segments, chunks.chunkCount());
                for (int c = 0; c < segs.length; c++) {
                    if (segs[c] == null) {
                        segs[c] = Segments.ofBuffer(chunks.chunk(c));
                    }
                }
                segments = segs;
            }
        }
    }

    /**
     * Writes a vector into a slot (header included). Writer only; the caller validated it.
     *
     * @param ordinal the slot
     * @param vector  exactly {@link #dimension()} floats
     */
    public void write(int ordinal, float[] vector) {
        ensureSlots(ordinal + 1);
        ByteBuffer b = buffer(ordinal);
        int off = offset(ordinal);
        floats(ordinal).put(off >>> 2, vector, 0, dimension); // one bulk copy, not a put per float
        b.putInt(off - SLOT_HEADER_BYTES, ordinal);
        b.putInt(off - 4, Crc.crc32c(b, off, 4 * dimension));
    }

    /**
     * Reads a vector after checking the slot header (ordinal and CRC32C).
     *
     * @param ordinal the slot
     * @return a copy of the vector
     * @throws CorruptedDataException naming the file and the slot's offset if a check fails
     */
    public float[] read(int ordinal) {
        ByteBuffer b = buffer(ordinal);
        int off = offset(ordinal);
        long fileOffset = HEADER_BYTES + (long) ordinal * slotBytes;
        int storedOrdinal = b.getInt(off - SLOT_HEADER_BYTES);
        if (storedOrdinal != ordinal) {
            throw new CorruptedDataException(path.toString(), fileOffset, "slot header names ordinal " + storedOrdinal
                    + ", expected " + ordinal);
        }
        int crc = Crc.crc32c(b, off, 4 * dimension);
        if (crc != b.getInt(off - 4)) {
            throw new CorruptedDataException(path.toString(), fileOffset + 4, "slot CRC32C mismatch for ordinal "
                    + ordinal + ": computed 0x" + Integer.toHexString(crc) + ", stored 0x"
                    + Integer.toHexString(b.getInt(off - 4)));
        }
        float[] v = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            v[i] = b.getFloat(off + 4 * i);
        }
        return v;
    }

    /**
     * @param ordinal a slot
     * @return the little-endian chunk buffer holding it (absolute access only)
     */
    public ByteBuffer buffer(int ordinal) {
        return chunks.chunk(ordinal >>> chunkShift);
    }

    /**
     * @param ordinal a slot
     * @return byte offset of its first float within {@link #buffer(int)}
     */
    public int offset(int ordinal) {
        return (ordinal & chunkMask) * slotBytes + SLOT_HEADER_BYTES;
    }

    /**
     * @param ordinal a slot
     * @return a little-endian float view of its chunk (absolute access only)
     */
    FloatBuffer floats(int ordinal) {
        return floatViews[ordinal >>> chunkShift];
    }

    /**
     * Copies a slot's floats into an array without checking the slot header (hot path).
     *
     * @param ordinal a written slot
     * @param dst     destination of at least {@link #dimension()} floats
     */
    public void copyTo(int ordinal, float[] dst) {
        floats(ordinal).get(offset(ordinal) >>> 2, dst, 0, dimension);
    }

    /**
     * @param ordinal a slot
     * @return the {@code MemorySegment} of its chunk (JDK 22+), or null
     */
    Object segment(int ordinal) {
        return segments[ordinal >>> chunkShift];
    }

    /** Forces written slots to the device. Writer only. */
    public void force() {
        chunks.force();
    }

    /**
     * Shrinks the file to {@code slots} slots rounded up to whole chunks (the part beyond
     * {@code slots} keeps stale bytes that are overwritten before use). Writer only; used when
     * restoring a checkpoint before anything is mapped.
     *
     * @param slots slots that must be kept
     */
    public void truncate(long slots) {
        long keep = HEADER_BYTES + ((slots + chunkMask) >>> chunkShift) * (long) chunks.chunkBytes();
        try {
            if (chunks.chunkCount() == 0 && channel.size() > keep) {
                channel.truncate(keep);
            }
        } catch (IOException e) {
            throw new VecraftIOException("cannot truncate " + path + " to " + keep + " bytes", e);
        }
    }

    /** @return bytes of the file (header plus mapped chunks) */
    public long fileBytes() {
        try {
            return channel.isOpen() ? channel.size() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Closes the file channel; idempotent. Mapped buffers stay valid until collected. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            throw new VecraftIOException("cannot close " + path, e);
        }
    }
}
