package io.vecraft.core;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.cluster.spi.wal.CreateCollectionEntry;
import io.vecraft.cluster.spi.wal.WalCodec;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The catalog checkpoint: the collections that exist after applying the system partition up to
 * a sequence, so reopening replays only the system entries after it. Published by write-new +
 * fsync + atomic rename + directory fsync.
 *
 * <pre>
 * u32   magic            0x56434154 ("VCAT")
 * u16   version          1
 * i64   systemSequence   last applied sequence of the system partition
 * i32   collectionCount
 * collectionCount x:
 *   i64   uid            HLC of the collection's CREATE entry
 *   i32   length
 *   bytes createPayload  the CREATE_COLLECTION payload (io.vecraft.cluster.spi.wal format)
 * i32   nameCount        every uid ever created, dropped ones included (for the audit stream)
 * nameCount x (i64 uid, u16 length, UTF-8 name)
 * u32   crc32c           of every byte before it
 * </pre>
 * All integers little-endian.
 *
 * <p>Stateless; callers serialise writes (the catalog lock).
 */
final class CatalogFile {
    static final int MAGIC = 0x56434154;
    static final int VERSION = 1;
    static final String FILE_NAME = "catalog.bin";

    /** Contents of a catalog checkpoint. */
    record Contents(long systemSequence, Map<Long, CreateCollectionEntry> collections, Map<Long, String> names) {
        static Contents empty() {
            return new Contents(0, new LinkedHashMap<>(), new TreeMap<>());
        }
    }

    private CatalogFile() {
    }

    static Contents read(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return Contents.empty();
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new VecraftIOException("cannot read " + file, e);
        }
        if (bytes.length < 4 + 2 + 8 + 4 + 4 + 4) {
            throw new CorruptedDataException(file.toString(), 0, "file too short: " + bytes.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int stored = b.getInt(bytes.length - 4);
        if ((int) crc.getValue() != stored) {
            throw new CorruptedDataException(file.toString(), bytes.length - 4, "CRC32C mismatch");
        }
        try {
            if (b.getInt() != MAGIC) {
                throw new CorruptedDataException(file.toString(), 0, "bad magic");
            }
            int version = b.getShort() & 0xFFFF;
            if (version != VERSION) {
                throw new CorruptedDataException(file.toString(), 4, "unknown version " + version);
            }
            long seq = b.getLong();
            int n = b.getInt();
            Map<Long, CreateCollectionEntry> collections = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                long uid = b.getLong();
                byte[] payload = new byte[b.getInt()];
                b.get(payload);
                collections.put(uid, WalCodec.decodeCreate(payload, file.toString(), b.position()));
            }
            int m = b.getInt();
            Map<Long, String> names = new TreeMap<>();
            for (int i = 0; i < m; i++) {
                long uid = b.getLong();
                byte[] name = new byte[b.getShort() & 0xFFFF];
                b.get(name);
                names.put(uid, new String(name, StandardCharsets.UTF_8));
            }
            return new Contents(seq, collections, names);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptedDataException(file.toString(), b.position(), "truncated catalog", e);
        }
    }

    static void write(Path dir, Contents contents) {
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        b = ensure(b, 18);
        b.putInt(MAGIC).putShort((short) VERSION).putLong(contents.systemSequence());
        b.putInt(contents.collections().size());
        for (Map.Entry<Long, CreateCollectionEntry> e : contents.collections().entrySet()) {
            byte[] payload = WalCodec.encodeCreate(e.getValue());
            b = ensure(b, 12 + payload.length);
            b.putLong(e.getKey()).putInt(payload.length).put(payload);
        }
        b = ensure(b, 4);
        b.putInt(contents.names().size());
        for (Map.Entry<Long, String> e : contents.names().entrySet()) {
            byte[] name = e.getValue().getBytes(StandardCharsets.UTF_8);
            b = ensure(b, 10 + name.length);
            b.putLong(e.getKey()).putShort((short) name.length).put(name);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b = ensure(b, 4);
        b.putInt((int) crc.getValue());
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        Path file = dir.resolve(FILE_NAME);
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                Fsync.directory(dir.toAbsolutePath().getParent());
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer out = ByteBuffer.wrap(b.array(), 0, b.position());
                while (out.hasRemaining()) {
                    ch.write(out);
                }
                Fsync.file(ch, tmp);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new VecraftIOException("file system cannot rename atomically: " + dir, e);
            }
            Fsync.directory(dir);
        } catch (IOException e) {
            throw new VecraftIOException("cannot write catalog " + file, e);
        }
    }

    private static ByteBuffer ensure(ByteBuffer b, int more) {
        if (b.remaining() >= more) {
            return b;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + more))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.flip();
        bigger.put(b);
        return bigger;
    }
}
