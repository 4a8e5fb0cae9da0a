package io.vecraft.storage.internal;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.VecraftIOException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * The version table and the free-ordinal list of a checkpoint ({@code versions.bin}; layout in
 * FORMAT.md). All integers little-endian.
 *
 * <p>Stateless and thread-safe; the shard's writer calls it.
 */
public final class VersionsFile {

    /** Magic, ASCII "VCRFVER1" as a little-endian long. */
    public static final long MAGIC = 0x3152455646524356L;
    /** Format version. */
    public static final int FORMAT_VERSION = 1;
    /** Bytes per ordinal entry. */
    public static final int ENTRY_BYTES = 36;

    /**
     * A freed ordinal and the newest checkpoint published when it was freed (the checkpoints
     * up to that number still reference its slot).
     *
     * @param ordinal    the ordinal
     * @param freedAfter checkpoint number published before the purge that freed it
     */
    public record FreeSlot(int ordinal, long freedAfter) {
    }

    private VersionsFile() {
    }

    /**
     * Writes the table.
     *
     * @param file      destination
     * @param table     the table (writer paused)
     * @param highWater ordinals to write
     * @param free      freed ordinals (pending and reusable)
     * @return the file entry (length, CRC32C) for the manifest
     */
    public static CheckpointStore.FileEntry write(Path file, VersionTable table, int highWater, List<FreeSlot> free) {
        CRC32C crc = new CRC32C();
        long length;
        try (OutputStream raw = Files.newOutputStream(file);
             CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), crc);
             DataOutputStream out = new DataOutputStream(checked)) {
            out.writeLong(Long.reverseBytes(MAGIC));
            out.writeInt(Integer.reverseBytes(FORMAT_VERSION));
            out.writeInt(Integer.reverseBytes(highWater));
            for (int o = 0; o < highWater; o++) {
                out.writeLong(Long.reverseBytes(table.created(o)));
                out.writeLong(Long.reverseBytes(table.deleted(o)));
                out.writeInt(Integer.reverseBytes(table.prev(o)));
                out.writeLong(Long.reverseBytes(table.payload(o)));
                out.writeLong(Long.reverseBytes(table.tombstone(o)));
            }
            out.writeInt(Integer.reverseBytes(free.size()));
            for (FreeSlot f : free) {
                out.writeInt(Integer.reverseBytes(f.ordinal()));
                out.writeLong(Long.reverseBytes(f.freedAfter()));
            }
            out.flush();
            length = out.size() & 0xFFFFFFFFL;
        } catch (IOException e) {
            throw new VecraftIOException("cannot write " + file, e);
        }
        try {
            length = Files.size(file);
        } catch (IOException e) {
            throw new VecraftIOException("cannot stat " + file, e);
        }
        return new CheckpointStore.FileEntry(file.getFileName().toString(), length, (int) crc.getValue());
    }

    /**
     * Reads a table into an empty {@link VersionTable}.
     *
     * @param file              the file (already CRC-verified against the manifest)
     * @param table             empty table to fill
     * @param expectedHighWater high-water mark the manifest names
     * @param payloadLength     valid payload-log length (offsets must lie below it)
     * @return the free list
     * @throws CorruptedDataException naming the file and offset of a bad field
     */
    public static List<FreeSlot> read(Path file, VersionTable table, int expectedHighWater, long payloadLength) {
        String loc = file.toString();
        long pos = 0;
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            long magic = Long.reverseBytes(in.readLong());
            if (magic != MAGIC) {
                throw new CorruptedDataException(loc, 0, "bad magic 0x" + Long.toHexString(magic));
            }
            int version = Integer.reverseBytes(in.readInt());
            if (version != FORMAT_VERSION) {
                throw new CorruptedDataException(loc, 8, "unsupported format version " + version);
            }
            int hw = Integer.reverseBytes(in.readInt());
            if (hw != expectedHighWater) {
                throw new CorruptedDataException(loc, 12, "high-water mark " + hw + ", manifest says " + expectedHighWater);
            }
            pos = 16;
            for (int o = 0; o < hw; o++) {
                long created = Long.reverseBytes(in.readLong());
                long deleted = Long.reverseBytes(in.readLong());
                int prev = Integer.reverseBytes(in.readInt());
                long payload = Long.reverseBytes(in.readLong());
                long tombstone = Long.reverseBytes(in.readLong());
                boolean free = created == VersionTable.FREE_CREATED;
                if (!free && (payload < PayloadLog.HEADER_BYTES || payload >= payloadLength
                        || tombstone >= payloadLength || prev < VersionTable.NONE || prev >= hw || prev == o)) {
                    throw new CorruptedDataException(loc, pos, "entry of ordinal " + o + " is inconsistent (prev "
                            + prev + ", payload " + payload + ", tombstone " + tombstone + ")");
                }
                if (!free) {
                    table.restore(o, created, deleted, prev, payload, tombstone);
                } else {
                    table.ensure(o);
                }
                pos += ENTRY_BYTES;
            }
            int n = Integer.reverseBytes(in.readInt());
            if (n < 0 || n > hw) {
                throw new CorruptedDataException(loc, pos, "bad free-list length " + n);
            }
            pos += 4;
            List<FreeSlot> free = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int o = Integer.reverseBytes(in.readInt());
                long after = Long.reverseBytes(in.readLong());
                if (o < 0 || o >= hw || !table.isFree(o)) {
                    throw new CorruptedDataException(loc, pos, "free-list entry " + o + " is not a free ordinal");
                }
                free.add(new FreeSlot(o, after));
                pos += 12;
            }
            if (in.read() != -1) {
                throw new CorruptedDataException(loc, pos, "trailing bytes");
            }
            return free;
        } catch (EOFException e) {
            throw new CorruptedDataException(loc, pos, "truncated", e);
        } catch (IOException e) {
            throw new VecraftIOException("cannot read " + file, e);
        }
    }
}
