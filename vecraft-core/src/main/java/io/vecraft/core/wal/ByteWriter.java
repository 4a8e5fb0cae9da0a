package io.vecraft.core.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable little-endian byte buffer for encoding journal payloads.
 *
 * <p>Not thread-safe.
 */
final class ByteWriter {
    private ByteBuffer buf;

    ByteWriter(int initialCapacity) {
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

    int position() {
        return buf.position();
    }

    void putByte(int v) {
        ensure(1);
        buf.put((byte) v);
    }

    void putShort(int v) {
        ensure(2);
        buf.putShort((short) v);
    }

    void putInt(int v) {
        ensure(4);
        buf.putInt(v);
    }

    void putIntAt(int position, int v) {
        buf.putInt(position, v);
    }

    void putLong(long v) {
        ensure(8);
        buf.putLong(v);
    }

    void putDouble(double v) {
        ensure(8);
        buf.putDouble(v);
    }

    void putFloats(float[] v) {
        ensure(v.length * 4);
        buf.asFloatBuffer().put(v);
        buf.position(buf.position() + v.length * 4);
    }

    /** u16 length + UTF-8 bytes. */
    void putShortString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("string longer than 65535 bytes");
        }
        putShort(b.length);
        ensure(b.length);
        buf.put(b);
    }

    /** u32 length + UTF-8 bytes. */
    void putLongString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        putInt(b.length);
        ensure(b.length);
        buf.put(b);
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf.array(), buf.position());
    }
}
