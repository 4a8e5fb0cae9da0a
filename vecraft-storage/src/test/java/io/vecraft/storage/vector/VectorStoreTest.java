package io.vecraft.storage.vector;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Metric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorStoreTest {

    @TempDir
    Path dir;

    static float[] vec(int seed, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = seed * 1000 + i;
        }
        return v;
    }

    @Test
    void slotsSurviveReopenAndGrowAcrossManyChunks() throws Exception {
        Path file = dir.resolve("v.dat");
        int dim = 100;
        try (VectorStore s = VectorStore.open(file, dim, Metric.L2, 64 << 10)) {
            assertEquals(128, s.slotsPerChunk()); // 64 KiB / 408 B rounded down to a power of two
            for (int i = 0; i < 1000; i++) {
                s.write(i, vec(i, dim));
            }
            assertTrue(s.capacity() >= 1000);
            s.force();
        }
        try (VectorStore s = VectorStore.open(file, dim, Metric.L2, 1 << 30)) {
            assertEquals(128, s.slotsPerChunk(), "chunk size comes from the header");
            s.ensureSlots(1000);
            for (int i = 0; i < 1000; i += 37) {
                assertArrayEquals(vec(i, dim), s.read(i));
            }
        }
        assertEquals(VectorStore.HEADER_BYTES + 8L * 128 * 408, Files.size(file));
    }

    @Test
    void flippedHeaderByteIsReportedWithFileAndOffset() throws Exception {
        Path file = dir.resolve("v.dat");
        VectorStore.open(file, 4, Metric.COSINE, 64 << 10).close();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(13);
            raf.write(9);
        }
        CorruptedDataException e = assertThrows(CorruptedDataException.class,
                () -> VectorStore.open(file, 4, Metric.COSINE, 64 << 10));
        assertEquals(file.toString(), e.location());
        assertEquals(60, e.position());
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(0);
            raf.write('X');
        }
        CorruptedDataException magic = assertThrows(CorruptedDataException.class,
                () -> VectorStore.open(file, 4, Metric.COSINE, 64 << 10));
        assertEquals(0, magic.position());
    }

    @Test
    void unknownMetricCodeInTheHeaderIsCorruption() throws Exception {
        Path file = dir.resolve("v.dat");
        VectorStore.open(file, 4, Metric.L2, 64 << 10).close();
        byte[] b = Files.readAllBytes(file);
        b[16] = 7;
        int crc = io.vecraft.storage.internal.Crc.crc32c(b, 0, 60);
        for (int i = 0; i < 4; i++) {
            b[60 + i] = (byte) (crc >>> (8 * i));
        }
        Files.write(file, b);
        CorruptedDataException e = assertThrows(CorruptedDataException.class,
                () -> VectorStore.open(file, 4, Metric.L2, 64 << 10));
        assertTrue(e.getMessage().contains("unknown metric code 7"), e.getMessage());
    }

    @Test
    void otherDimensionOrMetricIsRejected() {
        Path file = dir.resolve("v.dat");
        VectorStore.open(file, 4, Metric.L2, 64 << 10).close();
        assertEquals("config.dimension", assertThrows(InvalidArgumentException.class,
                () -> VectorStore.open(file, 5, Metric.L2, 64 << 10)).field());
        assertEquals("config.metric", assertThrows(InvalidArgumentException.class,
                () -> VectorStore.open(file, 4, Metric.DOT, 64 << 10)).field());
    }

    @Test
    void corruptSlotIsDetectedOnRead() throws Exception {
        Path file = dir.resolve("v.dat");
        try (VectorStore s = VectorStore.open(file, 4, Metric.L2, 64 << 10)) {
            s.write(0, vec(0, 4));
            s.write(1, vec(1, 4));
            s.force();
            long slot1 = VectorStore.HEADER_BYTES + s.slotBytes();
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.seek(slot1 + VectorStore.SLOT_HEADER_BYTES + 2);
                raf.write(0x55);
            }
            CorruptedDataException e = assertThrows(CorruptedDataException.class, () -> s.read(1));
            assertEquals(file.toString(), e.location());
            assertEquals(slot1 + 4, e.position());
            assertArrayEquals(vec(0, 4), s.read(0));
        }
    }
}
