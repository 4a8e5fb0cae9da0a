package io.vecraft.storage.internal;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.VecraftIOException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Append-only log of payload records (metadata and document of each version, delete
 * tombstones), memory-mapped in chunks. Layout (FORMAT.md, "Payload log"): a
 * {@value #HEADER_BYTES}-byte header (magic, format version, CRC32C), then records
 * {@code [u32 body length][u32 CRC32C of body][body]} back to back; a record may straddle two
 * chunks. Every read checks bounds and the CRC and throws {@link CorruptedDataException}
 * naming the file and the record's offset.
 *
 * <p>Thread-safety: one writer thread appends, forces, truncates and closes; any thread may
 * read records at offsets it learned through a happens-before edge (the version table).
 * Reads go through the mapping, never through the channel, so an interrupted reader cannot
 * close the file for everybody.
 */
public final class PayloadLog implements AutoCloseable {

    /** File magic, ASCII "VCRFPAY1" as a little-endian long. */
    public static final long MAGIC = 0x3159415046524356L;
    /** Format version. */
    public static final int FORMAT_VERSION = 1;
    /** Header bytes; the first record starts here. */
    public static final int HEADER_BYTES = 64;
    /** Offset of the header CRC32C, which covers the bytes before it. */
    static final int HEADER_CRC_OFFSET = 60;
    /** Bytes of a record header (length, CRC32C). */
    public static final int RECORD_HEADER_BYTES = 8;
    /** Largest record body accepted. */
    public static final int MAX_BODY_BYTES = 256 << 20;

    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[4096]);

    private final Path path;
    private final String location;
    private final FileChannel channel;
    private final MappedChunks chunks;
    private volatile long end;
    private boolean closed;

    private PayloadLog(Path path, FileChannel channel, int chunkBytes) {
        this.path = path;
        this.location = path.toString();
        this.channel = channel;
        this.chunks = new MappedChunks(path, channel, 0, chunkBytes);
    }

    /**
     * Opens or creates a log; its valid end is the header until {@link #truncate} says otherwise.
     *
     * @param file       the file
     * @param chunkBytes bytes per mapped chunk
     * @return the log
     * @throws CorruptedDataException if the header fails its checks
     */
    public static PayloadLog open(Path file, int chunkBytes) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new VecraftIOException("cannot open " + file, e);
        }
        PayloadLog log = new PayloadLog(file, ch, chunkBytes);
        try {
            if (ch.size() == 0) {
                ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                h.putLong(0, MAGIC);
                h.putInt(8, FORMAT_VERSION);
                h.putInt(HEADER_CRC_OFFSET, Crc.crc32c(h.array(), 0, HEADER_CRC_OFFSET));
                ch.write(h, 0);
                Files2.force(ch, file);
            } else {
                ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                while (h.hasRemaining()) {
                    if (ch.read(h, h.position()) < 0) {
                        throw new CorruptedDataException(file.toString(), h.position(), "payload log header truncated");
                    }
                }
                if (h.getLong(0) != MAGIC) {
                    throw new CorruptedDataException(file.toString(), 0, "bad magic 0x" + Long.toHexString(h.getLong(0))
                            + ", expected 0x" + Long.toHexString(MAGIC));
                }
                int crc = Crc.crc32c(h.array(), 0, HEADER_CRC_OFFSET);
                if (crc != h.getInt(HEADER_CRC_OFFSET)) {
                    throw new CorruptedDataException(file.toString(), HEADER_CRC_OFFSET, "header CRC32C mismatch");
                }
                if (h.getInt(8) != FORMAT_VERSION) {
                    throw new CorruptedDataException(file.toString(), 8, "unsupported format version " + h.getInt(8));
                }
            }
            log.end = HEADER_BYTES;
            return log;
        } catch (IOException | RuntimeException e) {
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new VecraftIOException("cannot initialise " + file, e);
        }
    }

    /** Receives the records of a {@link #scanReadOnly} pass. */
    @FunctionalInterface
    public interface RecordVisitor {
        /**
         * @param offset the record's offset
         * @param record the decoded record (metadata and document decoded)
         */
        void record(long offset, PayloadRecord record);
    }

    /**
     * Checks the header and every record of a payload log up to {@code limit} without mapping or changing
     * the file (verification of a closed shard).
     *
     * @param file    the log
     * @param limit   valid length (a checkpoint's payload length); records must end exactly there
     * @param visitor receives each record; may be null
     * @return the number of records
     * @throws CorruptedDataException naming the file and the offset of the first bad header or record
     */
    public static long scanReadOnly(Path file, long limit, RecordVisitor visitor) {
        String loc = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, h, 0, loc);
            if (h.getLong(0) != MAGIC) {
                throw new CorruptedDataException(loc, 0, "bad magic 0x" + Long.toHexString(h.getLong(0)));
            }
            if (Crc.crc32c(h.array(), 0, HEADER_CRC_OFFSET) != h.getInt(HEADER_CRC_OFFSET)) {
                throw new CorruptedDataException(loc, HEADER_CRC_OFFSET, "header CRC32C mismatch");
            }
            if (h.getInt(8) != FORMAT_VERSION) {
                throw new CorruptedDataException(loc, 8, "unsupported format version " + h.getInt(8));
            }
            if (limit > size) {
                throw new CorruptedDataException(loc, size, "valid length " + limit + " is past the end of the file ("
                        + size + " bytes)");
            }
            long at = HEADER_BYTES;
            long n = 0;
            ByteBuffer rh = ByteBuffer.allocate(RECORD_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (at < limit) {
                if (at + RECORD_HEADER_BYTES > limit) {
                    throw new CorruptedDataException(loc, at, "record header runs past the valid length " + limit);
                }
                rh.clear();
                readFully(ch, rh, at, loc);
                int len = rh.getInt(0);
                int crc = rh.getInt(4);
                if (len < 0 || len > MAX_BODY_BYTES || at + RECORD_HEADER_BYTES + len > limit) {
                    throw new CorruptedDataException(loc, at, "record length " + Integer.toUnsignedString(len)
                            + " runs past the valid length " + limit);
                }
                ByteBuffer body = ByteBuffer.allocate(len);
                readFully(ch, body, at + RECORD_HEADER_BYTES, loc);
                int actual = Crc.crc32c(body.array(), 0, len);
                if (actual != crc) {
                    throw new CorruptedDataException(loc, at, "record CRC32C mismatch: computed 0x"
                            + Integer.toHexString(actual) + ", stored 0x" + Integer.toHexString(crc));
                }
                PayloadRecord r = PayloadCodec.decode(body.array(), 0, len, loc, at, true, true);
                if (visitor != null) {
                    visitor.record(at, r);
                }
                n++;
                at += RECORD_HEADER_BYTES + len;
            }
            return n;
        } catch (IOException e) {
            throw new VecraftIOException("cannot read " + file, e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos, String loc) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) {
                throw new CorruptedDataException(loc, pos + b.position(), "file ends inside a record or header");
            }
        }
    }

    /** @return the file */
    public Path path() {
        return path;
    }

    /** @return the end of the valid records (the next append offset) */
    public long end() {
        return end;
    }

    /**
     * Cuts the log back to {@code length} (records past it came from operations the journal
     * replays). Writer only, before any append or mapping.
     *
     * @param length valid length recorded by a checkpoint, at least {@link #HEADER_BYTES}
     * @throws CorruptedDataException if the file is shorter than {@code length}
     */
    public void truncate(long length) {
        try {
            long size = channel.size();
            if (length < HEADER_BYTES || length > size) {
                throw new CorruptedDataException(location, size, "checkpoint expects " + length
                        + " valid bytes, file has " + size);
            }
            if (chunks.chunkCount() == 0) {
                channel.truncate(length);
            }
        } catch (IOException e) {
            throw new VecraftIOException("cannot truncate " + path + " to " + length, e);
        }
        end = length;
    }

    /**
     * Appends a record. Writer only.
     *
     * @param body the body bytes
     * @param len  body length
     * @return the record's offset
     * @throws InvalidArgumentException if the body exceeds {@link #MAX_BODY_BYTES}
     */
    public long append(byte[] body, int len) {
        if (len > MAX_BODY_BYTES) {
            throw new InvalidArgumentException("record", "metadata and document take " + len
                    + " bytes encoded, at most " + MAX_BODY_BYTES + " are accepted");
        }
        long at = end;
        byte[] h = new byte[RECORD_HEADER_BYTES];
        int crc = Crc.crc32c(body, 0, len);
        for (int i = 0; i < 4; i++) {
            h[i] = (byte) (len >>> (8 * i));
            h[4 + i] = (byte) (crc >>> (8 * i));
        }
        chunks.put(at, h, 0, RECORD_HEADER_BYTES);
        chunks.put(at + RECORD_HEADER_BYTES, body, 0, len);
        end = at + RECORD_HEADER_BYTES + len;
        return at;
    }

    /**
     * Reads and checks a record.
     *
     * @param offset   the record's offset
     * @param metadata decode metadata
     * @param document decode the document
     * @return the decoded record
     * @throws CorruptedDataException naming the file and offset if a check fails
     */
    public PayloadRecord read(long offset, boolean metadata, boolean document) {
        return read(offset, true, metadata, document);
    }

    /**
     * Reads and checks a record for a search hit: like {@link #read(long, boolean, boolean)} but
     * the request id is not decoded (null in the result). The CRC32C still covers the whole body.
     *
     * @param offset   the record's offset
     * @param metadata decode metadata
     * @param document decode the document
     * @return the decoded record
     * @throws CorruptedDataException naming the file and offset if a check fails
     */
    public PayloadRecord readHit(long offset, boolean metadata, boolean document) {
        return read(offset, false, metadata, document);
    }

    private PayloadRecord read(long offset, boolean requestId, boolean metadata, boolean document) {
        long limit = end;
        if (offset < HEADER_BYTES || offset + RECORD_HEADER_BYTES > limit) {
            throw new CorruptedDataException(location, offset, "record offset outside the valid log ["
                    + HEADER_BYTES + ", " + limit + ")");
        }
        byte[] scratch = SCRATCH.get();
        chunks.get(offset, scratch, 0, RECORD_HEADER_BYTES);
        int len = (scratch[0] & 0xFF) | (scratch[1] & 0xFF) << 8 | (scratch[2] & 0xFF) << 16 | (scratch[3] & 0xFF) << 24;
        int crc = (scratch[4] & 0xFF) | (scratch[5] & 0xFF) << 8 | (scratch[6] & 0xFF) << 16 | (scratch[7] & 0xFF) << 24;
        if (len < 0 || len > MAX_BODY_BYTES || offset + RECORD_HEADER_BYTES + len > limit) {
            throw new CorruptedDataException(location, offset, "record length " + Integer.toUnsignedString(len)
                    + " runs past the valid log end " + limit);
        }
        if (scratch.length < len) {
            scratch = new byte[Math.max(len, scratch.length * 2)];
            if (len <= 1 << 20) {
                SCRATCH.set(scratch);
            }
        }
        chunks.get(offset + RECORD_HEADER_BYTES, scratch, 0, len);
        int actual = Crc.crc32c(scratch, 0, len);
        if (actual != crc) {
            throw new CorruptedDataException(location, offset, "record CRC32C mismatch: computed 0x"
                    + Integer.toHexString(actual) + ", stored 0x" + Integer.toHexString(crc));
        }
        return PayloadCodec.decode(scratch, 0, len, location, offset, requestId, metadata, document);
    }

    /**
     * @param offset a record offset
     * @return the offset of the record after it (no checks beyond the length field)
     */
    public long next(long offset) {
        byte[] h = new byte[4];
        chunks.get(offset, h, 0, 4);
        int len = (h[0] & 0xFF) | (h[1] & 0xFF) << 8 | (h[2] & 0xFF) << 16 | (h[3] & 0xFF) << 24;
        return offset + RECORD_HEADER_BYTES + len;
    }

    /** Forces appended records to the device. Writer only. */
    public void force() {
        chunks.force();
    }

    /** Maps the valid part so reads work after a restore. Writer only. */
    public void mapValid() {
        chunks.ensureCapacity(Math.max(end, 1));
    }

    /** @return bytes of the file on disk */
    public long fileBytes() {
        try {
            return channel.isOpen() ? channel.size() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Closes the channel; idempotent. Mappings stay valid until collected. */
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
