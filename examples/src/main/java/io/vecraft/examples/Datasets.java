package io.vecraft.examples;

import io.vecraft.cli.io.VectorFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The data the quickstart ingests: siftsmall (fvecs/ivecs) when ../shared/datasets has it,
 * Fashion-MNIST when the Debian package {@code dataset-fashion-mnist} is installed, generated
 * clustered vectors otherwise. The files are read with the CLI's {@link VectorFiles}.
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
                float[][] base = VectorFiles.readFvecs(p.resolve("siftsmall_base.fvecs"));
                String[] labels = new String[base.length];
                for (int i = 0; i < base.length; i++) {
                    labels[i] = "bucket-" + (i % 10);
                }
                return new Dataset("siftsmall (" + p.normalize() + ")", base, VectorFiles.readFvecs(p.resolve("siftsmall_query.fvecs")),
                        VectorFiles.readIvecs(p.resolve("siftsmall_groundtruth.ivecs")), labels);
            }
        }
        Path fashion = Path.of("/usr/share/datasets/fashion-mnist");
        if (Files.isRegularFile(fashion.resolve("train-images-idx3-ubyte.gz"))) {
            String[] names = {"t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
                "boot"};
            float[][] base = VectorFiles.readIdxImages(fashion.resolve("train-images-idx3-ubyte.gz"), 20_000, 1 / 255f);
            int[] labelIds = VectorFiles.readIdxLabels(fashion.resolve("train-labels-idx1-ubyte.gz"), base.length);
            String[] labels = new String[base.length];
            for (int i = 0; i < base.length; i++) {
                labels[i] = names[labelIds[i]];
            }
            return new Dataset("Fashion-MNIST (first 20,000 of 60,000, " + fashion + ")", base,
                    VectorFiles.readIdxImages(fashion.resolve("t10k-images-idx3-ubyte.gz"), 100, 1 / 255f), null, labels);
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
}
