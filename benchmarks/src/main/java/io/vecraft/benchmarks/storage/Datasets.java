package io.vecraft.benchmarks.storage;

import io.vecraft.cli.io.VectorFiles;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * Loaders for the benchmark data sets and a seeded generator. fvecs/ivecs come from the CLI's shared
 * {@link VectorFiles}; Fashion-MNIST stays a byte reader here because the memory harness keeps the raw
 * bytes (one per component) instead of floats. Stateless.
 */
final class Datasets {
    private Datasets() {
    }

    /** Vectors as raw bytes (one byte per component), as Fashion-MNIST stores them. */
    record ByteVectors(int count, int dimension, byte[] data, int[] labels, String source) {
        float[] vector(int i) {
            float[] v = new float[dimension];
            for (int j = 0; j < dimension; j++) {
                v[j] = data[i * dimension + j] & 0xFF;
            }
            return v;
        }
    }

    static ByteVectors fashionMnist(Path dir, int limit) throws IOException {
        return idx(dir, "train", limit);
    }

    /** The 10,000 test images (t10k), used as queries. */
    static ByteVectors fashionMnistTest(Path dir, int limit) throws IOException {
        return idx(dir, "t10k", limit);
    }

    private static ByteVectors idx(Path dir, String part, int limit) throws IOException {
        Path images = dir.resolve(part + "-images-idx3-ubyte.gz");
        Path labels = dir.resolve(part + "-labels-idx1-ubyte.gz");
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(Files.newInputStream(images))));
             DataInputStream lin = new DataInputStream(new BufferedInputStream(new GZIPInputStream(Files.newInputStream(labels))))) {
            if (in.readInt() != 0x803) {
                throw new IOException("not an IDX3 image file: " + images);
            }
            int n = Math.min(limit, in.readInt());
            int dim = in.readInt() * in.readInt();
            byte[] data = new byte[n * dim];
            in.readFully(data);
            if (lin.readInt() != 0x801) {
                throw new IOException("not an IDX1 label file: " + labels);
            }
            lin.readInt();
            int[] l = new int[n];
            for (int i = 0; i < n; i++) {
                l[i] = lin.readUnsignedByte();
            }
            return new ByteVectors(n, dim, data, l, "Fashion-MNIST " + part + " (" + images + ")");
        }
    }

    /** Clustered bytes in [0, 255], a stand-in with Fashion-MNIST's shape when the package is absent. */
    static ByteVectors generated(int n, int dim, long seed) {
        Random rnd = new Random(seed);
        int clusters = 10;
        byte[][] centres = new byte[clusters][dim];
        for (byte[] c : centres) {
            rnd.nextBytes(c);
        }
        byte[] data = new byte[n * dim];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rnd.nextInt(clusters);
            for (int j = 0; j < dim; j++) {
                int v = (centres[labels[i]][j] & 0xFF) + (int) (rnd.nextGaussian() * 30);
                data[i * dim + j] = (byte) Math.max(0, Math.min(255, v));
            }
        }
        return new ByteVectors(n, dim, data, labels, "generated clustered " + n + "x" + dim + " seed " + seed);
    }

    static float[][] fvecs(Path file) {
        return VectorFiles.readFvecs(file);
    }

    static int[][] ivecs(Path file) {
        return VectorFiles.readIvecs(file);
    }

    static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
