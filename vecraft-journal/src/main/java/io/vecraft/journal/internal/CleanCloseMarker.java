package io.vecraft.journal.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The clean-close record of a partition ({@code clean-close} in its directory): written by a
 * clean close after the final flush, deleted by the next open before anything is appended. When
 * it is present and names the last cycle file, open-time recovery knows the file ends right after
 * the recorded sequence and does not search the unwritten (sparse) rest of the cycle file for
 * stale entries. After a crash it is absent and recovery scans everything.
 *
 * <pre>
 * u32   magic     0x56434c4e ("VCLN")
 * u16   version   1
 * i64   lastSeq   sequence of the last entry in the file
 * i64   lastHlc   its HLC
 * u16   nameLen + UTF-8 name of the last cycle file
 * u32   crc32c of the bytes above
 * </pre>
 * Little-endian. A record that fails its CRC is ignored (full scan).
 *
 * <p>Stateless.
 */
public final class CleanCloseMarker {
    /** File name in the partition directory. */
    public static final String FILE = "clean-close";
    private static final int MAGIC = 0x56434c4e;
    private static final int VERSION = 1;

    /**
     * @param cycleFile name of the last cycle file
     * @param lastSeq   last sequence in it
     * @param lastHlc   its HLC
     */
    public record Marker(String cycleFile, long lastSeq, long lastHlc) {
    }

    private CleanCloseMarker() {
    }

    /**
     * @param dir partition directory
     * @return the marker if present and intact
     */
    public static Optional<Marker> read(Path dir) {
        Path f = dir.resolve(FILE);
        try {
            if (!Files.isRegularFile(f)) {
                return Optional.empty();
            }
            byte[] b = Files.readAllBytes(f);
            if (b.length < 4 + 2 + 8 + 8 + 2 + 4) {
                return Optional.empty();
            }
            CRC32C crc = new CRC32C();
            crc.update(b, 0, b.length - 4);
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            if (bb.getInt(b.length - 4) != (int) crc.getValue() || bb.getInt() != MAGIC
                    || (bb.getShort() & 0xFFFF) != VERSION) {
                return Optional.empty();
            }
            long seq = bb.getLong();
            long hlc = bb.getLong();
            int len = bb.getShort() & 0xFFFF;
            if (len != b.length - 4 - bb.position()) {
                return Optional.empty();
            }
            return Optional.of(new Marker(new String(b, bb.position(), len, StandardCharsets.UTF_8), seq, hlc));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Writes the marker durably (write-new, fsync, rename, fsync directory).
     *
     * @param dir    partition directory
     * @param marker the marker
     * @throws IOException on failure
     */
    public static void write(Path dir, Marker marker) throws IOException {
        byte[] name = marker.cycleFile().getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(4 + 2 + 8 + 8 + 2 + name.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(MAGIC).putShort((short) VERSION).putLong(marker.lastSeq()).putLong(marker.lastHlc())
                .putShort((short) name.length).put(name);
        CRC32C crc = new CRC32C();
        crc.update(bb.array(), 0, bb.position());
        bb.putInt((int) crc.getValue());
        Path tmp = dir.resolve(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            bb.flip();
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
            Fsync.force(ch, tmp, true);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Fsync.directory(dir);
    }

    /**
     * Deletes the marker durably, so a crash from now on leads to a full scan.
     *
     * @param dir partition directory
     * @throws IOException on failure
     */
    public static void delete(Path dir) throws IOException {
        if (Files.deleteIfExists(dir.resolve(FILE))) {
            Fsync.directory(dir);
        }
    }
}
