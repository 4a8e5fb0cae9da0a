package io.vecraft.storage.vector;

import io.vecraft.api.Metric;
import io.vecraft.storage.testing.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorKernelsTest {

    @TempDir
    Path dir;

    @Test
    void simdKernelIsAvailableWhenTheVectorModuleIsPresent() {
        System.out.println("kernels: " + VectorKernels.available().stream().map(VectorKernel::name).toList()
                + ", preferred " + VectorKernels.preferred().name() + ", JDK " + Runtime.version());
        if (VectorKernels.vectorModulePresent()) {
            assertTrue(VectorKernels.available().size() >= 2, "a SIMD kernel should work on JDK 17 and 22+");
            assertTrue(VectorKernels.preferred().name().startsWith("simd"), VectorKernels.preferred().name());
        } else {
            assertEquals("scalar", VectorKernels.preferred().name());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 8, 16, 17, 64, 100, 128, 784, 1023})
    void everyKernelAgreesWithScalarOnArraysAndSlots(int dim) {
        Random rnd = Seeds.random("everyKernelAgreesWithScalar dim=" + dim);
        try (VectorStore store = VectorStore.open(dir.resolve("v" + dim), dim, Metric.L2, 64 << 10)) {
            int n = 50;
            float[][] vs = new float[n][];
            for (int i = 0; i < n; i++) {
                vs[i] = Seeds.vector(rnd, dim);
                for (int j = 0; j < dim; j++) {
                    vs[i][j] *= 10 * rnd.nextFloat();
                }
                store.write(i, vs[i]);
            }
            VectorKernel scalar = ScalarKernel.INSTANCE;
            for (VectorKernel k : VectorKernels.available()) {
                for (int t = 0; t < 200; t++) {
                    int a = rnd.nextInt(n);
                    int b = rnd.nextInt(n);
                    float[] q = vs[rnd.nextInt(n)];
                    // float sums differ by summation order: tolerate rounding relative to sum |x_i y_i|
                    float dotAB = magnitude(vs[a], vs[b]);
                    float dotQB = magnitude(q, vs[b]);
                    float l2AB = scalar.squareDistance(vs[a], vs[b]);
                    float l2QB = scalar.squareDistance(q, vs[b]);
                    assertClose(scalar.dot(vs[a], vs[b]), k.dot(vs[a], vs[b]), dotAB, k, "dot arrays");
                    assertClose(l2AB, k.squareDistance(vs[a], vs[b]), l2AB, k, "l2 arrays");
                    assertClose(scalar.dot(q, store, b), k.dot(q, store, b), dotQB, k, "dot query-slot");
                    assertClose(l2QB, k.squareDistance(q, store, b), l2QB, k, "l2 query-slot");
                    assertClose(scalar.dot(store, a, b), k.dot(store, a, b), dotAB, k, "dot slot-slot");
                    assertClose(scalar.squareDistance(store, a, b), k.squareDistance(store, a, b), l2AB, k, "l2 slot-slot");
                    assertClose(k.dot(vs[a], vs[b]), k.dot(vs[a], store, b), dotAB, k, "dot slot vs array");
                }
            }
        }
    }

    private static float magnitude(float[] x, float[] y) {
        float s = 0;
        for (int i = 0; i < x.length; i++) {
            s += Math.abs(x[i] * y[i]);
        }
        return s;
    }

    private static void assertClose(float expected, float actual, float scale, VectorKernel k, String what) {
        float tol = 1e-5f * Math.max(1f, scale);
        assertEquals(expected, actual, tol, k.name() + " " + what);
    }

    @Test
    void scoresFollowTheMetricDefinitions() {
        float[] a = {3, 4};
        float[] b = {0, 0.5f};
        try (VectorStore l2 = VectorStore.open(dir.resolve("l2"), 2, Metric.L2, 64 << 10);
             VectorStore dot = VectorStore.open(dir.resolve("dot"), 2, Metric.DOT, 64 << 10);
             VectorStore cos = VectorStore.open(dir.resolve("cos"), 2, Metric.COSINE, 64 << 10)) {
            l2.write(0, b);
            dot.write(0, b);
            cos.write(0, Vectors.normalised("v", b));
            for (VectorKernel k : VectorKernels.available()) {
                VectorScorer s = new VectorScorer(l2, k);
                assertEquals((float) Math.sqrt(9 + 3.5 * 3.5), s.distance(s.score(s.prepareQuery(a), 0)), 1e-5);
                VectorScorer d = new VectorScorer(dot, k);
                assertEquals(-2f, d.distance(d.score(d.prepareQuery(a), 0)), 1e-6);
                VectorScorer c = new VectorScorer(cos, k);
                assertEquals(1f - 0.8f, c.distance(c.score(c.prepareQuery(a), 0)), 1e-6);
            }
        }
    }
}
