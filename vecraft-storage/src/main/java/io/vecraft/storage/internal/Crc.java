package io.vecraft.storage.internal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC32C helpers. Stateless and thread-safe. */
public final class Crc {
    private Crc() {
    }

    /**
     * @param bytes data
     * @param off   offset
     * @param len   length
     * @return CRC32C of the range as an int
     */
    public static int crc32c(byte[] bytes, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, off, len);
        return (int) crc.getValue();
    }

    /**
     * @param buffer data (position and limit are not changed)
     * @param off    absolute offset
     * @param len    length
     * @return CRC32C of the range as an int
     */
    public static int crc32c(ByteBuffer buffer, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().position(off).limit(off + len));
        return (int) crc.getValue();
    }
}
