package io.vecraft.cluster.spi;

import io.vecraft.cluster.spi.wal.CreateCollectionEntry;
import io.vecraft.cluster.spi.wal.WalCodec;
import io.vecraft.cluster.spi.wire.WireFormat;
import io.vecraft.cluster.spi.wire.WireReader;
import io.vecraft.cluster.spi.wire.WireWriter;
import java.nio.BufferUnderflowException;
import java.util.ArrayList;
import java.util.List;

/**
 * The metadata keys through which the core and storage nodes agree on the catalog and the shard
 * map. Values are encoded with {@link io.vecraft.cluster.spi.wire.WireFormat}.
 *
 * <pre>
 * /vecraft/collections/&lt;name&gt;        u8 version 1, i64 uid, bytes CREATE_COLLECTION payload (spec, start sequences)
 * /vecraft/shards/&lt;uid hex&gt;/&lt;shard&gt;   u8 version 1, u16 n, n x str16 storage node id (replica order)
 * /vecraft/nodes/&lt;node id&gt;            provider-defined node record; attached to the node's lease
 * </pre>
 * A collection is created by putting its shard placements, then its catalog entry (with
 * {@link MetadataStore#ABSENT}); it is dropped by deleting the catalog entry, then the placements.
 * Storage nodes watch {@link #COLLECTIONS} and create or drop the replicas placed on them.
 */
public final class CatalogKeys {
    /** Prefix of catalog entries. */
    public static final String COLLECTIONS = "/vecraft/collections/";
    /** Prefix of shard placements. */
    public static final String SHARDS = "/vecraft/shards/";
    /** Prefix of node records. */
    public static final String NODES = "/vecraft/nodes/";

    private CatalogKeys() {
    }

    /**
     * @param name collection name
     * @return its catalog key
     */
    public static String collection(String name) {
        return COLLECTIONS + name;
    }

    /**
     * @param shard the shard
     * @return its placement key
     */
    public static String placement(ShardId shard) {
        return SHARDS + Long.toHexString(shard.collectionUid()) + "/" + shard.shard();
    }

    /**
     * @param nodeId a node id
     * @return its node record key
     */
    public static String node(String nodeId) {
        return NODES + nodeId;
    }

    /**
     * A catalog entry: a collection incarnation.
     *
     * @param uid   the collection's uid (HLC of its CREATE entry)
     * @param entry spec and start sequences
     */
    public record CatalogEntry(long uid, CreateCollectionEntry entry) {
    }

    /**
     * @param uid   collection uid
     * @param entry the create entry
     * @return the catalog value
     */
    public static byte[] encodeCollection(long uid, CreateCollectionEntry entry) {
        WireWriter w = new WireWriter(128);
        w.putByte(1);
        w.putLong(uid);
        w.putBytes(WalCodec.encodeCreate(entry));
        return w.toByteArray();
    }

    /**
     * @param key   the key (for errors)
     * @param value a catalog value
     * @return the entry
     */
    public static CatalogEntry decodeCollection(String key, byte[] value) {
        try {
            WireReader r = new WireReader(value);
            int version = r.getUnsignedByte();
            if (version != 1) {
                throw new io.vecraft.api.InvalidArgumentException("metadata." + key, "unknown catalog version " + version);
            }
            long uid = r.getLong();
            return new CatalogEntry(uid, WalCodec.decodeCreate(r.getBytes(), key, 0));
        } catch (BufferUnderflowException e) {
            throw WireFormat.malformed("catalog " + key, e);
        }
    }

    /**
     * @param nodes storage node ids holding the shard's replicas
     * @return the placement value
     */
    public static byte[] encodePlacement(List<String> nodes) {
        WireWriter w = new WireWriter(64);
        w.putByte(1);
        w.putShort(nodes.size());
        for (String n : nodes) {
            w.putShortString(n);
        }
        return w.toByteArray();
    }

    /**
     * @param key   the key (for errors)
     * @param value a placement value
     * @return the storage node ids
     */
    public static List<String> decodePlacement(String key, byte[] value) {
        try {
            WireReader r = new WireReader(value);
            int version = r.getUnsignedByte();
            if (version != 1) {
                throw new io.vecraft.api.InvalidArgumentException("metadata." + key, "unknown placement version " + version);
            }
            int n = r.getUnsignedShort();
            List<String> nodes = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                nodes.add(r.getShortString());
            }
            return List.copyOf(nodes);
        } catch (BufferUnderflowException e) {
            throw WireFormat.malformed("placement " + key, e);
        }
    }
}
