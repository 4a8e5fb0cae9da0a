package io.vecraft.storage.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * SIMD kernel reading mapped slots through {@code FloatVector.fromMemorySegment} (JDK 22+).
 * The module compiles for Java 17, where neither {@code MemorySegment} nor that method exist,
 * so the method is bound once through a constant {@link MethodHandle} typed with
 * {@code Object} for the segment; the JIT inlines a constant handle, so this costs what a
 * direct call does. Loaded reflectively only when {@code jdk.incubator.vector} is in the boot
 * layer. Stateless and thread-safe.
 */
final class SimdSegmentKernel implements VectorKernel {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final MethodHandle FROM_SEGMENT = bind();

    private static MethodHandle bind() {
        try {
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            MethodHandle mh = MethodHandles.publicLookup().findStatic(FloatVector.class, "fromMemorySegment",
                    MethodType.methodType(FloatVector.class, VectorSpecies.class, segment, long.class, ByteOrder.class));
            return mh.asType(MethodType.methodType(FloatVector.class, VectorSpecies.class, Object.class, long.class,
                    ByteOrder.class));
        } catch (ReflectiveOperationException e) {
            throw new LinkageError("FloatVector.fromMemorySegment is not available", e);
        }
    }

    /** Probes the runtime: throws {@link LinkageError} if segments cannot be used. */
    SimdSegmentKernel() {
        Object seg = Segments.ofBuffer(ByteBuffer.allocateDirect(4 * S.length()));
        if (seg == null) {
            throw new LinkageError("MemorySegment.ofBuffer is not available");
        }
        load(seg, 0);
    }

    private static FloatVector load(Object segment, long offset) {
        try {
            return (FloatVector) FROM_SEGMENT.invokeExact(S, segment, offset, LE);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public String name() {
        return "simd-segment-" + S.vectorBitSize();
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
        Object seg = store.segment(ordinal);
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
            a0 = FloatVector.fromArray(S, q, i).fma(load(seg, off + (i << 2)), a0);
            a1 = FloatVector.fromArray(S, q, i + lanes).fma(load(seg, off + ((i + lanes) << 2)), a1);
            a2 = FloatVector.fromArray(S, q, i + 2 * lanes).fma(load(seg, off + ((i + 2 * lanes) << 2)), a2);
            a3 = FloatVector.fromArray(S, q, i + 3 * lanes).fma(load(seg, off + ((i + 3 * lanes) << 2)), a3);
        }
        for (; i < bound; i += lanes) {
            a0 = FloatVector.fromArray(S, q, i).fma(load(seg, off + (i << 2)), a0);
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        if (i < n) {
            ByteBuffer b = store.buffer(ordinal);
            for (; i < n; i++) {
                s += q[i] * b.getFloat(off + (i << 2));
            }
        }
        return s;
    }

    @Override
    public float squareDistance(float[] q, VectorStore store, int ordinal) {
        Object seg = store.segment(ordinal);
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
            FloatVector d0 = FloatVector.fromArray(S, q, i).sub(load(seg, off + (i << 2)));
            a0 = d0.fma(d0, a0);
            FloatVector d1 = FloatVector.fromArray(S, q, i + lanes).sub(load(seg, off + ((i + lanes) << 2)));
            a1 = d1.fma(d1, a1);
            FloatVector d2 = FloatVector.fromArray(S, q, i + 2 * lanes).sub(load(seg, off + ((i + 2 * lanes) << 2)));
            a2 = d2.fma(d2, a2);
            FloatVector d3 = FloatVector.fromArray(S, q, i + 3 * lanes).sub(load(seg, off + ((i + 3 * lanes) << 2)));
            a3 = d3.fma(d3, a3);
        }
        for (; i < bound; i += lanes) {
            FloatVector d = FloatVector.fromArray(S, q, i).sub(load(seg, off + (i << 2)));
            a0 = d.fma(d, a0);
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        if (i < n) {
            ByteBuffer b = store.buffer(ordinal);
            for (; i < n; i++) {
                float d = q[i] - b.getFloat(off + (i << 2));
                s += d * d;
            }
        }
        return s;
    }

    @Override
    public float dot(VectorStore store, int a, int b) {
        Object sa = store.segment(a);
        Object sb = store.segment(b);
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
            a0 = load(sa, oa + (i << 2)).fma(load(sb, ob + (i << 2)), a0);
            a1 = load(sa, oa + ((i + lanes) << 2)).fma(load(sb, ob + ((i + lanes) << 2)), a1);
            a2 = load(sa, oa + ((i + 2 * lanes) << 2)).fma(load(sb, ob + ((i + 2 * lanes) << 2)), a2);
            a3 = load(sa, oa + ((i + 3 * lanes) << 2)).fma(load(sb, ob + ((i + 3 * lanes) << 2)), a3);
        }
        for (; i < bound; i += lanes) {
            a0 = load(sa, oa + (i << 2)).fma(load(sb, ob + (i << 2)), a0);
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        if (i < n) {
            ByteBuffer ba = store.buffer(a);
            ByteBuffer bb = store.buffer(b);
            for (; i < n; i++) {
                s += ba.getFloat(oa + (i << 2)) * bb.getFloat(ob + (i << 2));
            }
        }
        return s;
    }

    @Override
    public float squareDistance(VectorStore store, int a, int b) {
        Object sa = store.segment(a);
        Object sb = store.segment(b);
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
            FloatVector d0 = load(sa, oa + (i << 2)).sub(load(sb, ob + (i << 2)));
            a0 = d0.fma(d0, a0);
            FloatVector d1 = load(sa, oa + ((i + lanes) << 2)).sub(load(sb, ob + ((i + lanes) << 2)));
            a1 = d1.fma(d1, a1);
            FloatVector d2 = load(sa, oa + ((i + 2 * lanes) << 2)).sub(load(sb, ob + ((i + 2 * lanes) << 2)));
            a2 = d2.fma(d2, a2);
            FloatVector d3 = load(sa, oa + ((i + 3 * lanes) << 2)).sub(load(sb, ob + ((i + 3 * lanes) << 2)));
            a3 = d3.fma(d3, a3);
        }
        for (; i < bound; i += lanes) {
            FloatVector d = load(sa, oa + (i << 2)).sub(load(sb, ob + (i << 2)));
            a0 = d.fma(d, a0);
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        if (i < n) {
            ByteBuffer ba = store.buffer(a);
            ByteBuffer bb = store.buffer(b);
            for (; i < n; i++) {
                float d = ba.getFloat(oa + (i << 2)) - bb.getFloat(ob + (i << 2));
                s += d * d;
            }
        }
        return s;
    }
}
