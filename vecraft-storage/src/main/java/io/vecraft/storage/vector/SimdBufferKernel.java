package io.vecraft.storage.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * SIMD kernel over the incubating Vector API for JDK 17 and 18 (where
 * {@code FloatVector.fromByteBuffer} exists; later runtimes dropped it and {@link VectorKernels}
 * picks {@link SimdSegmentKernel} there). On JDK 17 each {@code fromByteBuffer} load re-checks
 * the buffer, which costs more than a bulk copy once vectors are long: measured here (AVX-512,
 * random slots of a mapped file) 43 vs 57 ns at 128-d, but 161 vs 124 ns at 256-d and 719 vs
 * 603 ns at 784-d. So slots of fewer than {@value #COPY_FROM_DIMENSION} floats are loaded with
 * {@code fromByteBuffer}, longer ones are first copied into a per-thread scratch array (one
 * {@code memcpy}) and scored with {@code fromArray}. Loaded reflectively only when
 * {@code jdk.incubator.vector} is in the boot layer. Thread-safe (scratch arrays are per thread).
 */
final class SimdBufferKernel implements VectorKernel {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Dimension from which slots are copied to a scratch array instead of loaded from the buffer. */
    static final int COPY_FROM_DIMENSION = 192;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private static float[][] scratch(int dimension) {
        float[][] s = SCRATCH.get();
        if (s[0].length < dimension) {
            s[0] = new float[dimension];
            s[1] = new float[dimension];
        }
        return s;
    }

    private static FloatVector load(ByteBuffer b, int byteOffset) {
        return FloatVector.fromByteBuffer(S, b, byteOffset, LE);
    }

    /** Probes the runtime: throws {@link LinkageError} if fromByteBuffer is missing. */
    SimdBufferKernel() {
        ByteBuffer probe = ByteBuffer.allocateDirect(4 * S.length()).order(LE);
        load(probe, 0).reduceLanes(VectorOperators.ADD);
    }

    @Override
    public String name() {
        return "simd-buffer-" + S.vectorBitSize();
    }

    @Override
    public float dot(float[] a, float[] b) {
        return SimdArrays.dot(a, b, a.length);
    }

    @Override
    public float squareDistance(float[] a, float[] b) {
        return SimdArrays.squareDistance(a, b, a.length);
    }

    @Override
    public float dot(float[] q, VectorStore store, int ordinal) {
        if (q.length >= COPY_FROM_DIMENSION) {
            float[] v = scratch(q.length)[0];
            store.copyTo(ordinal, v);
            return SimdArrays.dot(q, v, q.length);
        }
        ByteBuffer b = store.buffer(ordinal);
        int off = store.offset(ordinal);
        int n = q.length;
        int bound = S.loopBound(n);
        int lanes = S.length();
        int bound4 = n - n % (4 * lanes);
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        int i = 0;
        for (; i < bound4; i += 4 * lanes) {
            a0 = FloatVector.fromArray(S, q, i).fma(load(b, off + (i << 2)), a0);
            a1 = FloatVector.fromArray(S, q, i + lanes).fma(load(b, off + ((i + lanes) << 2)), a1);
            a2 = FloatVector.fromArray(S, q, i + 2 * lanes).fma(load(b, off + ((i + 2 * lanes) << 2)), a2);
            a3 = FloatVector.fromArray(S, q, i + 3 * lanes).fma(load(b, off + ((i + 3 * lanes) << 2)), a3);
        }
        for (; i < bound; i += lanes) {
            a0 = FloatVector.fromArray(S, q, i).fma(load(b, off + (i << 2)), a0);
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += q[i] * b.getFloat(off + (i << 2));
        }
        return s;
    }

    @Override
    public float squareDistance(float[] q, VectorStore store, int ordinal) {
        if (q.length >= COPY_FROM_DIMENSION) {
            float[] v = scratch(q.length)[0];
            store.copyTo(ordinal, v);
            return SimdArrays.squareDistance(q, v, q.length);
        }
        ByteBuffer b = store.buffer(ordinal);
        int off = store.offset(ordinal);
        int n = q.length;
        int bound = S.loopBound(n);
        int lanes = S.length();
        int bound4 = n - n % (4 * lanes);
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        int i = 0;
        for (; i < bound4; i += 4 * lanes) {
            FloatVector d0 = FloatVector.fromArray(S, q, i).sub(load(b, off + (i << 2)));
            a0 = d0.fma(d0, a0);
            FloatVector d1 = FloatVector.fromArray(S, q, i + lanes).sub(load(b, off + ((i + lanes) << 2)));
            a1 = d1.fma(d1, a1);
            FloatVector d2 = FloatVector.fromArray(S, q, i + 2 * lanes).sub(load(b, off + ((i + 2 * lanes) << 2)));
            a2 = d2.fma(d2, a2);
            FloatVector d3 = FloatVector.fromArray(S, q, i + 3 * lanes).sub(load(b, off + ((i + 3 * lanes) << 2)));
            a3 = d3.fma(d3, a3);
        }
        for (; i < bound; i += lanes) {
            FloatVector d = FloatVector.fromArray(S, q, i).sub(load(b, off + (i << 2)));
            a0 = d.fma(d, a0);
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float d = q[i] - b.getFloat(off + (i << 2));
            s += d * d;
        }
        return s;
    }

    @Override
    public float dot(VectorStore store, int a, int b) {
        int dim = store.dimension();
        if (dim >= COPY_FROM_DIMENSION) {
            float[][] s = scratch(dim);
            store.copyTo(a, s[0]);
            store.copyTo(b, s[1]);
            return SimdArrays.dot(s[0], s[1], dim);
        }
        ByteBuffer ba = store.buffer(a);
        ByteBuffer bb = store.buffer(b);
        int oa = store.offset(a);
        int ob = store.offset(b);
        int n = store.dimension();
        int bound = S.loopBound(n);
        int lanes = S.length();
        int bound4 = n - n % (4 * lanes);
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        int i = 0;
        for (; i < bound4; i += 4 * lanes) {
            a0 = load(ba, oa + (i << 2))
                    .fma(load(bb, ob + (i << 2)), a0);
            a1 = load(ba, oa + ((i + lanes) << 2))
                    .fma(load(bb, ob + ((i + lanes) << 2)), a1);
            a2 = load(ba, oa + ((i + 2 * lanes) << 2))
                    .fma(load(bb, ob + ((i + 2 * lanes) << 2)), a2);
            a3 = load(ba, oa + ((i + 3 * lanes) << 2))
                    .fma(load(bb, ob + ((i + 3 * lanes) << 2)), a3);
        }
        for (; i < bound; i += lanes) {
            a0 = load(ba, oa + (i << 2))
                    .fma(load(bb, ob + (i << 2)), a0);
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += ba.getFloat(oa + (i << 2)) * bb.getFloat(ob + (i << 2));
        }
        return s;
    }

    @Override
    public float squareDistance(VectorStore store, int a, int b) {
        int dim = store.dimension();
        if (dim >= COPY_FROM_DIMENSION) {
            float[][] s = scratch(dim);
            store.copyTo(a, s[0]);
            store.copyTo(b, s[1]);
            return SimdArrays.squareDistance(s[0], s[1], dim);
        }
        ByteBuffer ba = store.buffer(a);
        ByteBuffer bb = store.buffer(b);
        int oa = store.offset(a);
        int ob = store.offset(b);
        int n = store.dimension();
        int bound = S.loopBound(n);
        int lanes = S.length();
        int bound4 = n - n % (4 * lanes);
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        int i = 0;
        for (; i < bound4; i += 4 * lanes) {
            FloatVector d0 = load(ba, oa + (i << 2))
                    .sub(load(bb, ob + (i << 2)));
            a0 = d0.fma(d0, a0);
            FloatVector d1 = load(ba, oa + ((i + lanes) << 2))
                    .sub(load(bb, ob + ((i + lanes) << 2)));
            a1 = d1.fma(d1, a1);
            FloatVector d2 = load(ba, oa + ((i + 2 * lanes) << 2))
                    .sub(load(bb, ob + ((i + 2 * lanes) << 2)));
            a2 = d2.fma(d2, a2);
            FloatVector d3 = load(ba, oa + ((i + 3 * lanes) << 2))
                    .sub(load(bb, ob + ((i + 3 * lanes) << 2)));
            a3 = d3.fma(d3, a3);
        }
        for (; i < bound; i += lanes) {
            FloatVector d = load(ba, oa + (i << 2))
                    .sub(load(bb, ob + (i << 2)));
            a0 = d.fma(d, a0);
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float d = ba.getFloat(oa + (i << 2)) - bb.getFloat(ob + (i << 2));
            s += d * d;
        }
        return s;
    }
}
