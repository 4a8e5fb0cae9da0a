package io.vecraft.core.wal;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A little-endian reader over a journal payload. Every read checks bounds; a payload that ends
 * early raises {@link BufferUnderflowException}, which callers turn into a corruption error.
 *
 * <p>Not thread-safe.
 */
final class ByteReader {
    private final ByteBuffer buf;

    ByteReader(byte[] bytes) {
        buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    int position() {
        return buf.position();
    }

    int remaining() {
        return buf.remaining();
    }

    void skip(int n) {
        if (n < 0 || n > buf.remaining()) {
            throw new BufferUnderflowException();
        }
        buf.position(buf.position() + n);
    }

    int getUnsignedByte() {
        return buf.get() & 0xFF;
    }

    int getUnsignedShort() {
        return buf.getShort() & 0xFFFF;
    }

    int getInt() {
        return buf.getInt();
    }

    long getLong() {
        return buf.getLong();
    }

    double getDouble() {
        return buf.getDouble();
    }

    float[] getFloats(int n) {
        if (n < 0 || (long) n * 4 > buf.remaining()) {
            throw new BufferUnderflowException();
        }
        float[] v = new float[n];
        buf.asFloatBuffer().get(v);
        buf.position(buf.position() + n * 4);
        return v;
    }

    String getShortString() {
        int len = getUnsignedShort();
        return string(len);
    }

    String getLongString() {
        int len = buf.getInt();
        if (len < 0) {
            throw new BufferUnderflowException();
        }
        return string(len);
    }

    private String string(int len) {
        if (len > buf.remaining()) {
            throw new BufferUnderflowException();
        }
        String s = new String(buf.array(), buf.arrayOffset() + buf.position(), len, StandardCharsets.UTF_8);
        buf.position(buf.position() + len);
        return s;
    }
}
