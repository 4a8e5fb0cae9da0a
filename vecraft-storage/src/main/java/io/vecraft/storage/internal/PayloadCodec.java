package io.vecraft.storage.internal;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encoding of payload-log record bodies (see FORMAT.md, "Payload log"): fixed little-endian
 * fields for the stamp, LEB128 varints for lengths and counts, zig-zag varints for long values,
 * 8-byte IEEE doubles, one tag byte per metadata value.
 *
 * <p>An {@link Encoder} is owned by one thread (the writer) and reused; decoding is stateless
 * and thread-safe.
 */
public final class PayloadCodec {

    /** Value tag: UTF-8 string. */
    static final int TAG_STRING = 1;
    /** Value tag: zig-zag varint long. */
    static final int TAG_LONG = 2;
    /** Value tag: 8-byte double. */
    static final int TAG_DOUBLE = 3;
    /** Value tag: boolean true. */
    static final int TAG_TRUE = 4;
    /** Value tag: boolean false. */
    static final int TAG_FALSE = 5;
    /** Value tag: list of scalar values. */
    static final int TAG_LIST = 6;

    private PayloadCodec() {
    }

    /** Reusable body encoder; not thread-safe. */
    public static final class Encoder {
        private byte[] buf = new byte[256];
        private int len;

        /** @return the encoded bytes (valid up to {@link #length()}) */
        public byte[] bytes() {
            return buf;
        }

        /** @return number of encoded bytes */
        public int length() {
            return len;
        }

        /**
         * Encodes an upsert.
         *
         * @param ordinal   the version's ordinal
         * @param hlc       HLC
         * @param sequence  journal sequence
         * @param partition journal partition
         * @param txId      transaction id
         * @param requestId request id or null
         * @param id        record id
         * @param metadata  metadata (String, Long, Double, Boolean or lists of these; Integer/Float accepted)
         * @param document  document or null
         * @return this
         * @throws InvalidArgumentException naming the metadata key whose value has an unsupported type
         */
        public Encoder upsert(int ordinal, long hlc, long sequence, int partition, long txId, String requestId,
                              String id, Map<String, ?> metadata, String document) {
            header(PayloadRecord.UPSERT, ordinal, hlc, sequence, partition, txId, requestId, id);
            Map<String, ?> md = metadata == null ? Map.of() : metadata;
            varint(md.size());
            for (Map.Entry<String, ?> e : md.entrySet()) {
                if (e.getKey() == null) {
                    throw new InvalidArgumentException("record.metadata", "keys must be non-null strings");
                }
                string(e.getKey());
                Object v = e.getValue();
                if (v instanceof List<?> list) {
                    put(TAG_LIST);
                    varint(list.size());
                    for (int i = 0; i < list.size(); i++) {
                        scalar("record.metadata." + e.getKey() + "[" + i + "]", list.get(i));
                    }
                } else {
                    scalar("record.metadata." + e.getKey(), v);
                }
            }
            if (document == null) {
                put(0);
            } else {
                put(1);
                string(document);
            }
            return this;
        }

        /**
         * Encodes a delete tombstone.
         *
         * @param ordinal   the deleted version's ordinal
         * @param hlc       HLC
         * @param sequence  journal sequence
         * @param partition journal partition
         * @param txId      transaction id
         * @param requestId request id or null
         * @param id        record id
         * @return this
         */
        public Encoder delete(int ordinal, long hlc, long sequence, int partition, long txId, String requestId,
                              String id) {
            header(PayloadRecord.DELETE, ordinal, hlc, sequence, partition, txId, requestId, id);
            return this;
        }

        private void header(int kind, int ordinal, long hlc, long sequence, int partition, long txId,
                            String requestId, String id) {
            len = 0;
            put(kind);
            int32(ordinal);
            int64(hlc);
            int64(sequence);
            int32(partition);
            int64(txId);
            string(requestId == null ? "" : requestId);
            string(id);
        }

