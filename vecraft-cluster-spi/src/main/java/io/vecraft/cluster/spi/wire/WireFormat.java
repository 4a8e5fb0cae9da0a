package io.vecraft.cluster.spi.wire;

import io.vecraft.api.AlreadyExistsException;
import io.vecraft.api.CapacityException;
import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.Filter;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.cluster.spi.AppendAck;
import io.vecraft.cluster.spi.EntryMessage;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.ReadBatch;
import io.vecraft.cluster.spi.ReplicaHit;
import io.vecraft.cluster.spi.ReplicaQuery;
import io.vecraft.cluster.spi.ReplicaStatus;
import io.vecraft.cluster.spi.ReplicaVersion;
import io.vecraft.cluster.spi.ShardId;
import io.vecraft.cluster.spi.VersionConflictException;
import io.vecraft.cluster.spi.Watermark;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import java.nio.BufferUnderflowException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The versioned wire format of every message that crosses the cluster SPI. Java serialization
 * is never used. All integers are little-endian; {@code str16}/{@code str32} are UTF-8 strings
 * with a u16/i32 length; {@code bytes} is an i32 length and the bytes.
 *
 * <h2>Envelope</h2>
 * <pre>
 * u8  version   {@value #VERSION}; any other value is refused with a clear error
 * u8  kind      request kind (below), {@link #OK} or {@link #ERROR} for responses
 * ... body
 * </pre>
 * An {@link #ERROR} body is {@code str16 errorKind, str32 message, str16 detail1, str16 detail2}
 * and is turned back into the same {@link VecraftException} subclass on the caller's side
 * (NotFound keeps kind and name, InvalidArgument keeps its field).
 *
 * <h2>Request kinds and bodies (responses are {@link #OK} + the named value)</h2>
 * <pre>
 * 10 J_PARTITIONS   -                                                   -> i32 n, n x str16
 * 11 J_APPEND       str16 partition, u8 type, str16 requestId, i64 txId, bytes payload -> AppendAck
 * 12 J_READ         str16 partition, i64 from, i32 max, i64 maxWaitMs   -> ReadBatch
 * 13 J_STREAM       str16 partition, i64 from                           -> stream of Entry
 * 14 J_WATERMARK    str16 partition                                     -> Watermark
 * 15 J_FIRST        str16 partition                                     -> i64
 * 20 R_STATUS       ShardId                                             -> ReplicaStatus
 * 21 R_AWAIT        ShardId, i64 hlc, i64 timeoutMs                     -> ReplicaStatus
 * 22 R_SEARCH       ShardId, ReplicaQuery                               -> i32 n, n x ReplicaHit
 * 23 R_GET          ShardId, str16 id, i64 snapshot                     -> u8 present [, ReplicaVersion]
 * 24 R_COUNT        ShardId, i64 snapshot                               -> i64
 * 25 R_HISTORY      ShardId, str16 id                                   -> i32 n, n x ReplicaVersion
 * 30 M_GET          str16 key                                           -> u8 present [, KeyValue]
 * 31 M_LIST         str16 prefix                                        -> i32 n, n x KeyValue
 * 32 M_PUT          str16 key, bytes value, i64 expected, i64 lease     -> i64 version
 * 33 M_DELETE       str16 key, i64 expected                             -> u8 deleted
 * 34 M_WATCH        str16 prefix                                        -> stream of WatchEvent
 * 35 M_GRANT        i64 ttlMs                                           -> i64 lease
 * 36 M_KEEPALIVE    i64 lease                                           -> u8 alive
 * 37 M_REVOKE       i64 lease                                           -> -
 * 100..255          provider-private (e.g. journal replication between journal nodes)
 * </pre>
 *
 * <h2>Values</h2>
 * <pre>
 * Entry          u16 partitionId, i64 sequence, i64 hlc, u8 type, str16 requestId, i64 txId, bytes payload
 * AppendAck      u16 partitionId, str16 partition, i64 sequence, i64 hlc
 * Watermark      i64 sequence, i64 hlc
 * ReadBatch      Watermark, i32 n, n x Entry
 * ShardId        i64 collectionUid, u16 shard
 * ReplicaStatus  str16 node, ShardId, i64 safeHlc, u16 n, n x (u16 partitionId, i64 seq), u8 healthy, str32 message
 * ReplicaQuery   i32 dim, f32 x dim, i32 k, Filter?, i64 snapshot, i32 ef, u8 flags (1 vector, 2 metadata, 4 document)
 * ReplicaHit     str16 id, f32 distance, i64 versionHlc, u8 hasVector [, i32 dim, f32 x dim], Metadata, u8 hasDoc [, str32]
 * ReplicaVersion str16 id, u8 delete, i64 created, i64 deleted, i64 seq, u16 partitionId, str16 requestId, i64 txId,
 *                u8 hasVector [, i32 dim, f32 x dim], Metadata, u8 hasDoc [, str32]
 * KeyValue       str16 key, bytes value, i64 version, i64 revision, i64 lease
 * WatchEvent     u8 type (1 PUT, 2 DELETE), str16 key, bytes value, i64 version, i64 revision
 * Metadata       u16 n, n x (str16 key, Value); Value = u8 tag + body: 1 str32, 2 i64, 3 f64, 4 u8, 5 list (u16 n + n tagged scalars)
 * Filter?        u8 present; Filter = u8 tag + body:
 *                1 Eq (str16 field, Value) | 2 In (str16 field, i32 n, n x Value) |
 *                3 Range (str16 field, u8 flags: 1 hasLower, 2 lowerInclusive, 4 hasUpper, 8 upperInclusive, [Value], [Value]) |
 *                4 And (u16 n, n x Filter) | 5 Or (u16 n, n x Filter) | 6 Not (Filter) | 7 DocumentContains (str32)
 * </pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class WireFormat {
    /** Version byte of every message. */
    public static final int VERSION = 1;

    /** Successful response. */
    public static final int OK = 1;
    /** Error response. */
    public static final int ERROR = 2;

    /** Journal: partition names. */
    public static final int J_PARTITIONS = 10;
    /** Journal: append. */
    public static final int J_APPEND = 11;
    /** Journal: read committed entries. */
    public static final int J_READ = 12;
    /** Journal: stream committed entries. */
    public static final int J_STREAM = 13;
    /** Journal: watermark. */
    public static final int J_WATERMARK = 14;
    /** Journal: first stored sequence. */
    public static final int J_FIRST = 15;
    /** Replica: status. */
    public static final int R_STATUS = 20;
    /** Replica: wait for safe time. */
    public static final int R_AWAIT = 21;
    /** Replica: search. */
    public static final int R_SEARCH = 22;
    /** Replica: point read. */
    public static final int R_GET = 23;
    /** Replica: count. */
    public static final int R_COUNT = 24;
    /** Replica: history. */
    public static final int R_HISTORY = 25;
    /** Metadata: get. */
    public static final int M_GET = 30;
    /** Metadata: list a prefix. */
    public static final int M_LIST = 31;
    /** Metadata: compare-and-set put. */
    public static final int M_PUT = 32;
    /** Metadata: compare-and-set delete. */
    public static final int M_DELETE = 33;
    /** Metadata: watch a prefix. */
    public static final int M_WATCH = 34;
    /** Metadata: grant a lease. */
    public static final int M_GRANT = 35;
    /** Metadata: keep a lease alive. */
    public static final int M_KEEPALIVE = 36;
    /** Metadata: revoke a lease. */
    public static final int M_REVOKE = 37;
    /** First kind reserved for provider-private messages. */
    public static final int PROVIDER_BASE = 100;

    private static final int TAG_STRING = 1;
    private static final int TAG_LONG = 2;
    private static final int TAG_DOUBLE = 3;
    private static final int TAG_BOOLEAN = 4;
    private static final int TAG_LIST = 5;

    private WireFormat() {
    }

    // ------------------------------------------------------------------ envelope

    /**
     * @param kind message kind
     * @return a writer with the envelope written
     */
    public static WireWriter message(int kind) {
        WireWriter w = new WireWriter(64);
        w.putByte(VERSION);
        w.putByte(kind);
        return w;
    }

    /** @return a writer for a successful response */
    public static WireWriter ok() {
        return message(OK);
    }

    /**
     * A decoded envelope.
     *
     * @param kind   message kind
     * @param reader positioned at the body
     */
    public record Envelope(int kind, WireReader reader) {
    }

    /**
     * Opens a message, checking its version.
     *
     * @param bytes the message
     * @return kind and body reader
     * @throws InvalidArgumentException if the version is unknown or the message is empty
     */
    public static Envelope open(byte[] bytes) {
        if (bytes == null || bytes.length < 2) {
            throw new InvalidArgumentException("wire.message", "must hold at least a version and a kind byte");
        }
        WireReader r = new WireReader(bytes);
        int version = r.getUnsignedByte();
        if (version != VERSION) {
            throw new InvalidArgumentException("wire.version",
                    "unknown wire format version " + version + "; this node speaks version " + VERSION);
        }
        return new Envelope(r.getUnsignedByte(), r);
    }

    /**
     * Opens a response: returns its body reader, or throws the error it carries.
     *
     * @param bytes the response
     * @return reader positioned at the body of an {@link #OK} response
     * @throws VecraftException the remote error, as the same subclass
     */
    public static WireReader response(byte[] bytes) {
        Envelope e = open(bytes);
        if (e.kind() == OK) {
            return e.reader();
        }
        if (e.kind() == ERROR) {
            throw decodeError(e.reader());
        }
        throw new InvalidArgumentException("wire.kind", "expected a response, got kind " + e.kind());
    }

    /**
     * Encodes an exception as an {@link #ERROR} response.
     *
     * @param t the failure
     * @return the response bytes
     */
    public static byte[] error(Throwable t) {
        WireWriter w = message(ERROR);
        String kind;
        String d1 = "";
        String d2 = "";
        if (t instanceof NotFoundException nf) {
            kind = "NotFound";
            d1 = nf.kind();
            d2 = nf.name();
        } else if (t instanceof InvalidArgumentException ia) {
            kind = "InvalidArgument";
            d1 = ia.field();
        } else if (t instanceof AlreadyExistsException ae) {
            kind = "AlreadyExists";
            d1 = ae.kind();
            d2 = ae.name();
        } else if (t instanceof VersionConflictException vc) {
            kind = "Conflict";
            d1 = vc.key();
            d2 = vc.expected() + "/" + vc.actual();
        } else if (t instanceof CorruptedDataException cd) {
            kind = "Corrupted";
            d1 = cd.location();
            d2 = Long.toString(cd.position());
        } else if (t instanceof CapacityException) {
            kind = "Capacity";
        } else if (t instanceof VecraftTimeoutException) {
            kind = "Timeout";
        } else if (t instanceof VecraftClosedException) {
            kind = "Closed";
        } else if (t instanceof NodeUnavailableException nu) {
            kind = "Unavailable";
            d1 = nu.address();
        } else if (t instanceof VecraftIOException) {
            kind = "IO";
        } else {
            kind = "Internal";
        }
        w.putShortString(kind);
        String message = String.valueOf(t.getMessage());
        w.putLongString(message.length() > 8192 ? message.substring(0, 8192) : message);
        w.putShortString(truncate(d1));
        w.putShortString(truncate(d2));
        return w.toByteArray();
    }

    private static String truncate(String s) {
        return s == null ? "" : s.length() > 4000 ? s.substring(0, 4000) : s;
    }

    private static VecraftException decodeError(WireReader r) {
        String kind = r.getShortString();
        String message = r.getLongString();
        String d1 = r.getShortString();
        String d2 = r.getShortString();
        return switch (kind) {
            case "NotFound" -> new NotFoundException(d1, d2);
            case "InvalidArgument" -> new InvalidArgumentException(d1, stripField(message, d1));
            case "AlreadyExists" -> new AlreadyExistsException(d1, d2);
            case "Conflict" -> {
                int slash = d2.indexOf('/');
                yield new VersionConflictException(d1, parseLong(slash < 0 ? d2 : d2.substring(0, slash)),
                        slash < 0 ? -1 : parseLong(d2.substring(slash + 1)));
            }
            case "Corrupted" -> new CorruptedDataException(d1, parseLong(d2), "(remote) " + message);
            case "Capacity" -> new CapacityException(message);
            case "Timeout" -> new VecraftTimeoutException(message);
            case "Closed" -> new VecraftClosedException("(remote) " + message);
            case "Unavailable" -> new NodeUnavailableException(d1, message);
            case "IO" -> new VecraftIOException(message, null);
            default -> new VecraftException("remote error: " + message);
        };
    }

    private static String stripField(String message, String field) {
        String prefix = field + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Turns a truncated or malformed body into a clear error.
     *
     * @param what what was being decoded
     * @param e    the underflow
     * @return the exception to throw
     */
    public static InvalidArgumentException malformed(String what, RuntimeException e) {
        return new InvalidArgumentException("wire." + what, "malformed message (" + e + ")");
    }

    // ------------------------------------------------------------------ journal values

    /**
     * @param w writer
     * @param e entry
     */
    public static void putEntry(WireWriter w, EntryMessage e) {
        w.putShort(e.partitionId());
        w.putLong(e.sequence());
        w.putLong(e.hlc());
        w.putByte(e.type());
        w.putShortString(e.requestId());
        w.putLong(e.transactionId());
        w.putBytes(e.payload());
    }

    /**
     * @param r reader
     * @return entry
     */
    public static EntryMessage getEntry(WireReader r) {
        return new EntryMessage(r.getUnsignedShort(), r.getLong(), r.getLong(), r.getUnsignedByte(), r.getShortString(),
                r.getLong(), r.getBytes());
    }

    /**
     * @param w   writer
     * @param ack ack
     */
    public static void putAppendAck(WireWriter w, AppendAck ack) {
        w.putShort(ack.partitionId());
        w.putShortString(ack.partition());
        w.putLong(ack.sequence());
        w.putLong(ack.hlc());
    }

    /**
     * @param r reader
     * @return ack
     */
    public static AppendAck getAppendAck(WireReader r) {
        return new AppendAck(r.getUnsignedShort(), r.getShortString(), r.getLong(), r.getLong());
    }

    /**
     * @param w  writer
     * @param wm watermark
     */
    public static void putWatermark(WireWriter w, Watermark wm) {
        w.putLong(wm.sequence());
        w.putLong(wm.hlc());
    }

    /**
     * @param r reader
     * @return watermark
     */
    public static Watermark getWatermark(WireReader r) {
        return new Watermark(r.getLong(), r.getLong());
    }

    /**
     * @param w writer
     * @param b batch
     */
    public static void putReadBatch(WireWriter w, ReadBatch b) {
        putWatermark(w, b.watermark());
        w.putInt(b.entries().size());
        for (EntryMessage e : b.entries()) {
            putEntry(w, e);
        }
    }

    /**
     * @param r reader
     * @return batch
     */
    public static ReadBatch getReadBatch(WireReader r) {
        Watermark wm = getWatermark(r);
        int n = count(r);
        List<EntryMessage> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(getEntry(r));
        }
        return new ReadBatch(entries, wm);
    }

    /**
     * Reads an element count and checks it against the bytes left (each element takes at least one), so
     * a damaged or hostile message cannot make the reader allocate for elements that are not there.
     *
     * @param r reader
     * @return the count
     * @throws BufferUnderflowException if the count is negative or larger than the bytes left
     */
    public static int count(WireReader r) {
        int n = r.getInt();
        if (n < 0 || n > r.remaining()) {
            throw new BufferUnderflowException();
        }
        return n;
    }

    // ------------------------------------------------------------------ replica values

    /**
     * @param w writer
     * @param s shard id
     */
    public static void putShardId(WireWriter w, ShardId s) {
        w.putLong(s.collectionUid());
        w.putShort(s.shard());
    }

    /**
     * @param r reader
     * @return shard id
     */
    public static ShardId getShardId(WireReader r) {
        return new ShardId(r.getLong(), r.getUnsignedShort());
    }

    /**
     * @param w writer
     * @param s status
     */
    public static void putReplicaStatus(WireWriter w, ReplicaStatus s) {
        w.putShortString(s.node());
        putShardId(w, s.shard());
        w.putLong(s.safeHlc());
        Map<Integer, Long> applied = new TreeMap<>(s.appliedSequences());
        w.putShort(applied.size());
        for (Map.Entry<Integer, Long> e : applied.entrySet()) {
            w.putShort(e.getKey());
            w.putLong(e.getValue());
        }
        w.putBoolean(s.healthy());
        w.putLongString(s.message());
    }

    /**
     * @param r reader
     * @return status
     */
    public static ReplicaStatus getReplicaStatus(WireReader r) {
        String node = r.getShortString();
        ShardId shard = getShardId(r);
        long safe = r.getLong();
        int n = r.getUnsignedShort();
        Map<Integer, Long> applied = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            applied.put(r.getUnsignedShort(), r.getLong());
        }
        return new ReplicaStatus(node, shard, safe, applied, r.getBoolean(), r.getLongString());
    }

    /**
     * @param w writer
     * @param q query
     */
    public static void putReplicaQuery(WireWriter w, ReplicaQuery q) {
        w.putInt(q.vector().length);
        w.putFloats(q.vector());
        w.putInt(q.k());
        putOptionalFilter(w, q.filter());
        w.putLong(q.snapshotHlc());
        w.putInt(q.ef());
        w.putByte((q.withVector() ? 1 : 0) | (q.withMetadata() ? 2 : 0) | (q.withDocument() ? 4 : 0));
    }

    /**
     * @param r reader
     * @return query
     */
    public static ReplicaQuery getReplicaQuery(WireReader r) {
        float[] v = r.getFloats(r.getInt());
        int k = r.getInt();
        Filter f = getOptionalFilter(r);
        long snapshot = r.getLong();
        int ef = r.getInt();
        int flags = r.getUnsignedByte();
        return new ReplicaQuery(v, k, f, snapshot, ef, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0);
    }

    /**
     * @param w writer
     * @param h hit
     */
    public static void putReplicaHit(WireWriter w, ReplicaHit h) {
        w.putShortString(h.id());
        w.putFloat(h.distance());
        w.putLong(h.versionHlc());
        putOptionalVector(w, h.vector());
        putMetadata(w, h.metadata() == null ? Map.of() : h.metadata());
        putOptionalLongString(w, h.document());
    }

    /**
     * @param r reader
     * @return hit
     */
    public static ReplicaHit getReplicaHit(WireReader r) {
        return new ReplicaHit(r.getShortString(), r.getFloat(), r.getLong(), getOptionalVector(r), getMetadata(r),
                getOptionalLongString(r));
    }

    /**
     * @param w writer
     * @param v version
     */
    public static void putReplicaVersion(WireWriter w, ReplicaVersion v) {
        w.putShortString(v.id());
        w.putBoolean(v.delete());
        w.putLong(v.createdHlc());
        w.putLong(v.deletedHlc());
        w.putLong(v.sequence());
        w.putShort(v.partitionId());
        w.putShortString(v.requestId());
        w.putLong(v.transactionId());
        putOptionalVector(w, v.vector());
        putMetadata(w, v.metadata() == null ? Map.of() : v.metadata());
        putOptionalLongString(w, v.document());
    }

    /**
     * @param r reader
     * @return version
     */
    public static ReplicaVersion getReplicaVersion(WireReader r) {
        return new ReplicaVersion(r.getShortString(), r.getBoolean(), r.getLong(), r.getLong(), r.getLong(),
                r.getUnsignedShort(), r.getShortString(), r.getLong(), getOptionalVector(r), getMetadata(r),
                getOptionalLongString(r));
    }

    private static void putOptionalVector(WireWriter w, float[] v) {
        if (v == null) {
            w.putBoolean(false);
        } else {
            w.putBoolean(true);
            w.putInt(v.length);
            w.putFloats(v);
        }
    }

    private static float[] getOptionalVector(WireReader r) {
        return r.getBoolean() ? r.getFloats(r.getInt()) : null;
    }

    private static void putOptionalLongString(WireWriter w, String s) {
        if (s == null) {
            w.putBoolean(false);
        } else {
            w.putBoolean(true);
            w.putLongString(s);
        }
    }

    private static String getOptionalLongString(WireReader r) {
        return r.getBoolean() ? r.getLongString() : null;
    }

    // ------------------------------------------------------------------ metadata store values

    /**
     * @param w  writer
     * @param kv key-value
     */
    public static void putKeyValue(WireWriter w, MetadataStore.KeyValue kv) {
        w.putShortString(kv.key());
        w.putBytes(kv.value());
        w.putLong(kv.version());
        w.putLong(kv.revision());
        w.putLong(kv.leaseId());
    }

    /**
     * @param r reader
     * @return key-value
     */
    public static MetadataStore.KeyValue getKeyValue(WireReader r) {
        return new MetadataStore.KeyValue(r.getShortString(), r.getBytes(), r.getLong(), r.getLong(), r.getLong());
    }

    /**
     * @param w writer
     * @param e event
     */
    public static void putWatchEvent(WireWriter w, MetadataStore.WatchEvent e) {
        w.putByte(e.type() == MetadataStore.WatchEvent.Type.PUT ? 1 : 2);
        w.putShortString(e.key());
        w.putBytes(e.value());
        w.putLong(e.version());
        w.putLong(e.revision());
    }

    /**
     * @param r reader
     * @return event
     */
    public static MetadataStore.WatchEvent getWatchEvent(WireReader r) {
        int t = r.getUnsignedByte();
        if (t != 1 && t != 2) {
            throw new InvalidArgumentException("wire.watchEvent.type", "must be 1 or 2, was " + t);
        }
        return new MetadataStore.WatchEvent(t == 1 ? MetadataStore.WatchEvent.Type.PUT
                : MetadataStore.WatchEvent.Type.DELETE, r.getShortString(), r.getBytes(), r.getLong(), r.getLong());
    }

    // ------------------------------------------------------------------ metadata maps and filters

    /**
     * Writes normalised record metadata (values String, Long, Double, Boolean or lists of these).
     *
     * @param w        writer
     * @param metadata the map
     */
    public static void putMetadata(WireWriter w, Map<String, Object> metadata) {
        w.putShort(metadata.size());
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            w.putShortString(e.getKey());
            putValue(w, e.getValue());
        }
    }

    /**
     * @param r reader
     * @return an unmodifiable map in written order
     */
    public static Map<String, Object> getMetadata(WireReader r) {
        int n = r.getUnsignedShort();
        if (n == 0) {
            return Map.of();
        }
        Map<String, Object> m = new LinkedHashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            m.put(r.getShortString(), getValue(r));
        }
        return Collections.unmodifiableMap(m);
    }

    private static void putValue(WireWriter w, Object v) {
        if (v instanceof List<?> list) {
            w.putByte(TAG_LIST);
            w.putShort(list.size());
            for (Object o : list) {
                putScalar(w, o);
            }
        } else {
            putScalar(w, v);
        }
    }

    private static Object getValue(WireReader r) {
        int tag = r.getUnsignedByte();
        if (tag == TAG_LIST) {
            int size = r.getUnsignedShort();
            List<Object> list = new ArrayList<>(size);
            for (int j = 0; j < size; j++) {
                list.add(getScalar(r, r.getUnsignedByte()));
            }
            return Collections.unmodifiableList(list);
        }
        return getScalar(r, tag);
    }

    private static void putScalar(WireWriter w, Object v) {
        if (v instanceof String s) {
            w.putByte(TAG_STRING);
            w.putLongString(s);
        } else if (v instanceof Long l) {
            w.putByte(TAG_LONG);
            w.putLong(l);
        } else if (v instanceof Double d) {
            w.putByte(TAG_DOUBLE);
            w.putDouble(d);
        } else if (v instanceof Boolean b) {
            w.putByte(TAG_BOOLEAN);
            w.putBoolean(b);
        } else {
            throw new IllegalArgumentException("metadata value of unsupported type "
                    + (v == null ? "null" : v.getClass().getName()) + " (normalise with Record.checkMetadata)");
        }
    }

    private static Object getScalar(WireReader r, int tag) {
        return switch (tag) {
            case TAG_STRING -> r.getLongString();
            case TAG_LONG -> r.getLong();
            case TAG_DOUBLE -> r.getDouble();
            case TAG_BOOLEAN -> r.getBoolean();
            default -> throw new IllegalArgumentException("unknown metadata tag " + tag);
        };
    }

    /**
     * @param w writer
     * @param f filter or null
     */
    public static void putOptionalFilter(WireWriter w, Filter f) {
        if (f == null) {
            w.putBoolean(false);
        } else {
            w.putBoolean(true);
            putFilter(w, f);
        }
    }

    /**
     * @param r reader
     * @return filter or null
     */
    public static Filter getOptionalFilter(WireReader r) {
        return r.getBoolean() ? getFilter(r, 0) : null;
    }

    private static void putFilter(WireWriter w, Filter f) {
        if (f instanceof Filter.Eq eq) {
            w.putByte(1);
            w.putShortString(eq.field());
            putScalar(w, eq.value());
        } else if (f instanceof Filter.In in) {
            w.putByte(2);
            w.putShortString(in.field());
            w.putInt(in.values().size());
            for (Object v : in.values()) {
                putScalar(w, v);
            }
        } else if (f instanceof Filter.Range rg) {
            w.putByte(3);
            w.putShortString(rg.field());
            w.putByte((rg.lower() != null ? 1 : 0) | (rg.lowerInclusive() ? 2 : 0) | (rg.upper() != null ? 4 : 0)
                    | (rg.upperInclusive() ? 8 : 0));
            if (rg.lower() != null) {
                putScalar(w, rg.lower());
            }
            if (rg.upper() != null) {
                putScalar(w, rg.upper());
            }
        } else if (f instanceof Filter.And and) {
            w.putByte(4);
            w.putShort(and.filters().size());
            for (Filter g : and.filters()) {
                putFilter(w, g);
            }
        } else if (f instanceof Filter.Or or) {
            w.putByte(5);
            w.putShort(or.filters().size());
            for (Filter g : or.filters()) {
                putFilter(w, g);
            }
        } else if (f instanceof Filter.Not not) {
            w.putByte(6);
            putFilter(w, not.filter());
        } else if (f instanceof Filter.DocumentContains dc) {
            w.putByte(7);
            w.putLongString(dc.text());
        } else {
            throw new IllegalArgumentException("unknown filter " + f);
        }
    }

    private static Filter getFilter(WireReader r, int depth) {
        if (depth > Filter.MAX_NODES) {
            throw new InvalidArgumentException("wire.filter", "nested deeper than " + Filter.MAX_NODES);
        }
        int tag = r.getUnsignedByte();
        switch (tag) {
            case 1:
                return new Filter.Eq(r.getShortString(), getScalar(r, r.getUnsignedByte()));
            case 2: {
                String field = r.getShortString();
                int n = count(r);
                List<Object> values = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    values.add(getScalar(r, r.getUnsignedByte()));
                }
                return new Filter.In(field, values);
            }
            case 3: {
                String field = r.getShortString();
                int flags = r.getUnsignedByte();
                Number lower = (flags & 1) != 0 ? (Number) getScalar(r, r.getUnsignedByte()) : null;
                Number upper = (flags & 4) != 0 ? (Number) getScalar(r, r.getUnsignedByte()) : null;
                return new Filter.Range(field, lower, (flags & 2) != 0, upper, (flags & 8) != 0);
            }
            case 4:
            case 5: {
                int n = r.getUnsignedShort();
                List<Filter> operands = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    operands.add(getFilter(r, depth + 1));
                }
                return tag == 4 ? new Filter.And(operands) : new Filter.Or(operands);
            }
            case 6:
                return new Filter.Not(getFilter(r, depth + 1));
            case 7:
                return new Filter.DocumentContains(r.getLongString());
            default:
                throw new InvalidArgumentException("wire.filter", "unknown filter tag " + tag);
        }
    }
}
