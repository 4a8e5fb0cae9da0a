package io.vecraft.storage.testing;

import java.util.Random;

/**
 * Seeds for property tests: a fresh random seed per run, printed so a failure can be replayed
 * with {@code -Dvecraft.test.jvm=-Dvecraft.seed=<seed>}.
 */
public final class Seeds {
    private Seeds() {
    }

    /**
     * @param test name printed with the seed
     * @return a generator seeded from {@code vecraft.seed} or a fresh seed
     */
    public static Random random(String test) {
        long seed = seed(test);
        return new Random(seed);
    }

    /**
     * @param test name printed with the seed
     * @return the seed to use
     */
    public static long seed(String test) {
        String forced = System.getProperty("vecraft.seed");
        long seed = forced != null && !forced.isBlank() ? Long.parseLong(forced.trim()) : System.nanoTime() ^ 0x5DEECE66DL;
        System.out.println("[seed] " + test + ": " + seed + " (replay with -Dvecraft.seed=" + seed + ")");
        return seed;
    }

    /**
     * Clustered Gaussian data: {@code clusters} centres in [-1, 1]^dim, points at sigma around them.
     *
     * @param rnd      generator
     * @param n        points
     * @param dim      dimension
     * @param clusters number of clusters
     * @param sigma    spread
     * @return the points
     */
    public static float[][] clustered(Random rnd, int n, int dim, int clusters, double sigma) {
        float[][] centres = new float[clusters][dim];
        for (float[] c : centres) {
            for (int i = 0; i < dim; i++) {
                c[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
        }
        float[][] out = new float[n][dim];
        for (int p = 0; p < n; p++) {
            float[] c = centres[rnd.nextInt(clusters)];
            for (int i = 0; i < dim; i++) {
                out[p][i] = (float) (c[i] + rnd.nextGaussian() * sigma);
            }
        }
        return out;
    }

    /**
     * @param rnd generator
     * @param dim dimension
     * @return a vector with components in [-1, 1)
     */
    public static float[] vector(Random rnd, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return v;
    }
}