        private void scalar(String field, Object v) {
            if (v instanceof String s) {
                put(TAG_STRING);
                string(s);
            } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                put(TAG_LONG);
                long l = ((Number) v).longValue();
                varlong((l << 1) ^ (l >> 63));
            } else if (v instanceof Double || v instanceof Float) {
                double d = ((Number) v).doubleValue();
                if (!Double.isFinite(d)) {
                    throw new InvalidArgumentException(field, "must be finite, was " + d);
                }
                put(TAG_DOUBLE);
                int64(Double.doubleToRawLongBits(d));
            } else if (v instanceof Boolean b) {
                put(b ? TAG_TRUE : TAG_FALSE);
            } else {
                throw new InvalidArgumentException(field, "must be a String, Long, Double, Boolean or a list of these, was "
                        + (v == null ? "null" : v.getClass().getName()));
            }
        }

        private void ensure(int n) {
            if (len + n > buf.length) {
                long want = Math.max((long) buf.length * 2, (long) len + n);
                if (want > Integer.MAX_VALUE - 16) {
                    throw new InvalidArgumentException("record", "payload larger than 2 GiB");
                }
                buf = java.util.Arrays.copyOf(buf, (int) want);
            }
        }

        private void put(int b) {
            ensure(1);
            buf[len++] = (byte) b;
        }

        private void int32(int v) {
            ensure(4);
            for (int i = 0; i < 4; i++) {
                buf[len++] = (byte) (v >>> (8 * i));
            }
        }

        private void int64(long v) {
            ensure(8);
            for (int i = 0; i < 8; i++) {
                buf[len++] = (byte) (v >>> (8 * i));
            }
        }

        private void varint(int v) {
            varlong(v & 0xFFFFFFFFL);
        }

