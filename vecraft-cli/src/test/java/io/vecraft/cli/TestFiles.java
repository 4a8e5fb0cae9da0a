package io.vecraft.cli;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;

/** Writes small vector files in the benchmark formats for tests. Stateless. */
final class TestFiles {
    private TestFiles() {
    }

    static float[][] randomVectors(int n, int dim, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] v = new float[n][dim];
        for (float[] row : v) {
            for (int j = 0; j < dim; j++) {
                row[j] = (float) rnd.nextDouble(-1, 1);
            }
        }
        return v;
    }

    static void writeFvecs(Path file, float[][] vectors) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (float[] v : vectors) {
                ByteBuffer b = ByteBuffer.allocate(4 + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                b.putInt(v.length);
                for (float x : v) {
                    b.putFloat(x);
                }
                out.write(b.array());
            }
        }
    }

    static void writeIvecs(Path file, int[][] rows) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int[] v : rows) {
                ByteBuffer b = ByteBuffer.allocate(4 + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                b.putInt(v.length);
                for (int x : v) {
                    b.putInt(x);
                }
                out.write(b.array());
            }
        }
    }

    /** Exact L2 nearest neighbours of each query among base, as positions. */
    static int[][] groundTruth(float[][] base, float[][] queries, int k) {
        int[][] out = new int[queries.length][];
        for (int q = 0; q < queries.length; q++) {
            float[] query = queries[q];
            out[q] = IntStream.range(0, base.length).boxed()
                    .sorted(Comparator.comparingDouble(i -> l2(base[i], query)))
                    .limit(k).mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    static double l2(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    /** An IDX3 image file (gzipped) with the given pixel bytes, rows x cols each. */
    static void writeIdxImages(Path file, byte[][] images, int rows, int cols) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(0x00000803);
            out.writeInt(images.length);
            out.writeInt(rows);
            out.writeInt(cols);
            for (byte[] img : images) {
                out.write(Arrays.copyOf(img, rows * cols));
            }
        }
    }

    /** An IDX1 label file (not gzipped). */
    static void writeIdxLabels(Path file, int[] labels) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(0x00000801);
            out.writeInt(labels.length);
            for (int l : labels) {
                out.writeByte(l);
            }
        }
    }
}
