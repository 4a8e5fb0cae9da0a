package io.vecraft.storage.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernels over on-heap arrays, shared by the SIMD kernels. Every SIMD loop here and in the
 * kernels keeps four independent accumulators: with one, each fused multiply-add waits for the
 * previous one (4 cycles of latency on current x86), so a 128-d distance was a chain of 8 to 16
 * dependent FMAs; with four the chains overlap. Stateless and thread-safe.
 */
final class SimdArrays {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private SimdArrays() {
    }

    static float dot(float[] a, float[] b, int n) {
        int bound = S.loopBound(n);
        int lanes = S.length();
        int bound4 = n - n % (4 * lanes);
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        int i = 0;
        for (; i < bound4; i += 4 * lanes) {
            a0 = FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, b, i), a0);
            a1 = FloatVector.fromArray(S, a, i + lanes).fma(FloatVector.fromArray(S, b, i + lanes), a1);
            a2 = FloatVector.fromArray(S, a, i + 2 * lanes).fma(FloatVector.fromArray(S, b, i + 2 * lanes), a2);
            a3 = FloatVector.fromArray(S, a, i + 3 * lanes).fma(FloatVector.fromArray(S, b, i + 3 * lanes), a3);
        }
        for (; i < bound; i += lanes) {
            a0 = FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, b, i), a0);
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static float squareDistance(float[] a, float[] b, int n) {
        int bound = S.loopBound(n);
        int lanes = S.length();
        int bound4 = n - n % (4 * lanes);
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        int i = 0;
        for (; i < bound4; i += 4 * lanes) {
            FloatVector d0 = FloatVector.fromArray(S, a, i).sub(FloatVector.fromArray(S, b, i));
            a0 = d0.fma(d0, a0);
            FloatVector d1 = FloatVector.fromArray(S, a, i + lanes).sub(FloatVector.fromArray(S, b, i + lanes));
            a1 = d1.fma(d1, a1);
            FloatVector d2 = FloatVector.fromArray(S, a, i + 2 * lanes).sub(FloatVector.fromArray(S, b, i + 2 * lanes));
            a2 = d2.fma(d2, a2);
            FloatVector d3 = FloatVector.fromArray(S, a, i + 3 * lanes).sub(FloatVector.fromArray(S, b, i + 3 * lanes));
            a3 = d3.fma(d3, a3);
        }
        for (; i < bound; i += lanes) {
            FloatVector d = FloatVector.fromArray(S, a, i).sub(FloatVector.fromArray(S, b, i));
            a0 = d.fma(d, a0);
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
