package io.vecraft.storage.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * SIMD kernel over the incubating Vector API reading mapped slots with
 * {@code FloatVector.fromByteBuffer} (JDK 17 and 18; the method is gone from later runtimes,
 * where {@link VectorKernels} probes and picks {@link SimdSegmentKernel}). Loaded reflectively
 * only when {@code jdk.incubator.vector} is in the boot layer. Stateless and thread-safe.
 */
final class SimdBufferKernel implements VectorKernel {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Probes the runtime: throws {@link LinkageError} if fromByteBuffer is missing. */
    SimdBufferKernel() {
        ByteBuffer probe = ByteBuffer.allocateDirect(4 * S.length()).order(LE);
        FloatVector.fromByteBuffer(S, probe, 0, LE).reduceLanes(VectorOperators.ADD);
    }

    @Override
    public String name() {
        return "simd-buffer-" + S.vectorBitSize();
    }

    @Override
    public float dot(float[] a, float[] b) {
        return SimdArrays.dot(a, b);
    }

    @Override
    public float squareDistance(float[] a, float[] b) {
        return SimdArrays.squareDistance(a, b);
    }

    @Override
    public float dot(float[] q, VectorStore store, int ordinal) {
        ByteBuffer b = store.buffer(ordinal);
        int off = store.offset(ordinal);
        int n = q.length;
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, q, i).fma(FloatVector.fromByteBuffer(S, b, off + (i << 2), LE), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += q[i] * b.getFloat(off + (i << 2));
        }
        return s;
    }

    @Override
    public float squareDistance(float[] q, VectorStore store, int ordinal) {
        ByteBuffer b = store.buffer(ordinal);
        int off = store.offset(ordinal);
        int n = q.length;
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, q, i).sub(FloatVector.fromByteBuffer(S, b, off + (i << 2), LE));
            acc = d.fma(d, acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float d = q[i] - b.getFloat(off + (i << 2));
            s += d * d;
        }
        return s;
    }

    @Override
    public float dot(VectorStore store, int a, int b) {
        ByteBuffer ba = store.buffer(a);
        ByteBuffer bb = store.buffer(b);
        int oa = store.offset(a);
        int ob = store.offset(b);
        int n = store.dimension();
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += S.length()) {
            acc = FloatVector.fromByteBuffer(S, ba, oa + (i << 2), LE)
                    .fma(FloatVector.fromByteBuffer(S, bb, ob + (i << 2), LE), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += ba.getFloat(oa + (i << 2)) * bb.getFloat(ob + (i << 2));
        }
        return s;
    }

    @Override
    public float squareDistance(VectorStore store, int a, int b) {
        ByteBuffer ba = store.buffer(a);
        ByteBuffer bb = store.buffer(b);
        int oa = store.offset(a);
        int ob = store.offset(b);
        int n = store.dimension();
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += S.length()) {
            FloatVector d = FloatVector.fromByteBuffer(S, ba, oa + (i << 2), LE)
                    .sub(FloatVector.fromByteBuffer(S, bb, ob + (i << 2), LE));
            acc = d.fma(d, acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float d = ba.getFloat(oa + (i << 2)) - bb.getFloat(ob + (i << 2));
            s += d * d;
        }
        return s;
    }
}
