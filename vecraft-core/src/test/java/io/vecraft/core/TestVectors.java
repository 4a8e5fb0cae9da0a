package io.vecraft.core;

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

/** Generated and public test vectors. */
final class TestVectors {
    private TestVectors() {
    }

    /**
     * Clustered Gaussian data: {@code clusters} centres in [-1, 1]^dim, points spread 0.15 around them.
     */
    static float[][] clustered(SplittableRandom rnd, int n, int dim, int clusters) {
        float[][] centres = new float[clusters][dim];
        for (float[] c : centres) {
            for (int j = 0; j < dim; j++) {
                c[j] = (float) (rnd.nextDouble() * 2 - 1);
            }
        }
        float[][] out = new float[n][dim];
        for (int i = 0; i < n; i++) {
            float[] c = centres[rnd.nextInt(clusters)];
            for (int j = 0; j < dim; j++) {
                out[i][j] = c[j] + (float) (gaussian(rnd) * 0.15);
            }
        }
        return out;
    }

    static double gaussian(SplittableRandom rnd) {
        double u = Math.max(1e-12, rnd.nextDouble());
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    static float[] random(SplittableRandom rnd, int dim) {
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
            v[j] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return v;
    }

    static double l2(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    /** @return the siftsmall directory if present (../shared/datasets/siftsmall from the repo root) */
    static Path siftsmall() {
        for (Path p : List.of(Path.of("../shared/datasets/siftsmall"), Path.of("../../shared/datasets/siftsmall"),
                Path.of("/work/shared/datasets/siftsmall"))) {
            if (Files.isRegularFile(p.resolve("siftsmall_base.fvecs"))) {
                return p;
            }
        }
        return null;
    }

    static float[][] readFvecs(Path file) throws IOException {
        List<float[]> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file); DataInputStream d = new DataInputStream(
                new java.io.BufferedInputStream(in, 1 << 16))) {
            byte[] dimBytes = new byte[4];
            while (d.read(dimBytes) == 4) {
                int dim = ByteBuffer.wrap(dimBytes).order(ByteOrder.LITTLE_ENDIAN).getInt();
                byte[] body = new byte[dim * 4];
                d.readFully(body);
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
}
