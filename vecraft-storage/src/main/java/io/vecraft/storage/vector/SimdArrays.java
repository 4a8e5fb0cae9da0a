package io.vecraft.storage.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** SIMD kernels over on-heap arrays, shared by the SIMD kernels. Stateless and thread-safe. */
final class SimdArrays {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private SimdArrays() {
    }

    static float dot(float[] a, float[] b, int n) {
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, b, i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static float squareDistance(float[] a, float[] b, int n) {
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, a, i).sub(FloatVector.fromArray(S, b, i));
            acc = d.fma(d, acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
