package io.vecraft.cluster.spi.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable little-endian byte buffer for encoding wire messages and journal payloads.
 * Strings are UTF-8 with a length prefix ({@code str16}: u16, {@code str32}: i32).
 *
 * <p>Not thread-safe.
 */
public final class WireWriter {
    private ByteBuffer buf;

    /** @param initialCapacity initial buffer size in bytes */
    public WireWriter(int initialCapacity) {
        buf = ByteBuffer.allocate(Math.max(64, initialCapacity)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void ensure(int more) {
        if (buf.remaining() < more) {
            long needed = (long) buf.position() + more;
            long capacity = Math.max(needed, (long) buf.capacity() * 2);
            if (capacity > Integer.MAX_VALUE - 16) {
                capacity = needed;
            }
            if (capacity > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("payload larger than 2 GiB");
            }
            ByteBuffer bigger = ByteBuffer.allocate((int) capacity).order(ByteOrder.LITTLE_ENDIAN);
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    /** @return bytes written so far */
    public int position() {
        return buf.position();
    }

    /** @param v written as one byte (low 8 bits) */
    public void putByte(int v) {
        ensure(1);
        buf.put((byte) v);
    }

    /** @param v written as two bytes (low 16 bits) */
    public void putShort(int v) {
        ensure(2);
        buf.putShort((short) v);
    }

    /** @param v written as four bytes */
    public void putInt(int v) {
        ensure(4);
        buf.putInt(v);
    }

    /**
     * Overwrites four bytes already written (for length prefixes).
     *
     * @param position where
     * @param v        the value
     */
    public void putIntAt(int position, int v) {
        buf.putInt(position, v);
    }

    /** @param v written as eight bytes */
    public void putLong(long v) {
        ensure(8);
        buf.putLong(v);
    }

    /** @param v written as an IEEE 754 double */
    public void putDouble(double v) {
        ensure(8);
        buf.putDouble(v);
    }

    /** @param v written as IEEE 754 floats, without a length */
    public void putFloats(float[] v) {
        ensure(v.length * 4);
        buf.asFloatBuffer().put(v);
        buf.position(buf.position() + v.length * 4);
    }

    /**
     * Writes a u16 length and the UTF-8 bytes.
     *
     * @param s the string, at most 65,535 UTF-8 bytes
     */
    public void putShortString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("string longer than 65535 bytes");
        }
        putShort(b.length);
        ensure(b.length);
        buf.put(b);
    }

    /**
     * Writes an i32 length and the UTF-8 bytes.
     *
     * @param s the string
     */
    public void putLongString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        putInt(b.length);
        ensure(b.length);
        buf.put(b);
    }

    /** @return a copy of the bytes written */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf.array(), buf.position());
    }

    /**
     * Writes an i32 length and the bytes.
     *
     * @param b the bytes
     */
    public void putBytes(byte[] b) {
        putInt(b.length);
        ensure(b.length);
        buf.put(b);
    }

    /**
     * Writes a boolean as one byte.
     *
     * @param v the value
     */
    public void putBoolean(boolean v) {
        putByte(v ? 1 : 0);
    }

    /**
     * Writes a float.
     *
     * @param v the value
     */
    public void putFloat(float v) {
        ensure(4);
        buf.putFloat(v);
    }
}
