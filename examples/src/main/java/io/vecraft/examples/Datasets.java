package io.vecraft.examples;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/**
 * The data the quickstart ingests: siftsmall (fvecs/ivecs) when ../shared/datasets has it,
 * Fashion-MNIST when the Debian package {@code dataset-fashion-mnist} is installed, generated
 * clustered vectors otherwise.
 */
final class Datasets {
    private Datasets() {
    }

    /**
     * A data set: base vectors, queries, optional ground truth and a label per base vector.
     *
     * @param name    description
     * @param base    base vectors
     * @param queries query vectors
     * @param truth   ids of the 100 (or more) nearest base vectors per query, or null
     * @param labels  a category name per base vector
     */
    record Dataset(String name, float[][] base, float[][] queries, int[][] truth, String[] labels) {
    }

    static Dataset load() throws IOException {
        for (Path p : List.of(Path.of("../shared/datasets/siftsmall"), Path.of("../../shared/datasets/siftsmall"))) {
            if (Files.isRegularFile(p.resolve("siftsmall_base.fvecs"))) {
                float[][] base = readFvecs(p.resolve("siftsmall_base.fvecs"));
                String[] labels = new String[base.length];
                for (int i = 0; i < base.length; i++) {
                    labels[i] = "bucket-" + (i % 10);
                }
                return new Dataset("siftsmall (" + p.normalize() + ")", base, readFvecs(p.resolve("siftsmall_query.fvecs")),
                        readIvecs(p.resolve("siftsmall_groundtruth.ivecs")), labels);
            }
        }
        Path fashion = Path.of("/usr/share/datasets/fashion-mnist");
        if (Files.isRegularFile(fashion.resolve("train-images-idx3-ubyte.gz"))) {
            String[] names = {"t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
                "boot"};
            float[][] base = readIdxImages(fashion.resolve("train-images-idx3-ubyte.gz"), 20_000);
            int[] labelIds = readIdxLabels(fashion.resolve("train-labels-idx1-ubyte.gz"), base.length);
            String[] labels = new String[base.length];
            for (int i = 0; i < base.length; i++) {
                labels[i] = names[labelIds[i]];
            }
            return new Dataset("Fashion-MNIST (first 20,000 of 60,000, " + fashion + ")", base,
                    readIdxImages(fashion.resolve("t10k-images-idx3-ubyte.gz"), 100), null, labels);
        }
        SplittableRandom rnd = new SplittableRandom(42);
        int dim = 64;
        float[][] centres = new float[16][dim];
        for (float[] c : centres) {
            for (int j = 0; j < dim; j++) {
                c[j] = (float) (rnd.nextDouble() * 2 - 1);
            }
        }
        float[][] base = new float[10_000][];
        String[] labels = new String[base.length];
        for (int i = 0; i < base.length; i++) {
            int c = rnd.nextInt(centres.length);
            base[i] = near(centres[c], rnd);
            labels[i] = "cluster-" + c;
        }
        float[][] queries = new float[100][];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = near(centres[rnd.nextInt(centres.length)], rnd);
        }
        return new Dataset("generated clustered vectors (10,000 x 64; siftsmall and Fashion-MNIST not found)", base,
                queries, null, labels);
    }

    private static float[] near(float[] centre, SplittableRandom rnd) {
        float[] v = new float[centre.length];
        for (int j = 0; j < v.length; j++) {
            v[j] = centre[j] + (float) (rnd.nextGaussian() * 0.15);
        }
        return v;
    }

    static float[][] readFvecs(Path file) throws IOException {
        List<float[]> out = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            byte[] head = new byte[4];
            while (in.read(head) == 4) {
                int dim = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
                byte[] body = new byte[dim * 4];
                in.readFully(body);
                float[] v = new float[dim];
                ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                out.add(v);
            }
        }
        return out.toArray(new float[0][]);
    }

    static int[][] readIvecs(Path file) throws IOException {
        float[][] raw = readFvecs(file);
        int[][] out = new int[raw.length][];
        for (int i = 0; i < raw.length; i++) {
            out[i] = new int[raw[i].length];
            for (int j = 0; j < raw[i].length; j++) {
                out[i][j] = Float.floatToRawIntBits(raw[i][j]);
            }
        }
        return out;
    }

    private static float[][] readIdxImages(Path gz, int limit) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(Files.newInputStream(gz)), 1 << 16))) {
            if (in.readInt() != 0x00000803) {
                throw new IOException(gz + ": not an IDX3 image file");
            }
            int n = Math.min(limit, in.readInt());
            int rows = in.readInt();
            int cols = in.readInt();
            float[][] out = new float[n][rows * cols];
            byte[] px = new byte[rows * cols];
            for (int i = 0; i < n; i++) {
                in.readFully(px);
                for (int j = 0; j < px.length; j++) {
                    out[i][j] = (px[j] & 0xFF) / 255f;
                }
            }
            return out;
        }
    }

    private static int[] readIdxLabels(Path gz, int limit) throws IOException {
        try (InputStream raw = new GZIPInputStream(Files.newInputStream(gz));
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
            if (in.readInt() != 0x00000801) {
                throw new IOException(gz + ": not an IDX1 label file");
            }
            int n = Math.min(limit, in.readInt());
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = in.readUnsignedByte();
            }
            return out;
        }
    }
}
