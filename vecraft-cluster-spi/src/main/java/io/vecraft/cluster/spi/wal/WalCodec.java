package io.vecraft.cluster.spi.wal;

import io.vecraft.api.CollectionSpec;
import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.Metric;
import io.vecraft.cluster.spi.wire.WireFormat;
import io.vecraft.cluster.spi.wire.WireReader;
import io.vecraft.cluster.spi.wire.WireWriter;
import java.nio.BufferUnderflowException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes and decodes the payloads of the core's journal entries. The format is described field
 * by field in {@code package-info.java}; every payload starts with {@link #PAYLOAD_VERSION}.
 *
 * <p>Stateless and thread-safe.
 */
public final class WalCodec {
    /** Version byte at the start of every payload. */
    public static final int PAYLOAD_VERSION = 1;

    static final int OP_UPSERT = 1;
    static final int OP_DELETE = 2;

    private WalCodec() {
    }

    // ------------------------------------------------------------------ record operations

    /**
     * @param groups one or more groups, each with at least one op
     * @return the payload of a {@link WalTypes#WRITE} or {@link WalTypes#TRANSACTION} entry
     */
    public static byte[] encodeGroups(List<OpGroup> groups) {
        int estimate = 16;
        for (OpGroup g : groups) {
            for (WalOp op : g.ops()) {
                estimate += 32 + op.id().length() * 3;
                if (op instanceof WalOp.Upsert u) {
                    estimate += u.vector().length * 4 + 16 * u.metadata().size()
                            + (u.document() == null ? 0 : u.document().length());
                }
            }
        }
        WireWriter w = new WireWriter(estimate);
        w.putByte(PAYLOAD_VERSION);
        w.putShort(groups.size());
        for (OpGroup g : groups) {
            w.putLong(g.collectionUid());
            w.putShort(g.shard());
            int lengthAt = w.position();
            w.putInt(0);
            int start = w.position();
            w.putInt(g.ops().size());
            for (WalOp op : g.ops()) {
                if (op instanceof WalOp.Upsert u) {
                    w.putByte(OP_UPSERT);
                    w.putShortString(u.id());
                    w.putInt(u.vector().length);
                    w.putFloats(u.vector());
                    WireFormat.putMetadata(w, u.metadata());
                    if (u.document() == null) {
                        w.putByte(0);
                    } else {
                        w.putByte(1);
                        w.putLongString(u.document());
                    }
                } else {
                    w.putByte(OP_DELETE);
                    w.putShortString(op.id());
                }
            }
            w.putIntAt(lengthAt, w.position() - start);
        }
        return w.toByteArray();
    }

    /**
     * Decodes every group.
     *
     * @param payload  the payload
     * @param location partition name, for errors
     * @param sequence entry sequence, for errors
     * @return the groups
     * @throws CorruptedDataException if the payload is malformed
     */
    public static List<OpGroup> decodeGroups(byte[] payload, String location, long sequence) {
        try {
            WireReader r = new WireReader(payload);
            checkVersion(r, location, sequence);
            int n = r.getUnsignedShort();
            List<OpGroup> groups = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long uid = r.getLong();
                int shard = r.getUnsignedShort();
                int length = r.getInt();
                int start = r.position();
                groups.add(new OpGroup(uid, shard, decodeOps(r)));
                checkGroupLength(r, start, length, location, sequence);
            }
            return groups;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptedDataException(location, sequence, "malformed record-operation payload", e);
        }
    }

    /**
     * Decodes only the operations of one shard, skipping the other groups without decoding them.
     *
     * @param payload       the payload
     * @param collectionUid collection uid
     * @param shard         shard index
     * @param location      partition name, for errors
     * @param sequence      entry sequence, for errors
     * @return the shard's operations, or an empty list if the entry has none for it
     */
    public static List<WalOp> decodeForShard(byte[] payload, long collectionUid, int shard, String location,
                                             long sequence) {
        try {
            WireReader r = new WireReader(payload);
            checkVersion(r, location, sequence);
            int n = r.getUnsignedShort();
            List<WalOp> result = null;
            for (int i = 0; i < n; i++) {
                long uid = r.getLong();
                int s = r.getUnsignedShort();
                int length = r.getInt();
                if (uid == collectionUid && s == shard) {
                    int start = r.position();
                    List<WalOp> ops = decodeOps(r);
                    checkGroupLength(r, start, length, location, sequence);
                    if (result == null) {
                        result = ops;
                    } else {
                        result = new ArrayList<>(result);
                        result.addAll(ops);
                    }
                } else {
                    r.skip(length);
                }
            }
            return result == null ? List.of() : result;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptedDataException(location, sequence, "malformed record-operation payload", e);
        }
    }

    private static void checkVersion(WireReader r, String location, long sequence) {
        int version = r.getUnsignedByte();
        if (version != PAYLOAD_VERSION) {
            throw new CorruptedDataException(location, sequence,
                    "unknown payload version " + version + ", expected " + PAYLOAD_VERSION);
        }
    }

    private static void checkGroupLength(WireReader r, int start, int length, String location, long sequence) {
        if (r.position() - start != length) {
            throw new CorruptedDataException(location, sequence,
                    "group length " + length + " does not match its content " + (r.position() - start));
        }
    }

    private static List<WalOp> decodeOps(WireReader r) {
        int count = r.getInt();
        if (count < 0 || count > r.remaining()) {
            throw new IllegalArgumentException("bad op count " + count);
        }
        List<WalOp> ops = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int kind = r.getUnsignedByte();
            String id = r.getShortString();
            if (kind == OP_UPSERT) {
                int dim = r.getInt();
                float[] vector = r.getFloats(dim);
                Map<String, Object> metadata = WireFormat.getMetadata(r);
                String document = r.getUnsignedByte() == 1 ? r.getLongString() : null;
                ops.add(new WalOp.Upsert(id, vector, metadata, document));
            } else if (kind == OP_DELETE) {
                ops.add(new WalOp.Delete(id));
            } else {
                throw new IllegalArgumentException("unknown op kind " + kind);
            }
        }
        return ops;
    }

    // ------------------------------------------------------------------ DDL

    /**
     * @param entry the create entry
     * @return its payload
     */
    public static byte[] encodeCreate(CreateCollectionEntry entry) {
        CollectionSpec spec = entry.spec();
        WireWriter w = new WireWriter(128);
        w.putByte(PAYLOAD_VERSION);
        w.putShortString(spec.name());
        w.putInt(spec.dimension());
        w.putByte(spec.metric().ordinal());
        if (spec.index() instanceof IndexSpec.Hnsw h) {
            w.putByte(1);
            w.putInt(h.m());
            w.putInt(h.efConstruction());
            w.putInt(h.ef());
        } else {
            w.putByte(2);
        }
        w.putShort(spec.shards());
        Map<Integer, Long> starts = new TreeMap<>(entry.startSequences());
        w.putShort(starts.size());
        for (Map.Entry<Integer, Long> e : starts.entrySet()) {
            w.putShort(e.getKey());
            w.putLong(e.getValue());
        }
        return w.toByteArray();
    }

    /**
     * @param payload  the payload
     * @param location partition name, for errors
     * @param sequence entry sequence, for errors
     * @return the create entry
     */
    public static CreateCollectionEntry decodeCreate(byte[] payload, String location, long sequence) {
        try {
            WireReader r = new WireReader(payload);
            checkVersion(r, location, sequence);
            String name = r.getShortString();
            int dimension = r.getInt();
            int metricOrdinal = r.getUnsignedByte();
            if (metricOrdinal >= Metric.values().length) {
                throw new IllegalArgumentException("unknown metric " + metricOrdinal);
            }
            Metric metric = Metric.values()[metricOrdinal];
            int indexKind = r.getUnsignedByte();
            IndexSpec index;
            if (indexKind == 1) {
                index = IndexSpec.hnsw(r.getInt(), r.getInt(), r.getInt());
            } else if (indexKind == 2) {
                index = IndexSpec.exact();
            } else {
                throw new IllegalArgumentException("unknown index kind " + indexKind);
            }
            int shards = r.getUnsignedShort();
            int n = r.getUnsignedShort();
            Map<Integer, Long> starts = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                starts.put(r.getUnsignedShort(), r.getLong());
            }
            return new CreateCollectionEntry(new CollectionSpec(name, dimension, metric, index, shards),
                    Collections.unmodifiableMap(starts));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptedDataException(location, sequence, "malformed create-collection payload", e);
        }
    }

    /**
     * @param entry the drop entry
     * @return its payload
     */
    public static byte[] encodeDrop(DropCollectionEntry entry) {
        WireWriter w = new WireWriter(64);
        w.putByte(PAYLOAD_VERSION);
        w.putLong(entry.uid());
        w.putShortString(entry.name());
        return w.toByteArray();
    }

    /**
     * @param payload  the payload
     * @param location partition name, for errors
     * @param sequence entry sequence, for errors
     * @return the drop entry
     */
    public static DropCollectionEntry decodeDrop(byte[] payload, String location, long sequence) {
        try {
            WireReader r = new WireReader(payload);
            checkVersion(r, location, sequence);
            return new DropCollectionEntry(r.getLong(), r.getShortString());
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptedDataException(location, sequence, "malformed drop-collection payload", e);
        }
    }
}
