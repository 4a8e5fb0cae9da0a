package io.vecraft.cluster.spi;

/**
 * The metadata keys through which the core and storage nodes agree on the catalog and the shard
 * map. Values are encoded with {@link io.vecraft.cluster.spi.wire.WireFormat}.
 *
 * <pre>
 * /vecraft/collections/&lt;name&gt;        CatalogEntry: uid + CREATE_COLLECTION payload (spec, start sequences)
 * /vecraft/shards/&lt;uid hex&gt;/&lt;shard&gt;   ShardPlacement: the storage node ids holding the shard's replicas
 * /vecraft/nodes/&lt;node id&gt;            NodeRecord: address and role; attached to the node's lease
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
}
