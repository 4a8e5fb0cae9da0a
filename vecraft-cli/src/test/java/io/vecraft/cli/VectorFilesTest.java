package io.vecraft.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.cli.io.VectorFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link VectorFiles}: round trips of fvecs, ivecs and IDX (plain and gzipped), and clear errors on bad files. */
class VectorFilesTest {
    @TempDir
    Path tmp;

    @Test
    void fvecsAndIvecsRoundTripExactly() throws IOException {
        float[][] v = TestFiles.randomVectors(17, 5, 11);
        Path f = tmp.resolve("a.fvecs");
        TestFiles.writeFvecs(f, v);
        assertArrayEquals(v, VectorFiles.readFvecs(f));
        int[][] ids = {{0, 1 << 25, 7}, {Integer.MAX_VALUE, 3, 2}};
        Path i = tmp.resolve("gt.ivecs");
        TestFiles.writeIvecs(i, ids);
        assertArrayEquals(ids, VectorFiles.readIvecs(i), "ids above 2^24 survive (no float detour)");
        try (VectorFiles.VectorReader r = VectorFiles.open(f, VectorFiles.Format.of(f), 1f)) {
            assertEquals(5, r.dimension());
            assertEquals(17, r.count());
            for (int k = 0; k < 17; k++) {
                assertArrayEquals(v[k], r.next());
            }
            assertNull(r.next());
        }
    }

    @Test
    void idxImagesAndLabelsReadScaled() throws IOException {
        byte[][] images = {{0, 1, 2, (byte) 255}, {10, 20, 30, 40}, {5, 5, 5, 5}};
        Path img = tmp.resolve("t10k-images-idx3-ubyte.gz");
        TestFiles.writeIdxImages(img, images, 2, 2);
        float[][] read = VectorFiles.readIdxImages(img, 2, 0.5f);
        assertEquals(2, read.length, "limit");
        assertArrayEquals(new float[] {0, 0.5f, 1, 127.5f}, read[0]);
        Path lab = tmp.resolve("labels-idx1-ubyte");
        TestFiles.writeIdxLabels(lab, new int[] {3, 9, 200});
        assertArrayEquals(new int[] {3, 9, 200}, VectorFiles.readIdxLabels(lab, 10));
        assertEquals(VectorFiles.Format.IDX, VectorFiles.Format.of(img));
    }

    @Test
    void badFilesFailNamingTheFileAndOffset() throws IOException {
        Path f = tmp.resolve("t.fvecs");
        TestFiles.writeFvecs(f, TestFiles.randomVectors(2, 3, 1));
        Files.write(f, new byte[] {9}, StandardOpenOption.APPEND);
        CorruptedDataException e = assertThrows(CorruptedDataException.class, () -> VectorFiles.readFvecs(f));
        assertTrue(e.getMessage().contains("t.fvecs") && e.getMessage().contains("not a multiple"), e.getMessage());
        Path lab = tmp.resolve("l-idx1-ubyte");
        TestFiles.writeIdxLabels(lab, new int[] {1});
        CorruptedDataException magic = assertThrows(CorruptedDataException.class,
                () -> VectorFiles.readIdxImages(lab, 10, 1f));
        assertTrue(magic.getMessage().contains("magic"), magic.getMessage());
        assertThrows(NotFoundException.class, () -> VectorFiles.readFvecs(tmp.resolve("absent.fvecs")));
        InvalidArgumentException fmt = assertThrows(InvalidArgumentException.class,
                () -> VectorFiles.Format.of(tmp.resolve("x.csv")));
        assertTrue(fmt.getMessage().contains("format"), fmt.getMessage());
    }
}
