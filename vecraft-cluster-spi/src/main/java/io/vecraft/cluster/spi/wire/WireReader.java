package io.vecraft.cluster.spi.wire;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A little-endian reader over a wire message or journal payload (see {@link WireWriter}). Every
 * read checks bounds; bytes that end early raise {@link BufferUnderflowException}, which callers
 * turn into a corruption or protocol error.
 *
 * <p>Not thread-safe.
 */
public final class WireReader {
    private final ByteBuffer buf;

    /** @param bytes the bytes to read */
    public WireReader(byte[] bytes) {
        buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** @return bytes read so far */
    public int position() {
        return buf.position();
    }

    /** @return bytes left */
    public int remaining() {
        return buf.remaining();
    }

    /** @param n bytes to skip */
    public void skip(int n) {
        if (n < 0 || n > buf.remaining()) {
            throw new BufferUnderflowException();
        }
        buf.position(buf.position() + n);
    }

    /** @return the next byte, unsigned */
    public int getUnsignedByte() {
        return buf.get() & 0xFF;
    }

    /** @return the next two bytes, unsigned */
    public int getUnsignedShort() {
        return buf.getShort() & 0xFFFF;
    }

    /** @return the next four bytes */
    public int getInt() {
        return buf.getInt();
    }

    /** @return the next eight bytes */
    public long getLong() {
        return buf.getLong();
    }

    /** @return the next double */
    public double getDouble() {
        return buf.getDouble();
    }

    /**
     * @param n number of floats
     * @return the next {@code n} floats
     */
    public float[] getFloats(int n) {
        if (n < 0 || (long) n * 4 > buf.remaining()) {
            throw new BufferUnderflowException();
        }
        float[] v = new float[n];
        buf.asFloatBuffer().get(v);
        buf.position(buf.position() + n * 4);
        return v;
    }

    /** @return a string written by {@link WireWriter#putShortString} */
    public String getShortString() {
        int len = getUnsignedShort();
        return string(len);
    }

    /** @return a string written by {@link WireWriter#putLongString} */
    public String getLongString() {
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

    /** @return bytes written by {@link WireWriter#putBytes} */
    public byte[] getBytes() {
        int len = buf.getInt();
        if (len < 0 || len > buf.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] b = new byte[len];
        buf.get(b);
        return b;
    }

    /** @return a boolean written by {@link WireWriter#putBoolean} */
    public boolean getBoolean() {
        return getUnsignedByte() != 0;
    }

    /** @return a float */
    public float getFloat() {
        return buf.getFloat();
    }
}
