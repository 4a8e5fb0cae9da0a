package io.vecraft.storage.internal;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PayloadLogTest {

    @TempDir
    Path dir;

    static Map<String, Object> sampleMetadata() {
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("s", "héllo ✓");
        md.put("l", -1234567890123L);
        md.put("small", 3L);
        md.put("d", 2.5);
        md.put("t", true);
        md.put("f", false);
        md.put("list", List.of("a", 1L, 2.0, true));
        md.put("empty", List.of());
        return md;
    }

    @Test
    void recordsRoundTripEveryValueTypeAcrossChunkBoundaries() {
        Path file = dir.resolve("payload.log");
        List<Long> offsets = new ArrayList<>();
        PayloadCodec.Encoder enc = new PayloadCodec.Encoder();
        String bigDoc = "x".repeat(200_000); // larger than a 64 KiB chunk
        try (PayloadLog log = PayloadLog.open(file, 64 << 10)) {
            for (int i = 0; i < 50; i++) {
                enc.upsert(i, 100 + i, 1000 + i, 3, i == 7 ? 42 : 0, "req" + i, "id-" + i, sampleMetadata(),
                        i % 10 == 0 ? bigDoc : (i % 3 == 0 ? null : "doc " + i));
                offsets.add(log.append(enc.bytes(), enc.length()));
            }
            enc.delete(5, 999, 9999, 1, 0, null, "id-5");
            offsets.add(log.append(enc.bytes(), enc.length()));
            for (int i = 0; i < 50; i++) {
                PayloadRecord r = log.read(offsets.get(i), true, true);
                assertEquals(PayloadRecord.UPSERT, r.kind());
                assertEquals(i, r.ordinal());
                assertEquals(100 + i, r.hlc());
                assertEquals(1000 + i, r.sequence());
                assertEquals(3, r.partitionId());
                assertEquals(i == 7 ? 42 : 0, r.transactionId());
                assertEquals("req" + i, r.requestId());
                assertEquals("id-" + i, r.id());
                assertEquals(sampleMetadata(), r.metadata());
                assertEquals(i % 10 == 0 ? bigDoc : (i % 3 == 0 ? null : "doc " + i), r.document());
                PayloadRecord bare = log.read(offsets.get(i), false, false);
                assertNull(bare.metadata());
                assertNull(bare.document());
                assertEquals("id-" + i, bare.id());
                PayloadRecord docOnly = log.read(offsets.get(i), false, true);
                assertEquals(r.document(), docOnly.document());
            }
            PayloadRecord del = log.read(offsets.get(50), true, true);
            assertEquals(PayloadRecord.DELETE, del.kind());
            assertEquals("", del.requestId());
            assertEquals(5, del.ordinal());
            assertEquals(log.end(), log.next(offsets.get(50)));
        }
    }

    @Test
    void flippedByteInARecordIsReportedWithFileAndOffset() throws Exception {
        Path file = dir.resolve("payload.log");
        PayloadCodec.Encoder enc = new PayloadCodec.Encoder();
        long second;
        try (PayloadLog log = PayloadLog.open(file, 64 << 10)) {
            enc.upsert(0, 1, 1, 0, 0, "r", "a", sampleMetadata(), "doc");
            log.append(enc.bytes(), enc.length());
            enc.upsert(1, 2, 2, 0, 0, "r", "b", sampleMetadata(), "doc");
            second = log.append(enc.bytes(), enc.length());
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.seek(second + PayloadLog.RECORD_HEADER_BYTES + 20);
                int b = raf.read();
                raf.seek(second + PayloadLog.RECORD_HEADER_BYTES + 20);
                raf.write(b ^ 0x10);
            }
            CorruptedDataException e = assertThrows(CorruptedDataException.class, () -> log.read(second, true, true));
            assertEquals(file.toString(), e.location());
            assertEquals(second, e.position());
            assertTrue(e.getMessage().contains("CRC32C"), e.getMessage());
            assertEquals("a", log.read(PayloadLog.HEADER_BYTES, false, false).id(), "other records still read");
            CorruptedDataException outside = assertThrows(CorruptedDataException.class, () -> log.read(log.end() + 8, false, false));
            assertEquals(log.end() + 8, outside.position());
        }
    }

    @Test
    void corruptHeaderIsRejectedAtOpen() throws Exception {
        Path file = dir.resolve("payload.log");
        PayloadLog.open(file, 64 << 10).close();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(9);
            raf.write(7);
        }
        CorruptedDataException e = assertThrows(CorruptedDataException.class, () -> PayloadLog.open(file, 64 << 10));
        assertEquals(file.toString(), e.location());
    }

    @Test
    void unsupportedMetadataValueIsRejectedNamingTheKey() {
        PayloadCodec.Encoder enc = new PayloadCodec.Encoder();
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> enc.upsert(0, 1, 1, 0, 0, "r", "a", Map.of("bad", new int[] {1}), null));
        assertEquals("record.metadata.bad", e.field());
        InvalidArgumentException nan = assertThrows(InvalidArgumentException.class,
                () -> enc.upsert(0, 1, 1, 0, 0, "r", "a", Map.of("d", Double.NaN), null));
        assertEquals("record.metadata.d", nan.field());
    }

    @Test
    void truncateCutsRecordsPastTheCheckpointLength() {
        Path file = dir.resolve("payload.log");
        PayloadCodec.Encoder enc = new PayloadCodec.Encoder();
        long keep;
        try (PayloadLog log = PayloadLog.open(file, 64 << 10)) {
            enc.delete(0, 1, 1, 0, 0, "r", "a");
            log.append(enc.bytes(), enc.length());
            keep = log.end();
            log.append(enc.bytes(), enc.length());
            log.force();
        }
        try (PayloadLog log = PayloadLog.open(file, 64 << 10)) {
            log.truncate(keep);
            log.mapValid();
            assertEquals(keep, log.end());
            assertThrows(CorruptedDataException.class, () -> log.read(keep, false, false));
            assertEquals("a", log.read(PayloadLog.HEADER_BYTES, false, false).id());
        }
    }
}
