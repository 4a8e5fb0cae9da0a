package io.vecraft.storage.vector;

import java.nio.ByteBuffer;

/**
 * Plain-Java distance kernel: the fallback when the Vector API module is absent. Stateless
 * and thread-safe.
 */
public final class ScalarKernel implements VectorKernel {

    /** The shared instance. */
    public static final ScalarKernel INSTANCE = new ScalarKernel();

    private ScalarKernel() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Override
    public float squareDistance(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            float d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    @Override
    public float dot(float[] q, VectorStore store, int ordinal) {
        ByteBuffer b = store.buffer(ordinal);
        int off = store.offset(ordinal);
        float s = 0;
        for (int i = 0; i < q.length; i++) {
            s += q[i] * b.getFloat(off + (i << 2));
        }
        return s;
    }

    @Override
    public float squareDistance(float[] q, VectorStore store, int ordinal) {
        ByteBuffer b = store.buffer(ordinal);
        int off = store.offset(ordinal);
        float s = 0;
        for (int i = 0; i < q.length; i++) {
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
        float s = 0;
        for (int i = 0; i < n; i++) {
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
        float s = 0;
        for (int i = 0; i < n; i++) {
            float d = ba.getFloat(oa + (i << 2)) - bb.getFloat(ob + (i << 2));
            s += d * d;
        }
        return s;
    }
}
