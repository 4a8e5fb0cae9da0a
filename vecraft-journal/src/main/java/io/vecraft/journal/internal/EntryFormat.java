package io.vecraft.journal.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Encoding of one journal entry, the body of one Chronicle Queue excerpt (see FORMAT.md).
 * All integers little-endian.
 *
 * <pre>
 * off  size  field
 *   0     1  format version (1)
 *   1     1  entry type (0 = tick, 1..255 caller's)
 *   2     2  partition id (unsigned)
 *   4     2  request id length r in bytes (unsigned, <= 128)
 *   6     2  flags (0; reserved)
 *   8     8  sequence (dense per partition, from 1)
 *  16     8  HLC
 *  24     8  transaction id (0 = none)
 *  32     4  payload length p
 *  36     r  request id, UTF-8
 *  36+r   p  payload
 *  36+r+p 4  CRC32C of bytes [0, 36+r+p)
 * </pre>
 *
 * <p>Stateless and thread-safe (static methods only).
 */
public final class EntryFormat {
    /** Current format version. */
    public static final int VERSION = 1;
    /** Fixed header bytes before the request id. */
    public static final int HEADER_BYTES = 36;
    /** Trailing CRC32C bytes. */
    public static final int CRC_BYTES = 4;
    /** Bytes of an entry with empty request id and payload (a tick). */
    public static final int MIN_ENTRY_BYTES = HEADER_BYTES + CRC_BYTES;

    static final int OFF_VERSION = 0;
    static final int OFF_TYPE = 1;
    static final int OFF_PARTITION = 2;
    static final int OFF_REQUEST_ID_LEN = 4;
    static final int OFF_FLAGS = 6;
    static final int OFF_SEQUENCE = 8;
    static final int OFF_HLC = 16;
    static final int OFF_TX = 24;
    static final int OFF_PAYLOAD_LEN = 32;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private EntryFormat() {
    }

    /**
     * @param requestIdBytes request id length
     * @param payloadBytes   payload length
     * @return the encoded size of an entry
     */
    public static int entryBytes(int requestIdBytes, int payloadBytes) {
        return MIN_ENTRY_BYTES + requestIdBytes + payloadBytes;
    }

    /**
     * Writes the fixed header into {@code dst} at {@code off} (little-endian; layout in FORMAT.md).
     * The journal's append path encodes straight into its scratch array with it.
     *
     * @param dst            destination, at least {@code off + HEADER_BYTES} long
     * @param off            offset of the entry in {@code dst}
     * @param type           entry type
     * @param partitionId    partition id
     * @param requestIdBytes request id length in bytes
     * @param sequence       sequence
     * @param hlc            HLC
     * @param transactionId  transaction id
     * @param payloadBytes   payload length
     */
    public static void encodeHeader(byte[] dst, int off, int type, int partitionId, int requestIdBytes,
                                    long sequence, long hlc, long transactionId, int payloadBytes) {
        dst[off + OFF_VERSION] = (byte) VERSION;
        dst[off + OFF_TYPE] = (byte) type;
        dst[off + OFF_PARTITION] = (byte) partitionId;
        dst[off + OFF_PARTITION + 1] = (byte) (partitionId >>> 8);
        dst[off + OFF_REQUEST_ID_LEN] = (byte) requestIdBytes;
        dst[off + OFF_REQUEST_ID_LEN + 1] = (byte) (requestIdBytes >>> 8);
        dst[off + OFF_FLAGS] = 0;
        dst[off + OFF_FLAGS + 1] = 0;
        LONG.set(dst, off + OFF_SEQUENCE, sequence);
        LONG.set(dst, off + OFF_HLC, hlc);
        LONG.set(dst, off + OFF_TX, transactionId);
        INT.set(dst, off + OFF_PAYLOAD_LEN, payloadBytes);
    }

    /**
     * Writes a little-endian int (the CRC32C trailer) into {@code dst} at {@code off}.
     *
     * @param dst destination
     * @param off offset
     * @param v   value
     */
    public static void putIntLE(byte[] dst, int off, int v) {
        INT.set(dst, off, v);
    }

    /**
     * Encodes a whole entry into a new array (used by tests and benchmarks).
     *
     * @param type          entry type
     * @param partitionId   partition id
     * @param sequence      sequence
     * @param hlc           HLC
     * @param requestId     request id bytes (UTF-8)
     * @param transactionId transaction id
     * @param payload       payload
     * @return the entry bytes, CRC included
     */
    public static byte[] encode(int type, int partitionId, long sequence, long hlc, byte[] requestId,
                                long transactionId, byte[] payload) {
        byte[] out = new byte[entryBytes(requestId.length, payload.length)];
        encodeHeader(out, 0, type, partitionId, requestId.length, sequence, hlc, transactionId, payload.length);
        System.arraycopy(requestId, 0, out, HEADER_BYTES, requestId.length);
        System.arraycopy(payload, 0, out, HEADER_BYTES + requestId.length, payload.length);
        CRC32C crc = new CRC32C();
        crc.update(out, 0, out.length - CRC_BYTES);
        putIntLE(out, out.length - CRC_BYTES, (int) crc.getValue());
        return out;
    }

    /**
     * Checks one entry's structure and CRC.
     *
     * @param buf    bytes holding the entry at offset 0
     * @param length the excerpt length
     * @return null if valid, otherwise what is wrong
     */
    public static String check(byte[] buf, int length) {
        if (length < MIN_ENTRY_BYTES) {
            return "entry of " + length + " bytes is shorter than the " + MIN_ENTRY_BYTES + "-byte minimum";
        }
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        int version = bb.get(OFF_VERSION) & 0xFF;
        if (version != VERSION) {
            return "format version " + version + ", expected " + VERSION;
        }
        int r = bb.getShort(OFF_REQUEST_ID_LEN) & 0xFFFF;
        int p = bb.getInt(OFF_PAYLOAD_LEN);
        if (p < 0 || (long) MIN_ENTRY_BYTES + r + p != length) {
            return "lengths (request id " + r + ", payload " + p + ") do not add up to the excerpt length " + length;
        }
        CRC32C crc = new CRC32C();
        crc.update(buf, 0, length - CRC_BYTES);
        int stored = bb.getInt(length - CRC_BYTES);
        if ((int) crc.getValue() != stored) {
            return "CRC32C mismatch: stored " + Integer.toHexString(stored) + ", computed "
                    + Integer.toHexString((int) crc.getValue());
        }
        return null;
    }

    /** @return the format version byte of an entry in {@code buf} */
    public static int version(byte[] buf) {
        return buf[OFF_VERSION] & 0xFF;
    }

    /** @return the type of an entry in {@code buf} */
    public static int type(byte[] buf) {
        return buf[OFF_TYPE] & 0xFF;
    }

    /** @return the partition id of an entry in {@code buf} */
    public static int partitionId(byte[] buf) {
        return (buf[OFF_PARTITION] & 0xFF) | (buf[OFF_PARTITION + 1] & 0xFF) << 8;
    }

    /** @return the request id length of an entry in {@code buf} */
    public static int requestIdBytes(byte[] buf) {
        return (buf[OFF_REQUEST_ID_LEN] & 0xFF) | (buf[OFF_REQUEST_ID_LEN + 1] & 0xFF) << 8;
    }

    /** @return the sequence of an entry in {@code buf} */
    public static long sequence(byte[] buf) {
        return getLong(buf, OFF_SEQUENCE);
    }

    /** @return the HLC of an entry in {@code buf} */
    public static long hlc(byte[] buf) {
        return getLong(buf, OFF_HLC);
    }

    /** @return the transaction id of an entry in {@code buf} */
    public static long transactionId(byte[] buf) {
        return getLong(buf, OFF_TX);
    }

    /** @return the payload length of an entry in {@code buf} */
    public static int payloadBytes(byte[] buf) {
        return (int) INT.get(buf, OFF_PAYLOAD_LEN);
    }

    private static long getLong(byte[] b, int off) {
        return (long) LONG.get(b, off);
    }
}