        private void varlong(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[len++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[len++] = (byte) v;
        }

        private void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
        }
    }

    /** Decoding cursor over one body; not thread-safe. */
    static final class Reader {
        private final byte[] b;
        private final int end;
        private final String file;
        private final long recordOffset;
        private int p;

        Reader(byte[] b, int off, int len, String file, long recordOffset) {
            this.b = b;
            this.p = off;
            this.end = off + len;
            this.file = file;
            this.recordOffset = recordOffset;
        }

        CorruptedDataException corrupt(String what) {
            return new CorruptedDataException(file, recordOffset, "payload record: " + what);
        }

        private void need(int n) {
            if (n < 0 || p + n > end) {
                throw corrupt("truncated body (needs " + n + " more bytes at body offset " + p + ")");
            }
        }

        int u8() {
            need(1);
            return b[p++] & 0xFF;
        }

        int int32() {
            need(4);
            int v = (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
            p += 4;
            return v;
        }

        long int64() {
            need(8);
            long v = 0;
            for (int i = 7; i >= 0; i--) {
                v = (v << 8) | (b[p + i] & 0xFF);
            }
            p += 8;
            return v;
        }

        long varlong() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int x = u8();
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw corrupt("varint longer than 10 bytes");
        }

        int length() {
            long v = varlong();
            if (v < 0 || v > end - p) {
                throw corrupt("length " + v + " exceeds the record");
            }
            return (int) v;
        }

        String string() {
            int n = length();
            String s = new String(b, p, n, StandardCharsets.UTF_8);
            p += n;
            return s;
        }

        void skipString() {
            int n = length(); // read the length first: "p += length()" would add to the old p
            p += n;
        }

        boolean atEnd() {
            return p == end;
        }
    }

    /**
     * Decodes a body.
     *
     * @param body         bytes
     * @param off          offset of the body
     * @param len          body length
     * @param file         file name for errors
     * @param recordOffset record offset for errors
     * @param metadata     decode metadata (else skipped, null in the result)
     * @param document     decode the document (else null in the result)
     * @return the record
     * @throws CorruptedDataException if the body is malformed
     */
    static PayloadRecord decode(byte[] body, int off, int len, String file, long recordOffset, boolean metadata,
                                boolean document) {
        return decode(body, off, len, file, recordOffset, true, metadata, document);
    }

    /**
     * Decodes a body, optionally without the request id (search hits do not report it, and
     * decoding it costs a string per hit).
     *
     * @param body         bytes
     * @param off          offset of the body
     * @param len          body length
     * @param file         file name for errors
     * @param recordOffset record offset for errors
     * @param requestId    decode the request id (else null in the result)
     * @param metadata     decode metadata (else skipped, null in the result)
     * @param document     decode the document (else null in the result)
     * @return the record
     * @throws CorruptedDataException if the body is malformed
     */
    static PayloadRecord decode(byte[] body, int off, int len, String file, long recordOffset, boolean requestId,
                                boolean metadata, boolean document) {
        Reader r = new Reader(body, off, len, file, recordOffset);
        int kind = r.u8();
        if (kind != PayloadRecord.UPSERT && kind != PayloadRecord.DELETE) {
            throw r.corrupt("unknown record kind " + kind);
        }
        int ordinal = r.int32();
        long hlc = r.int64();
        long seq = r.int64();
        int partition = r.int32();
        long tx = r.int64();
        String request = null;
        if (requestId) {
            request = r.string();
        } else {
            r.skipString();
        }
        String id = r.string();
        Map<String, Object> md = null;
        String doc = null;
        if (kind == PayloadRecord.UPSERT && (metadata || document)) {
            int n = r.length();
            Map<String, Object> m = metadata ? new LinkedHashMap<>(Math.max(4, n * 2)) : null;
            for (int i = 0; i < n; i++) {
                if (m != null) {
                    String key = r.string();
                    m.put(key, value(r, true));
                } else {
                    r.skipString();
                    skipValue(r, true);
                }
            }
            md = m == null ? null : Collections.unmodifiableMap(m);
            int hasDoc = r.u8();
            if (hasDoc == 1) {
                if (document) {
                    doc = r.string();
                } else {
                    r.skipString();
                }
            } else if (hasDoc != 0) {
                throw r.corrupt("bad document flag " + hasDoc);
            }
            if (!r.atEnd()) {
                throw r.corrupt("trailing bytes after the document");
            }
        }
        return new PayloadRecord(kind, ordinal, hlc, seq, partition, tx, request, id, md, doc);
    }

    private static Object value(Reader r, boolean allowList) {
        int tag = r.u8();
        switch (tag) {
            case TAG_STRING:
                return r.string();
            case TAG_LONG: {
                long z = r.varlong();
                return (z >>> 1) ^ -(z & 1);
            }
            case TAG_DOUBLE:
                return Double.longBitsToDouble(r.int64());
            case TAG_TRUE:
                return Boolean.TRUE;
            case TAG_FALSE:
                return Boolean.FALSE;
            case TAG_LIST:
                if (allowList) {
                    int n = r.length();
                    List<Object> l = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        l.add(value(r, false));
                    }
                    return Collections.unmodifiableList(l);
                }
                throw r.corrupt("nested list");
            default:
                throw r.corrupt("unknown value tag " + tag);
        }
    }

    private static void skipValue(Reader r, boolean allowList) {
        int tag = r.u8();
        switch (tag) {
            case TAG_STRING:
                r.skipString();
                return;
            case TAG_LONG:
                r.varlong();
                return;
            case TAG_DOUBLE:
                r.int64();
                return;
            case TAG_TRUE:
            case TAG_FALSE:
                return;
            case TAG_LIST:
                if (allowList) {
                    int n = r.length();
                    for (int i = 0; i < n; i++) {
                        skipValue(r, false);
                    }
                    return;
                }
                throw r.corrupt("nested list");
            default:
                throw r.corrupt("unknown value tag " + tag);
        }
    }
}
